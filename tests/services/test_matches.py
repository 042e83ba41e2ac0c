"""The match state machine: every allowed and forbidden transition."""

from datetime import timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import Agreement, Match, MatchOrigin, MatchStatus, Notification
from mentormatch.models.user import utcnow
from mentormatch.services import matches
from mentormatch.services.matches import MatchError
from tests.factories import default_program, make_program, make_user, membership


def proposal(mentee, mentor, status=MatchStatus.PROPOSED, origin=MatchOrigin.ROUND, program=None, **extra):
    match = Match(program_id=(program or default_program()).id, mentee_id=mentee.id, mentor_id=mentor.id,
                  status=status, origin=origin,
                  expires_at=utcnow() + timedelta(days=14), **extra)
    db.session.add(match)
    db.session.commit()
    return match


def kinds_for(user):
    return sorted(db.session.scalars(db.select(Notification.kind).where(Notification.user_id == user.id)))


@pytest.fixture
def pair(app_ctx):
    return make_user("mentee"), make_user("mentor", capacity=1)


def test_a_request_waits_for_the_mentor_and_tells_them(pair):
    mentee, mentor = pair
    match = matches.request_mentor(mentee, default_program(), mentor.id, "  Can you help with the MLS exam?  ")
    assert match.status == MatchStatus.ACCEPTED_BY_MENTEE and match.origin == MatchOrigin.REQUEST
    assert match.message == "Can you help with the MLS exam?" and 0 < match.score <= 1
    assert kinds_for(mentor) == ["request"]


def test_the_mentor_accepting_a_request_makes_the_match_active_with_a_draft_agreement(pair):
    mentee, mentor = pair
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    matches.accept(match, mentor)
    assert match.status == MatchStatus.ACTIVE
    assert db.session.scalar(db.select(Agreement).where(Agreement.match_id == match.id)).status == "draft"
    assert "accepted" in kinds_for(mentee) and "accepted" in kinds_for(mentor)


@pytest.mark.parametrize("first", ["mentee", "mentor"])
def test_a_proposal_becomes_active_only_when_both_accept_in_either_order(pair, first):
    mentee, mentor = pair
    match = proposal(mentee, mentor)
    one, other = (mentee, mentor) if first == "mentee" else (mentor, mentee)
    matches.accept(match, one)
    assert match.status == (MatchStatus.ACCEPTED_BY_MENTEE if first == "mentee" else MatchStatus.ACCEPTED_BY_MENTOR)
    with pytest.raises(MatchError, match="already accepted"):
        matches.accept(match, one)
    matches.accept(match, other)
    assert match.status == MatchStatus.ACTIVE


def test_someone_outside_the_pair_cannot_accept_or_decline(pair):
    mentee, mentor = pair
    stranger = make_user("mentee")
    match = proposal(mentee, mentor)
    with pytest.raises(MatchError):
        matches.accept(match, stranger)
    with pytest.raises(MatchError):
        matches.decline(match, stranger, "other")
    assert match.status == MatchStatus.PROPOSED


@pytest.mark.parametrize("final", [MatchStatus.ACTIVE, MatchStatus.DECLINED, MatchStatus.WITHDRAWN,
                                   MatchStatus.EXPIRED, MatchStatus.ENDED])
def test_a_closed_match_cannot_be_accepted_declined_or_withdrawn(pair, final):
    mentee, mentor = pair
    coordinator = make_user("coordinator")
    match = proposal(mentee, mentor, status=final)
    for action in (lambda: matches.accept(match, mentee), lambda: matches.decline(match, mentor, "other"),
                   lambda: matches.withdraw(match, coordinator)):
        with pytest.raises(MatchError):
            action()
    db.session.refresh(match)
    assert match.status == final


def test_declining_records_the_reason_and_the_pair_is_never_suggested_again(pair):
    mentee, mentor = pair
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    assert mentor.id in [s.mentor.id for s in matches.suggestions_for(mentee, default_program())]
    matches.decline(match, mentor, "schedule", "Nights only, sorry")
    assert (match.status, match.decline_reason, match.closed_by_id) == (MatchStatus.DECLINED, "schedule", mentor.id)
    assert "declined" in kinds_for(mentee)
    assert mentor.id not in [s.mentor.id for s in matches.suggestions_for(mentee, default_program())]
    with pytest.raises(MatchError, match="declined"):
        matches.request_mentor(mentee, default_program(), mentor.id, "")


def test_declining_needs_a_reason_from_the_list(pair):
    mentee, mentor = pair
    match = proposal(mentee, mentor)
    with pytest.raises(MatchError, match="reason"):
        matches.decline(match, mentor, "because")
    assert match.status == MatchStatus.PROPOSED


def test_only_the_requesting_mentee_or_a_coordinator_may_withdraw(pair):
    mentee, mentor = pair
    request = matches.request_mentor(mentee, default_program(), mentor.id, "")
    with pytest.raises(MatchError):
        matches.withdraw(request, mentor)
    matches.withdraw(request, mentee)
    assert request.status == MatchStatus.WITHDRAWN and "withdrawn" in kinds_for(mentor)
    round_proposal = proposal(mentee, make_user("mentor"))
    with pytest.raises(MatchError):
        matches.withdraw(round_proposal, mentee)
    matches.withdraw(round_proposal, make_user("coordinator"))
    assert round_proposal.status == MatchStatus.WITHDRAWN


def test_a_mentee_has_at_most_the_programs_number_of_open_requests(app_ctx):
    mentee = make_user("mentee")
    mentors = [make_user("mentor") for _ in range(4)]
    for mentor in mentors[:3]:
        matches.request_mentor(mentee, default_program(), mentor.id, "")
    with pytest.raises(MatchError, match="at most 3"):
        matches.request_mentor(mentee, default_program(), mentors[3].id, "")
    program = default_program()
    program.max_open_requests = 4
    db.session.commit()
    matches.request_mentor(mentee, program, mentors[3].id, "")


def test_asking_the_same_mentor_twice_is_refused(pair):
    mentee, mentor = pair
    matches.request_mentor(mentee, default_program(), mentor.id, "")
    with pytest.raises(MatchError, match="already asked"):
        matches.request_mentor(mentee, default_program(), mentor.id, "")


def test_a_mentor_who_is_full_or_not_accepting_cannot_be_asked(app_ctx):
    full = make_user("mentor", capacity=1)
    closed = make_user("mentor", accepting_mentees=False)
    proposal(make_user("mentee"), full, status=MatchStatus.ACTIVE)
    mentee = make_user("mentee")
    for mentor in (full, closed):
        with pytest.raises(MatchError, match="not taking new mentees"):
            matches.request_mentor(mentee, default_program(), mentor.id, "")
    assert {full.id, closed.id}.isdisjoint(s.mentor.id for s in matches.suggestions_for(mentee, default_program()))


def test_becoming_active_withdraws_the_mentees_other_open_matches_with_a_notice(app_ctx):
    mentee = make_user("mentee")
    chosen, other_a, other_b = (make_user("mentor") for _ in range(3))
    first = matches.request_mentor(mentee, default_program(), chosen.id, "")
    second = matches.request_mentor(mentee, default_program(), other_a.id, "")
    third = proposal(mentee, other_b)
    matches.accept(first, chosen)
    for match in (second, third):
        db.session.refresh(match)
        assert match.status == MatchStatus.WITHDRAWN
    assert "withdrawn" in kinds_for(other_a) and "withdrawn" in kinds_for(other_b)
    with pytest.raises(MatchError, match="already have an active mentor"):
        matches.request_mentor(mentee, default_program(), make_user("mentor").id, "")


def test_a_full_mentor_cannot_accept_one_more(app_ctx):
    mentor = make_user("mentor", capacity=1)
    first = proposal(make_user("mentee"), mentor, status=MatchStatus.ACCEPTED_BY_MENTEE)
    second = proposal(make_user("mentee"), mentor, status=MatchStatus.ACCEPTED_BY_MENTEE)
    matches.accept(first, mentor)
    with pytest.raises(MatchError, match="no free places"):
        matches.accept(second, mentor)
    db.session.refresh(second)
    assert second.status == MatchStatus.ACCEPTED_BY_MENTEE
    assert db.session.scalar(db.select(db.func.count()).select_from(Agreement)) == 1


def test_overdue_matches_expire_and_both_sides_are_told(pair):
    mentee, mentor = pair
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    assert matches.expire_overdue(utcnow() + timedelta(days=13)) == 0
    assert matches.expire_overdue(utcnow() + timedelta(days=15)) == 1
    db.session.refresh(match)
    assert match.status == MatchStatus.EXPIRED
    assert "expired" in kinds_for(mentee) and "expired" in kinds_for(mentor)


def test_an_overdue_match_cannot_be_accepted_even_before_the_sweep(pair):
    mentee, mentor = pair
    match = proposal(mentee, mentor, status=MatchStatus.ACCEPTED_BY_MENTEE)
    match.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    with pytest.raises(MatchError, match="expired"):
        matches.accept(match, mentor)


def test_a_failed_transition_sends_no_email(app, pair, outbox):
    sent = outbox
    mentee, mentor = pair
    match = proposal(mentee, mentor, status=MatchStatus.ACTIVE)
    with pytest.raises(MatchError):
        matches.decline(match, mentor, "other")
    assert sent == []
    matches.request_mentor(make_user("mentee"), default_program(), make_user("mentor").id, "")
    assert len(sent) == 1


def test_suggestions_are_ranked_with_reasons(app_ctx):
    mentee = make_user("mentee", specialties=["microbiology"], goals=["specialist_certification"],
                       credentials_sought=["ascp_sm"])
    strong = make_user("mentor", specialties=["microbiology"], credentials=["ascp_mls", "ascp_sm"],
                       goals=["specialist_certification"])
    weak = make_user("mentor", specialties=["phlebotomy"], credentials=["amt_mls"], goals=["networking"])
    found = matches.suggestions_for(mentee, default_program())
    assert [s.mentor.id for s in found] == [strong.id, weak.id]
    assert found[0].score > found[1].score
    assert any("microbiology" in r for r in found[0].reasons)
    assert any("ASCP SM" in r for r in found[0].reasons)


def test_an_unconfirmed_address_cannot_ask_accept_or_be_suggested(app, app_ctx):
    from mentormatch.services import pairing
    from mentormatch.services.accounts import CONFIRM_FIRST

    mentee, mentor = make_user("mentee", confirmed=False), make_user("mentor")
    with pytest.raises(MatchError, match="Confirm your email address first"):
        matches.request_mentor(mentee, default_program(), mentor.id, "")
    hidden = make_user("mentor", confirmed=False)
    confirmed_mentee = make_user("mentee")
    assert hidden.id not in {s.mentor.id for s in matches.suggestions_for(confirmed_mentee, default_program())}
    with pytest.raises(MatchError, match="not available"):
        matches.request_mentor(confirmed_mentee, default_program(), hidden.id, "")
    coordinator = make_user("coordinator")
    with pytest.raises(MatchError, match="has not confirmed their email address"):
        pairing.pair_by_hand(default_program(), confirmed_mentee.id, hidden.id, coordinator, confirmed=True)
    proposal = pairing.pair_by_hand(default_program(), confirmed_mentee.id, mentor.id, coordinator, confirmed=True)
    mentor.email_confirmed_at = None
    db.session.commit()
    with pytest.raises(MatchError, match=CONFIRM_FIRST[:30]):
        matches.accept(proposal, mentor)


def test_the_confirmation_rule_can_be_relaxed(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "REQUIRE_CONFIRMED_EMAIL", False)
    mentee, mentor = make_user("mentee", confirmed=False), make_user("mentor", confirmed=False)
    assert mentor.id in {s.mentor.id for s in matches.suggestions_for(mentee, default_program())}
    assert matches.request_mentor(mentee, default_program(), mentor.id, "").status == MatchStatus.ACCEPTED_BY_MENTEE


# --- programs: a match never crosses programs -------------------------------------------------

@pytest.fixture
def other_program(app_ctx):
    return make_program("Supervisor and leadership track")


def test_a_request_belongs_to_its_program_and_expires_after_the_programs_days(app_ctx, other_program):
    other_program.expiry_days = 3
    db.session.commit()
    mentee, mentor = make_user("mentee", program=other_program), make_user("mentor", program=other_program)
    match = matches.request_mentor(mentee, other_program, mentor.id, "")
    assert match.program_id == other_program.id
    assert timedelta(days=2) < matches._aware(match.expires_at) - utcnow() <= timedelta(days=3)


def test_a_mentor_of_another_program_cannot_be_asked(app_ctx, other_program):
    mentee = make_user("mentee")  # in the default program
    elsewhere = make_user("mentor", program=other_program)
    with pytest.raises(MatchError, match="not available"):
        matches.request_mentor(mentee, default_program(), elsewhere.id, "")
    # Nor through the other program, where the mentee is not a member.
    with pytest.raises(MatchError, match="not an active mentee"):
        matches.request_mentor(mentee, other_program, elsewhere.id, "")
    assert db.session.scalar(db.select(db.func.count()).select_from(Match)) == 0


def test_a_mentee_of_another_program_cannot_ask_here_and_a_paused_mentee_cannot_ask(app_ctx, other_program):
    mentor = make_user("mentor")
    someone = make_user("mentee", program=other_program)
    with pytest.raises(MatchError, match="not an active mentee"):
        matches.request_mentor(someone, default_program(), mentor.id, "")
    paused = make_user("mentee")
    membership(paused).status = "paused"
    db.session.commit()
    with pytest.raises(MatchError, match="not an active mentee"):
        matches.request_mentor(paused, default_program(), mentor.id, "")


def test_someone_who_mentors_in_one_program_is_suggested_only_the_mentors_of_the_program_they_are_mentored_in(
        app_ctx, other_program):
    from tests.factories import join

    person = make_user("mentor", specialties=["hematology"])  # mentors in the default program
    join(person, "mentee", other_program)
    here = make_user("mentor", program=other_program, specialties=["hematology"])
    there = make_user("mentor", specialties=["hematology"])  # a mentor of the default program only
    found = {s.mentor.id for s in matches.suggestions_for(person, other_program)}
    assert found == {here.id}
    # Where they mentor they are not a mentee: no suggestions there, and nobody suggests them to themselves.
    assert matches.suggestions_for(person, default_program()) == []
    assert person.id not in found and there.id not in found
    match = matches.request_mentor(person, other_program, here.id, "")
    matches.accept(match, here)
    assert match.status == MatchStatus.ACTIVE and match.program_id == other_program.id
    # Their mentee side in one program does not touch their places as a mentor in the other.
    mentee = make_user("mentee", specialties=["hematology"])
    assert person.id in {s.mentor.id for s in matches.suggestions_for(mentee, default_program())}


def test_capacity_is_per_membership_full_in_one_program_free_in_another(app_ctx, other_program):
    from tests.factories import join

    mentor = make_user("mentor", capacity=1)
    join(mentor, "mentor", other_program, capacity=2)
    proposal(make_user("mentee"), mentor, status=MatchStatus.ACTIVE)
    here, there = make_user("mentee"), make_user("mentee", program=other_program)
    with pytest.raises(MatchError, match="not taking new mentees"):
        matches.request_mentor(here, default_program(), mentor.id, "")
    assert mentor.id not in {s.mentor.id for s in matches.suggestions_for(here, default_program())}
    assert mentor.id in {s.mentor.id for s in matches.suggestions_for(there, other_program)}
    match = matches.request_mentor(there, other_program, mentor.id, "")
    matches.accept(match, mentor)
    assert match.status == MatchStatus.ACTIVE
    assert matches.active_count(default_program().id, mentor.id) == 1
    assert matches.active_count(other_program.id, mentor.id) == 1


def test_accepting_checks_the_mentors_capacity_in_the_matchs_program(app_ctx, other_program):
    from tests.factories import join

    mentor = make_user("mentor", capacity=1)
    join(mentor, "mentor", other_program, capacity=1)
    proposal(make_user("mentee"), mentor, status=MatchStatus.ACTIVE)  # full in the default program
    waiting = proposal(make_user("mentee", program=other_program), mentor,
                       status=MatchStatus.ACCEPTED_BY_MENTEE, program=other_program)
    matches.accept(waiting, mentor)
    assert waiting.status == MatchStatus.ACTIVE
    stuck = proposal(make_user("mentee"), mentor, status=MatchStatus.ACCEPTED_BY_MENTEE)
    with pytest.raises(MatchError, match="no free places"):
        matches.accept(stuck, mentor)


def test_a_mentor_who_left_the_program_cannot_accept_there(app_ctx):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    membership(mentor).status = "left"
    db.session.commit()
    with pytest.raises(MatchError, match="no longer an active mentor"):
        matches.accept(match, mentor)
    assert match.status == MatchStatus.ACCEPTED_BY_MENTEE


def test_a_mentee_in_two_programs_keeps_the_open_requests_of_the_other_when_matched_in_one(app_ctx, other_program):
    from tests.factories import join

    mentee = make_user("mentee")
    join(mentee, "mentee", other_program)
    here, there = make_user("mentor"), make_user("mentor", program=other_program)
    mine_here = matches.request_mentor(mentee, default_program(), here.id, "")
    mine_there = matches.request_mentor(mentee, other_program, there.id, "")
    matches.accept(mine_here, here)
    db.session.refresh(mine_there)
    assert mine_there.status == MatchStatus.ACCEPTED_BY_MENTEE
    assert matches.has_active_match(default_program().id, mentee.id)
    assert not matches.has_active_match(other_program.id, mentee.id)
    matches.accept(mine_there, there)
    assert mine_there.status == MatchStatus.ACTIVE


def test_open_requests_are_limited_per_program(app_ctx, other_program):
    from tests.factories import join

    mentee = make_user("mentee")
    join(mentee, "mentee", other_program)
    for _ in range(3):
        matches.request_mentor(mentee, default_program(), make_user("mentor").id, "")
    matches.request_mentor(mentee, other_program, make_user("mentor", program=other_program).id, "")
    assert matches.open_requests(mentee, default_program()) == 3
    assert matches.open_requests(mentee, other_program) == 1


def test_a_program_without_direct_requests_refuses_them(app_ctx):
    program = make_program("Rounds only", direct_requests=False)
    mentee, mentor = make_user("mentee", program=program), make_user("mentor", program=program)
    with pytest.raises(MatchError, match="matching rounds"):
        matches.request_mentor(mentee, program, mentor.id, "")
    assert db.session.scalar(db.select(db.func.count()).select_from(Match)) == 0


def test_only_a_coordinator_of_the_matchs_program_may_withdraw_it_or_read_it(app_ctx, other_program):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = proposal(mentee, mentor)
    outsider = make_user("coordinator", program=other_program)
    assert matches.match_for(outsider, match.id) is None
    with pytest.raises(MatchError, match="coordinator"):
        matches.withdraw(match, outsider)
    insider = make_user("coordinator")
    assert matches.match_for(insider, match.id) is match
    assert matches.match_for(mentee, match.id) is match
    matches.withdraw(match, insider)
    assert match.status == MatchStatus.WITHDRAWN


def test_my_matches_are_those_of_one_program_when_asked(app_ctx, other_program):
    from tests.factories import join

    mentee = make_user("mentee")
    join(mentee, "mentee", other_program)
    here = matches.request_mentor(mentee, default_program(), make_user("mentor").id, "")
    there = matches.request_mentor(mentee, other_program, make_user("mentor", program=other_program).id, "")
    assert matches.matches_of(mentee, default_program().id).waiting_for_them == [here]
    assert matches.matches_of(mentee, other_program.id).waiting_for_them == [there]
    assert set(matches.matches_of(mentee).waiting_for_them) == {here, there}


def test_leaving_one_program_withdraws_only_its_open_matches(app_ctx, other_program):
    from tests.factories import join

    mentee = make_user("mentee")
    join(mentee, "mentee", other_program)
    here = matches.request_mentor(mentee, default_program(), make_user("mentor").id, "")
    there = matches.request_mentor(mentee, other_program, make_user("mentor", program=other_program).id, "")
    assert matches.withdraw_pending_of(mentee, mentee, other_program.id) == [there.id]
    db.session.refresh(here)
    db.session.refresh(there)
    assert (here.status, there.status) == (MatchStatus.ACCEPTED_BY_MENTEE, MatchStatus.WITHDRAWN)
