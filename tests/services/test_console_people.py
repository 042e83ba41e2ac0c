"""People of a program: search, a member's page, deactivation and reactivation, review flags; each audited."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Match, MatchStatus, ReviewFlag
from mentormatch.services import accounts, matches
from mentormatch.services.console import people
from mentormatch.services.pool import load_pool
from tests.factories import PASSWORD, default_program, join, make_program, make_user


@pytest.fixture
def here(app_ctx):
    return default_program()


@pytest.fixture
def coordinator(here):
    return make_user("coordinator", name="Cora Coordinator")


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


def test_a_deactivated_person_cannot_log_in_is_never_proposed_and_loses_pending_matches_everywhere(here, coordinator):
    mentor, mentee = make_user("mentor"), make_user("mentee")
    pending = matches.request_mentor(mentee, here, mentor.id, "")
    other = make_program("Leadership")
    join(mentor, "mentee", other)
    elsewhere = matches.request_mentor(mentor, other, make_user("mentor", program=other).id, "")
    withdrawn = people.deactivate(here, mentor, coordinator)
    assert sorted(withdrawn) == sorted([pending.id, elsewhere.id])
    assert {db.session.get(Match, i).status for i in withdrawn} == {MatchStatus.WITHDRAWN}
    assert accounts.authenticate(mentor.email, PASSWORD) is None
    assert mentor.id not in [m.id for m in load_pool(here.id).mentors]
    assert mentor.id not in [s.mentor.id for s in matches.suggestions_for(mentee, here)]
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.actor_name, entry.target_id, entry.program_id) == (
        "deactivated", "Cora Coordinator", mentor.id, here.id)
    assert entry.before == {"active": True} and entry.after["active"] is False


def test_reactivation_restores_login(here, coordinator):
    mentee = make_user("mentee", active=False)
    people.reactivate(here, mentee, coordinator)
    assert accounts.authenticate(mentee.email, PASSWORD) is not None
    assert actions() == ["reactivated"]


def test_coordinators_cannot_deactivate_themselves_or_repeat_a_change(here, coordinator):
    join(coordinator, "mentor", here)
    with pytest.raises(people.PeopleError):
        people.deactivate(here, coordinator, coordinator)
    mentee = make_user("mentee")
    with pytest.raises(people.PeopleError):
        people.reactivate(here, mentee, coordinator)
    assert actions() == []


def test_nobody_outside_the_program_is_changed(here, coordinator):
    other = make_program("Leadership")
    outsider = make_user("mentee", program=other)
    assert people.get_member(here, outsider.id) is None and people.person(here, outsider.id) is None
    for action in (people.deactivate, people.clear_flag):
        with pytest.raises(people.PeopleError, match="not a member"):
            action(here, outsider, coordinator)
    with pytest.raises(people.PeopleError, match="not a member"):
        people.flag(here, outsider, "Check this", coordinator)
    assert outsider.active and actions() == []


def test_the_console_no_longer_makes_coordinators():
    assert not hasattr(people, "make_coordinator")


def test_flags_are_set_changed_and_cleared_with_their_history_in_the_log(here, coordinator):
    mentee = make_user("mentee")
    people.flag(here, mentee, "Job title looks like a placeholder", coordinator)
    people.flag(here, mentee, "Bio is empty", coordinator)
    assert db.session.scalar(db.select(ReviewFlag)).reason == "Bio is empty"
    people.clear_flag(here, mentee, coordinator)
    assert db.session.scalar(db.select(ReviewFlag)) is None
    assert actions() == ["flagged", "flagged", "flag_cleared"]
    view = people.person(here, mentee.id)
    assert [e.action for e in view.history] == ["flag_cleared", "flagged", "flagged"]
    assert people.person(make_program("Other"), mentee.id) is None
    with pytest.raises(people.PeopleError):
        people.flag(here, mentee, "   ", coordinator)


def test_search_finds_members_by_name_email_role_specialty_state_and_status(here, coordinator):
    make_user("mentee", name="Ana Ruiz", specialties=["hematology"])
    make_user("mentor", name="Ben Okafor", email="ben@lab.example.org", specialties=["microbiology"])
    make_user("mentee", name="Cy Ruiz", specialties=["microbiology"], active=False)
    names = lambda **f: [m.user.name for m in people.search(here, 1, 25, **f).items]  # noqa: E731
    assert names(text="ruiz") == ["Ana Ruiz", "Cy Ruiz"]
    assert names(text="BEN@lab") == ["Ben Okafor"]
    assert names(role="mentor") == ["Ben Okafor"]
    assert names(specialty="microbiology") == ["Ben Okafor", "Cy Ruiz"]
    assert names(state="inactive") == ["Cy Ruiz"]
    assert names(status="active") == ["Ana Ruiz", "Ben Okafor", "Cy Ruiz"] and names(status="paused") == []
    assert names(text="%") == []  # LIKE wildcards are escaped
    assert "Cora Coordinator" not in names()  # coordinators are not members


def test_search_and_the_person_page_show_the_role_in_this_program_only(here, coordinator):
    other = make_program("Leadership")
    both = make_user("mentor", name="Dee Both", capacity=2)
    join(both, "mentee", other)
    make_user("mentor", name="Only There", program=other)
    mine = people.search(here, 1, 25).items
    assert [(m.user.name, m.role) for m in mine] == [("Dee Both", "mentor")]
    assert [(m.user.name, m.role) for m in people.search(other, 1, 25).items] == [
        ("Dee Both", "mentee"), ("Only There", "mentor")]
    matches.request_mentor(both, other, people.search(other, 1, 25, role="mentor").items[0].user_id, "")
    view = people.person(here, both.id)
    assert view.membership.role == "mentor" and view.matches == []
    assert len(people.person(other, both.id).matches) == 1


def test_pausing_a_member_withdraws_their_pending_matches_here_only_and_keeps_them_out_of_matching(here, coordinator):
    mentor, mentee = make_user("mentor"), make_user("mentee")
    pending = matches.request_mentor(mentee, here, mentor.id, "")
    other = make_program("Leadership")
    join(mentee, "mentor", other)
    elsewhere = matches.request_mentor(make_user("mentee", program=other), other, mentee.id, "")
    assert people.change_membership(here, mentee, "paused", coordinator) == [pending.id]
    assert db.session.get(Match, pending.id).status == MatchStatus.WITHDRAWN
    assert db.session.get(Match, elsewhere.id).status == MatchStatus.ACCEPTED_BY_MENTEE  # their other program
    assert mentee.id not in [m.id for m in load_pool(here.id).mentees]
    with pytest.raises(matches.MatchError):
        matches.request_mentor(mentee, here, mentor.id, "")
    people.change_membership(here, mentee, "active", coordinator)
    assert mentee.id in [m.id for m in load_pool(here.id).mentees]
    assert actions()[-2:] == ["membership_changed", "membership_changed"]
    entry = db.session.scalars(db.select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert (entry.program_id, entry.before, entry.after["status"]) == (here.id, {"status": "paused"}, "active")


def test_ending_a_membership_waits_for_the_active_pair_to_end_and_leaves_other_programs_alone(here, coordinator):
    from tests.factories import make_pair

    match = make_pair()
    mentee = match.mentee
    other = make_program("Leadership")
    join(mentee, "mentor", other)
    with pytest.raises(people.PeopleError, match="active pair"):
        people.change_membership(here, mentee, "left", coordinator)
    lone = make_user("mentee")
    people.change_membership(here, lone, "left", coordinator)
    assert lone.membership_in(here.id).status == "left"
    with pytest.raises(people.PeopleError, match="cannot become"):
        people.change_membership(here, lone, "active", coordinator)  # left is final
    assert mentee.membership_in(other.id).status == "active"
