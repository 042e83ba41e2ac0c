"""Coordinator actions outside the console write their audit entries: rounds, pairs by hand, ended proposals."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, MatchStatus
from mentormatch.services import pairing, rounds
from mentormatch.services.rounds import RoundParams
from tests.factories import default_program, make_user


@pytest.fixture
def coordinator(app_ctx):
    return make_user("coordinator", name="Cora")


def entries() -> list[AuditEntry]:
    return list(db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id)))


def test_publishing_and_withdrawing_a_round_are_audited(coordinator):
    make_user("mentee"), make_user("mentor", capacity=1)
    here = default_program()
    published = rounds.publish_round(here, RoundParams(), coordinator).round
    rounds.withdraw_round(published, coordinator)
    first, second = entries()
    assert (first.action, first.actor_name, first.target_type, first.target_id, first.program_id) == (
        "round_published", "Cora", "matchinground", published.id, here.id)
    assert first.after["proposals"] == 1 and first.after["method"] == "optimal"
    assert (second.action, second.program_id, second.before, second.after) == (
        "round_withdrawn", here.id, {"status": "published"}, {"status": "withdrawn", "withdrawn_proposals": 1})


def test_a_pair_by_hand_is_audited_and_an_override_says_so(coordinator):
    mentee, mentor = make_user("mentee"), make_user("mentor", capacity=1)
    here = default_program()
    match = pairing.pair_by_hand(here, mentee.id, mentor.id, coordinator)
    other = make_user("mentor", capacity=1, accepting_mentees=False)
    forced = pairing.pair_by_hand(here, make_user("mentee").id, other.id, coordinator, confirmed=True)
    plain, override = entries()
    assert (plain.action, plain.target_id, plain.after["mentor_id"], plain.program_id) == (
        "manual_pair", match.id, mentor.id, here.id)
    assert (override.action, override.target_id) == ("override", forced.id)
    assert any("not accepting" in w for w in override.after["warnings"])


def test_ending_a_proposal_is_audited(coordinator):
    mentee, mentor = make_user("mentee"), make_user("mentor", capacity=1)
    match = pairing.pair_by_email(default_program(), mentee.email, mentor.email, coordinator)
    rounds.end_proposal(match, coordinator)
    assert match.status == MatchStatus.WITHDRAWN
    last = entries()[-1]
    assert (last.action, last.target_id, last.program_id, last.before, last.after) == (
        "proposal_ended", match.id, default_program().id, {"status": "proposed"}, {"status": "withdrawn"})
