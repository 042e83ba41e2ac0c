"""People: deactivation blocks login and matching, reactivation, coordinator role, review flags; each audited."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Match, MatchOrigin, MatchStatus, ReviewFlag, Role
from mentormatch.services import accounts, matches
from mentormatch.services.console import people
from mentormatch.services.pool import load_pool
from tests.factories import PASSWORD, make_user


@pytest.fixture
def coordinator(app_ctx):
    return make_user("coordinator", name="Cora Coordinator")


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_deactivated_person_cannot_log_in_is_never_proposed_and_loses_pending_matches(coordinator):
    mentor, mentee = make_user("mentor"), make_user("mentee")
    pending = matches.request_mentor(mentee, mentor.id, "")
    withdrawn = people.deactivate(mentor, coordinator)
    assert withdrawn == [pending.id] and db.session.get(Match, pending.id).status == MatchStatus.WITHDRAWN
    assert accounts.authenticate(mentor.email, PASSWORD) is None
    assert mentor.id not in [m.id for m in load_pool().mentors]
    assert mentor.id not in [s.mentor.id for s in matches.suggestions_for(mentee)]
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.actor_name, entry.target_id) == ("deactivated", "Cora Coordinator", mentor.id)
    assert entry.before == {"active": True} and entry.after["active"] is False


def test_reactivation_restores_login(coordinator):
    mentee = make_user("mentee", active=False)
    people.reactivate(mentee, coordinator)
    assert accounts.authenticate(mentee.email, PASSWORD) is not None
    assert actions() == ["reactivated"]


def test_coordinators_cannot_deactivate_themselves_or_repeat_a_change(coordinator):
    with pytest.raises(people.PeopleError):
        people.deactivate(coordinator, coordinator)
    mentee = make_user("mentee")
    with pytest.raises(people.PeopleError):
        people.reactivate(mentee, coordinator)
    assert actions() == []


def test_making_a_coordinator_changes_the_role_and_withdraws_pending_matches(coordinator):
    mentor, mentee = make_user("mentor"), make_user("mentee")
    pending = matches.request_mentor(mentee, mentor.id, "")
    people.make_coordinator(mentee, coordinator)
    assert mentee.role == Role.COORDINATOR and db.session.get(Match, pending.id).status == MatchStatus.WITHDRAWN
    entry = db.session.scalar(db.select(AuditEntry))
    assert entry.before == {"role": "mentee"} and entry.after["role"] == "coordinator"


def test_someone_in_an_active_pair_is_not_made_coordinator(coordinator):
    mentor, mentee = make_user("mentor"), make_user("mentee")
    db.session.add(Match(mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.ROUND, status=MatchStatus.ACTIVE))
    db.session.commit()
    with pytest.raises(people.PeopleError, match="active pair"):
        people.make_coordinator(mentor, coordinator)


def test_flags_are_set_changed_and_cleared_with_their_history_in_the_log(coordinator):
    mentee = make_user("mentee")
    people.flag(mentee, "Job title looks like a placeholder", coordinator)
    people.flag(mentee, "Bio is empty", coordinator)
    assert db.session.scalar(db.select(ReviewFlag)).reason == "Bio is empty"
    people.clear_flag(mentee, coordinator)
    assert db.session.scalar(db.select(ReviewFlag)) is None
    assert actions() == ["flagged", "flagged", "flag_cleared"]
    view = people.person(mentee.id)
    assert [e.action for e in view.history] == ["flag_cleared", "flagged", "flagged"]
    with pytest.raises(people.PeopleError):
        people.flag(mentee, "   ", coordinator)


def test_search_finds_people_by_name_email_role_specialty_and_state(coordinator):
    make_user("mentee", name="Ana Ruiz", specialties=["hematology"])
    make_user("mentor", name="Ben Okafor", email="ben@lab.example.org", specialties=["microbiology"])
    make_user("mentee", name="Cy Ruiz", specialties=["microbiology"], active=False)
    names = lambda **f: [u.name for u in people.search(1, 25, **f).items]  # noqa: E731
    assert names(text="ruiz") == ["Ana Ruiz", "Cy Ruiz"]
    assert names(text="BEN@lab") == ["Ben Okafor"]
    assert names(role="mentor") == ["Ben Okafor"]
    assert names(specialty="microbiology") == ["Ben Okafor", "Cy Ruiz"]
    assert names(state="inactive") == ["Cy Ruiz"]
    assert names(text="%") == []  # LIKE wildcards are escaped
