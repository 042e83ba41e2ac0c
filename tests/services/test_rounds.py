"""Matching rounds through the service layer: preview, publish, withdraw, pair by hand."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func

from mentormatch.extensions import db
from mentormatch.matching import Weights
from mentormatch.models import Match, MatchingRound, MatchOrigin, MatchStatus, Notification, RoundStatus
from mentormatch.models.user import utcnow
from mentormatch.services import matches, pairing, rounds
from mentormatch.services.matches import MatchError
from mentormatch.services.rounds import RoundParams
from tests.factories import default_program as P
from tests.factories import join, make_program, make_user


@pytest.fixture
def sent(outbox):
    """Emails queued for delivery, in order."""
    return outbox


@pytest.fixture
def coordinator(app_ctx):
    return make_user("coordinator")


def mentee(**profile):
    return make_user("mentee", **profile)


def mentor(capacity=1, **profile):
    return make_user("mentor", capacity=capacity, **profile)


def count(model, *where) -> int:
    return db.session.scalar(db.select(func.count()).select_from(model).where(*where))


def round_matches(round_id):
    return db.session.scalars(db.select(Match).where(Match.round_id == round_id)).all()


def reasons(preview) -> dict[int, str]:
    return {person.mentee_id: person.reason for person in preview.unmatched}


def pair_of(match_or_pair):
    return (match_or_pair.mentee_id, match_or_pair.mentor_id)


def publish(coordinator, params=RoundParams()):
    return rounds.publish_round(P(), params, coordinator, rounds.preview_round(P(), params).digest).round


# --- Preview -----------------------------------------------------------------


def test_a_preview_writes_nothing(coordinator):
    mentee(), mentee(), mentor(capacity=2)
    preview = rounds.preview_round(P(), RoundParams())
    assert preview.matched == 2 and preview.mentees == 2 and preview.places == 2
    assert count(Match) == count(Notification) == count(MatchingRound) == 0


def test_a_preview_totals_the_scores_and_counts_them_in_tenth_wide_buckets(coordinator):
    mentee(), mentee(), mentee(), mentor(capacity=3)
    preview = rounds.preview_round(P(), RoundParams())
    assert preview.total_score == pytest.approx(sum(p.score for p in preview.pairs))
    assert len(preview.buckets) == 10 and sum(b.count for b in preview.buckets) == 3
    for pair in preview.pairs:
        assert any(b.low <= pair.score <= b.high and b.count for b in preview.buckets)


def test_the_same_program_and_settings_always_preview_the_same_digest(coordinator):
    for _ in range(4):
        mentee()
    mentor(capacity=2), mentor(capacity=1)
    first, second = rounds.preview_round(P(), RoundParams()), rounds.preview_round(P(), RoundParams())
    assert first.digest == second.digest and first.matched == 3


def test_the_optimal_method_matches_at_least_as_many_mentees_as_the_stable_one(coordinator):
    # A fits the general mentor best; B may only meet in person, so only the general mentor suits B.
    a = mentee(specialties=["hematology"], meeting_mode="virtual")
    b = mentee(specialties=["microbiology"], meeting_mode="in_person")
    mentor(specialties=["hematology"], meeting_mode="either")
    mentor(specialties=["microbiology"], meeting_mode="virtual")
    optimal = rounds.preview_round(P(), RoundParams(method="optimal"))
    stable = rounds.preview_round(P(), RoundParams(method="stable"))
    assert optimal.matched == 2 and stable.matched == 1
    assert list(reasons(stable)) == [b.id] and a.id not in reasons(optimal)


# --- Why someone is left out ---------------------------------------------------


def test_a_mentee_whose_specialty_no_mentor_has_is_told_so(coordinator):
    mentee(specialties=["hematology"])
    loner = mentee(specialties=["phlebotomy"])
    mentor(specialties=["hematology"])
    assert reasons(rounds.preview_round(P(), RoundParams())) == {loner.id: rounds.NO_SPECIALTY}


def test_a_mentee_whose_meeting_mode_clashes_with_every_suitable_mentor_is_told_so(coordinator):
    in_person = mentee(meeting_mode="in_person")
    mentor(meeting_mode="virtual", capacity=3)
    assert reasons(rounds.preview_round(P(), RoundParams())) == {in_person.id: rounds.NO_MODE}


def test_a_mentee_who_shares_no_time_window_with_any_mentor_is_told_so(coordinator):
    mentee(time_zone="America/Halifax", shift="day")
    far = mentee(time_zone="Asia/Manila", shift="night")  # twelve hours apart, night against day
    mentor(time_zone="America/Halifax", shift="day")
    assert reasons(rounds.preview_round(P(), RoundParams())) == {far.id: rounds.NO_TIME}


def test_a_mentee_whose_suitable_mentors_are_taken_is_told_they_are_full(coordinator):
    mentee()
    second = mentee()
    mentor(capacity=1)
    assert reasons(rounds.preview_round(P(), RoundParams())) == {second.id: rounds.ALL_FULL}


def test_a_mentee_whose_every_suitable_mentor_was_excluded_is_told_so(coordinator):
    left_out = mentee()
    only = mentor(capacity=2)
    preview = rounds.preview_round(P(), RoundParams(excluded=frozenset({(left_out.id, only.id)})))
    assert reasons(preview) == {left_out.id: rounds.ALL_EXCLUDED}


def test_with_nobody_waiting_a_preview_is_empty(coordinator):
    mentor()
    preview = rounds.preview_round(P(), RoundParams())
    assert preview.mentees == 0 and preview.matched == 0 and preview.unmatched == []


# --- Publishing -----------------------------------------------------------------


def test_publishing_proposes_each_matched_mentee_once_with_the_round_and_an_expiry(coordinator, sent):
    people = [mentee() for _ in range(3)]
    mentor(capacity=2)
    published = publish(coordinator)
    found = round_matches(published.id)
    assert published.proposals == len(found) == 2 and published.status == RoundStatus.PUBLISHED
    assert len({m.mentee_id for m in found}) == 2 and {m.mentee_id for m in found} <= {p.id for p in people}
    for match in found:
        assert match.origin == MatchOrigin.ROUND and match.status == MatchStatus.PROPOSED
        assert 0 < match.score <= 1
        days = (match.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)) / timedelta(days=1)
        assert 13.9 < days <= 14
    assert published.total_score == pytest.approx(sum(m.score for m in found))


def test_publishing_never_exceeds_a_mentors_free_places(coordinator, sent):
    for _ in range(5):
        mentee()
    busy = mentor(capacity=3)
    spare = mentor(capacity=1)
    already = mentee()
    db.session.add(Match(program_id=P().id, mentee_id=already.id, mentor_id=busy.id, status=MatchStatus.ACTIVE,
                         origin=MatchOrigin.REQUEST))
    db.session.commit()
    published = publish(coordinator)
    per_mentor = {}
    for match in round_matches(published.id):
        per_mentor[match.mentor_id] = per_mentor.get(match.mentor_id, 0) + 1
    assert per_mentor == {busy.id: 2, spare.id: 1}


def test_publishing_never_proposes_a_declined_or_excluded_pair(coordinator, sent):
    a, b = mentee(), mentee()
    x, y = mentor(capacity=2), mentor(capacity=2)
    db.session.add(Match(program_id=P().id, mentee_id=a.id, mentor_id=x.id, status=MatchStatus.DECLINED,
                         origin=MatchOrigin.ROUND))
    db.session.commit()
    published = publish(coordinator, RoundParams(excluded=frozenset({(b.id, y.id)})))
    proposed = {pair_of(m) for m in round_matches(published.id)}
    assert proposed == {(a.id, y.id), (b.id, x.id)}
    assert published.excluded_pairs == [[b.id, y.id]]


def test_publishing_tells_both_sides_in_the_app_and_by_email(coordinator, sent):
    someone, their_mentor = mentee(), mentor()
    published = publish(coordinator)
    (match,) = round_matches(published.id)
    notes = db.session.scalars(db.select(Notification).where(Notification.match_id == match.id)).all()
    assert sorted(n.user_id for n in notes) == sorted([someone.id, their_mentor.id])
    assert {n.kind for n in notes} == {"proposal"}
    assert sorted(e.to for e in sent) == sorted([someone.email, their_mentor.email])
    assert all(f"/matches/{match.id}" in e.body for e in sent)
    assert any(e.body.startswith(f"Hello {someone.name},") for e in sent)


def test_publishing_keeps_the_method_and_weights_on_the_round(coordinator, sent):
    mentee(), mentor()
    weights = Weights(specialty=10, goals=0, credentials=0, experience=0, schedule=0, meeting_mode=0, frequency=0)
    published = publish(coordinator, RoundParams(method="stable", weights=weights))
    assert published.method == "stable" and published.weights["specialty"] == 10
    assert published.weights["goals"] == 0 and published.created_by_id == coordinator.id


def test_publishing_refuses_when_the_program_changed_since_the_preview(coordinator, sent):
    mentee(), mentor(capacity=2)
    digest = rounds.preview_round(P(), RoundParams()).digest
    newcomer = mentee()
    with pytest.raises(rounds.RoundChanged) as changed:
        rounds.publish_round(P(), RoundParams(), coordinator, digest)
    assert newcomer.id in {p.mentee_id for p in changed.value.preview.pairs}
    assert count(Match) == count(MatchingRound) == count(Notification) == 0 and sent == []


def test_publishing_with_nobody_to_match_is_refused(coordinator, sent):
    mentor()
    with pytest.raises(rounds.RoundError, match="Nothing to publish"):
        rounds.publish_round(P(), RoundParams(), coordinator)
    assert count(MatchingRound) == 0


def test_a_second_round_leaves_out_mentees_who_already_have_a_proposal(coordinator, sent):
    mentee(), mentee(), mentor(capacity=1), mentor(capacity=1)
    publish(coordinator)
    assert rounds.preview_round(P(), RoundParams()).mentees == 0


# --- Withdrawing a round ----------------------------------------------------------


def test_a_round_nobody_answered_can_be_withdrawn_with_notices_to_both_sides(coordinator, sent):
    mentee(), mentee(), mentor(capacity=2)
    published = publish(coordinator)
    sent.clear()
    assert rounds.withdraw_round(published, coordinator) == 2
    assert published.status == RoundStatus.WITHDRAWN
    assert {m.status for m in round_matches(published.id)} == {MatchStatus.WITHDRAWN}
    assert count(Notification, Notification.kind == "withdrawn") == 4 and len(sent) == 4
    assert rounds.preview_round(P(), RoundParams()).mentees == 2  # they are waiting again


def test_a_round_cannot_be_withdrawn_once_an_answer_came_in(coordinator, sent):
    first, _ = mentee(), mentee()
    their_mentor = mentor(capacity=2)
    published = publish(coordinator)
    answered = next(m for m in round_matches(published.id) if m.mentee_id == first.id)
    matches.accept(answered, their_mentor)
    with pytest.raises(rounds.RoundError, match="already been answered"):
        rounds.withdraw_round(published, coordinator)
    assert published.status == RoundStatus.PUBLISHED
    assert sorted(m.status for m in round_matches(published.id)) == ["accepted_by_mentor", "proposed"]


def test_a_withdrawn_round_cannot_be_withdrawn_again(coordinator, sent):
    mentee(), mentor()
    published = publish(coordinator)
    rounds.withdraw_round(published, coordinator)
    with pytest.raises(rounds.RoundError, match="withdrawn already"):
        rounds.withdraw_round(published, coordinator)


def test_the_rounds_page_counts_each_rounds_answers(coordinator, sent):
    first = mentee()
    mentee()
    their_mentor = mentor(capacity=2)
    published = publish(coordinator)
    answered = next(m for m in round_matches(published.id) if m.mentee_id == first.id)
    matches.decline(answered, their_mentor, "no_time")
    (summary,) = rounds.rounds_page(P(), 1, 10).items
    assert summary.count("declined") == 1 and summary.count("proposed") == 1
    assert summary.answered == 1 and not summary.can_withdraw


# --- Pairing by hand and ending proposals ---------------------------------------------


def test_a_fitting_pair_by_hand_is_proposed_at_once_and_both_are_told(coordinator, sent):
    someone, chosen = mentee(), mentor()
    match = pairing.pair_by_email(P(), someone.email, chosen.email.upper(), coordinator)
    assert match.origin == MatchOrigin.MANUAL and match.status == MatchStatus.PROPOSED
    assert match.round_id is None and match.expires_at is not None and 0 < match.score <= 1
    assert sorted(e.to for e in sent) == sorted([someone.email, chosen.email])


def test_a_forbidden_pair_by_hand_needs_confirmation(coordinator, sent):
    someone, chosen = mentee(meeting_mode="in_person"), mentor(meeting_mode="virtual")
    with pytest.raises(pairing.PairNeedsConfirmation) as needed:
        pairing.pair_by_email(P(), someone.email, chosen.email, coordinator)
    assert any("meeting modes clash" in w for w in needed.value.warnings)
    assert count(Match) == 0
    match = pairing.pair_by_email(P(), someone.email, chosen.email, coordinator, confirmed=True)
    assert match.origin == MatchOrigin.MANUAL and match.score is None


def test_pairing_with_a_full_mentor_warns_about_capacity(coordinator, sent):
    someone, other, chosen = mentee(), mentee(), mentor(capacity=1)
    pairing.pair_by_email(P(), other.email, chosen.email, coordinator)
    with pytest.raises(pairing.PairNeedsConfirmation) as needed:
        pairing.pair_by_email(P(), someone.email, chosen.email, coordinator)
    assert needed.value.warnings == [f"{chosen.name} is full: 1 of 1 places are taken or proposed."]


def test_pairing_a_pair_that_declined_before_warns(coordinator, sent):
    someone, chosen = mentee(), mentor(capacity=2)
    db.session.add(Match(program_id=P().id, mentee_id=someone.id, mentor_id=chosen.id, status=MatchStatus.DECLINED,
                         origin=MatchOrigin.REQUEST))
    db.session.commit()
    with pytest.raises(pairing.PairNeedsConfirmation) as needed:
        pairing.pair_by_email(P(), someone.email, chosen.email, coordinator)
    assert needed.value.warnings == ["The matching rules forbid this pair: declined before."]


def test_pairing_needs_a_mentee_and_a_mentor_who_are_not_already_paired(coordinator, sent):
    someone, chosen = mentee(), mentor(capacity=2)
    with pytest.raises(pairing.PairingError, match="No active mentee of Test program has the email"):
        pairing.pair_by_email(P(), chosen.email, someone.email, coordinator)
    with pytest.raises(pairing.PairingError, match="No active mentor of Test program has the email"):
        pairing.pair_by_email(P(), someone.email, "nobody@example.org", coordinator)
    pairing.pair_by_email(P(), someone.email, chosen.email, coordinator)
    with pytest.raises(pairing.PairingError, match="already have an open match"):
        pairing.pair_by_email(P(), someone.email, chosen.email, coordinator, confirmed=True)


def test_pairing_by_hand_has_its_own_error_which_is_no_rounds_error(coordinator, sent):
    someone, chosen = mentee(), mentor(capacity=1)
    pairing.pair_by_email(P(), mentee().email, chosen.email, coordinator)
    with pytest.raises(pairing.PairingError) as needed:
        pairing.pair_by_email(P(), someone.email, chosen.email, coordinator)  # full: a warning to confirm
    assert isinstance(needed.value, pairing.PairNeedsConfirmation)
    assert not isinstance(needed.value, rounds.RoundError)
    pairing.pair_by_email(P(), someone.email, chosen.email, coordinator, confirmed=True)
    with pytest.raises(pairing.PairingError, match="already have an open match") as refused:
        pairing.pair_by_email(P(), someone.email, chosen.email, coordinator, confirmed=True)
    assert not isinstance(refused.value, rounds.RoundError)


def test_a_coordinator_can_end_a_pending_proposal_which_leaves_the_pending_list(coordinator, sent):
    someone, chosen = mentee(), mentor()
    match = pairing.pair_by_email(P(), someone.email, chosen.email, coordinator)
    assert [m.id for m in rounds.pending_proposals(P(), 1, 10).items] == [match.id]
    matches.withdraw(match, coordinator)
    assert match.status == MatchStatus.WITHDRAWN
    assert rounds.pending_proposals(P(), 1, 10).total == 0


# --- Programs: a round, a pair and a queue belong to one program -----------------------------


@pytest.fixture
def other(app_ctx):
    """A second program with a mentee and a mentor who would fit the default program's people."""
    program = make_program("MLT to MLS pathway")
    return program, make_user("mentee", program=program), make_user("mentor", program=program, capacity=3)


def test_a_round_in_one_program_never_proposes_people_of_another(coordinator, other, sent):
    program, their_mentee, their_mentor = other
    here = [mentee(), mentee()]
    mentor(capacity=3)
    preview = rounds.preview_round(P(), RoundParams())
    people = {p.mentee_id for p in preview.pairs} | {p.mentor_id for p in preview.pairs}
    assert preview.mentees == 2 and preview.places == 3
    assert their_mentee.id not in people and their_mentor.id not in people
    published = publish(coordinator)
    assert published.program_id == P().id
    assert {m.program_id for m in round_matches(published.id)} == {P().id}
    assert {m.mentee_id for m in round_matches(published.id)} == {p.id for p in here}
    # The other program's pool is untouched: its mentee still waits there.
    assert rounds.preview_round(program, RoundParams()).mentees == 1


def test_someone_who_mentors_here_is_proposed_as_a_mentee_only_where_they_are_a_mentee(coordinator, other, sent):
    program, _, their_mentor = other
    both = mentor(capacity=2)
    join(both, "mentee", program)
    mentee()
    here = rounds.preview_round(P(), RoundParams())
    assert [p.mentor_id for p in here.pairs] == [both.id]
    there = rounds.preview_round(program, RoundParams())
    assert both.id in {p.mentee_id for p in there.pairs}
    assert {p.mentor_id for p in there.pairs} == {their_mentor.id}


def test_a_mentors_places_in_a_round_are_those_of_their_membership_in_the_program(coordinator, other, sent):
    program, _, _ = other
    busy = mentor(capacity=1)
    join(busy, "mentor", program, capacity=2)
    pairing.pair_by_hand(P(), mentee().id, busy.id, coordinator)  # proposed: their one place here is taken
    assert rounds.preview_round(P(), RoundParams()).places == 0
    there = rounds.preview_round(program, RoundParams())
    assert there.places == 3 + 2  # the other program's mentor and this one's two places there


def test_a_round_uses_the_programs_expiry_and_its_method_and_weights_are_the_defaults(coordinator, sent):
    program = P()
    program.expiry_days = 5
    program.matching_method = "stable"
    program.weights = {"specialty": 7.0, "strict_meeting_mode": False, "unknown": 3}
    db.session.commit()
    params = rounds.default_params(program)
    assert params.method == "stable" and params.weights.specialty == 7.0
    assert params.weights.strict_meeting_mode is False and params.weights.goals == Weights().goals
    mentee(), mentor()
    published = publish(coordinator, params)
    (match,) = round_matches(published.id)
    days = (match.expires_at.replace(tzinfo=None) - utcnow().replace(tzinfo=None)) / timedelta(days=1)
    assert 4.9 < days <= 5
    assert rounds.default_params(make_program("Plain")) == RoundParams()


def test_a_coordinator_of_another_program_cannot_publish_withdraw_or_see_this_programs_rounds(coordinator, other,
                                                                                                  sent):
    program, _, _ = other
    outsider = make_user("coordinator", program=program)
    mentee(), mentor()
    with pytest.raises(rounds.RoundError, match="coordinator of this program"):
        rounds.publish_round(P(), RoundParams(), outsider)
    published = publish(coordinator)
    with pytest.raises(rounds.RoundError, match="coordinator of this program"):
        rounds.withdraw_round(published, outsider)
    assert published.status == RoundStatus.PUBLISHED
    (match,) = round_matches(published.id)
    assert rounds.get_round(program, published.id) is None and rounds.get_round(P(), published.id) is published
    assert rounds.get_match(program, match.id) is None and rounds.get_match(P(), match.id) is match
    assert rounds.rounds_page(program, 1, 10).total == 0 and rounds.rounds_page(P(), 1, 10).total == 1
    assert rounds.pending_proposals(program, 1, 10).total == 0
    assert rounds.pending_proposals(P(), 1, 10).total == 1
    with pytest.raises(MatchError):
        rounds.end_proposal(match, outsider)
    assert match.status == MatchStatus.PROPOSED


def test_a_pair_by_hand_never_crosses_programs(coordinator, other, sent):
    program, their_mentee, their_mentor = other
    someone, chosen = mentee(), mentor()
    with pytest.raises(pairing.PairingError, match="No active mentor of Test program"):
        pairing.pair_by_hand(P(), someone.id, their_mentor.id, coordinator)
    with pytest.raises(pairing.PairingError, match="No active mentee of Test program"):
        pairing.pair_by_email(P(), their_mentee.email, chosen.email, coordinator)
    with pytest.raises(pairing.PairingError, match="Only a coordinator of MLT to MLS pathway"):
        pairing.pair_by_hand(program, their_mentee.id, their_mentor.id, coordinator)
    match = pairing.pair_by_hand(P(), someone.id, chosen.id, coordinator)
    assert match.program_id == P().id
    assert count(Match) == 1


def test_pairing_a_paused_member_is_refused(coordinator, sent):
    from tests.factories import membership

    someone, chosen = mentee(), mentor()
    membership(chosen).status = "paused"
    db.session.commit()
    with pytest.raises(pairing.PairingError, match="No active mentor"):
        pairing.pair_by_hand(P(), someone.id, chosen.id, coordinator)
