"""Pairing by hand finds people by a part of their name or email: this program's active members, on one side."""

from __future__ import annotations

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, ProgramRole
from mentormatch.services import pairing
from mentormatch.services.console import people
from mentormatch.services.matches import MatchError
from tests.factories import default_program, make_program, make_user


@pytest.fixture
def here(app_ctx):
    return default_program()


def names(found: pairing.MemberSearch) -> list[str]:
    return [c.name for c in found.found]


def test_a_search_matches_part_of_a_name_or_an_email_in_any_case_on_one_side(here):
    make_user("mentee", name="Ana Ruiz", email="ana.ruiz@lab.example.org")
    make_user("mentee", name="Dee Banana", email="dee@lab.example.org")
    make_user("mentee", name="Ben Okafor", email="bokafor@lab.example.org")
    make_user("mentor", name="Anand Rao", email="arao@lab.example.org")
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "ANA")) == ["Ana Ruiz", "Dee Banana"]
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "bokafor@")) == ["Ben Okafor"]
    assert names(pairing.find_members(here, ProgramRole.MENTOR, "ana")) == ["Anand Rao"]
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "")) == []  # nothing typed: nobody listed
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "%_%")) == []  # wildcards are plain characters


def test_only_active_members_of_this_program_are_found(here):
    coordinator = make_user("coordinator")
    gone = make_user("mentee", name="Sam Deactivated")
    people.deactivate(here, gone, coordinator)
    paused = make_user("mentee", name="Sam Paused")
    people.change_membership(here, paused, "paused", coordinator)
    make_user("mentee", name="Sam Elsewhere", program=make_program("Supervisor track"))
    make_user("mentee", name="Sam Here")
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "sam")) == ["Sam Here"]


def test_the_list_is_bounded_and_says_when_more_match(here):
    for i in range(5):
        make_user("mentee", name=f"Lee {i}")
    found = pairing.find_members(here, ProgramRole.MENTEE, "lee", limit=3)
    assert names(found) == ["Lee 0", "Lee 1", "Lee 2"] and found.more
    assert not pairing.find_members(here, ProgramRole.MENTEE, "lee", limit=5).more


def test_the_person_already_chosen_is_listed_first_whatever_the_search(here):
    chosen = make_user("mentee", name="Zoe Chosen")
    make_user("mentee", name="Ana Other")
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "ana", chosen.id)) == ["Zoe Chosen", "Ana Other"]
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "", chosen.id)) == ["Zoe Chosen"]
    assert names(pairing.find_members(here, ProgramRole.MENTOR, "", chosen.id)) == []  # not on that side
    assert names(pairing.find_members(here, ProgramRole.MENTEE, "", 2**63)) == []  # no such id, no overflow


def test_mentors_come_with_their_free_places_as_capacity_checks_count_them(here):
    mentor = make_user("mentor", name="Lee Mentor", capacity=2)
    mentee = make_user("mentee")
    db.session.add(Match(program_id=here.id, mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.MANUAL,
                         status=MatchStatus.PROPOSED))
    db.session.commit()
    [found] = pairing.find_members(here, ProgramRole.MENTOR, "lee mentor").found
    assert found.free_places == 1
    assert pairing.find_members(here, ProgramRole.MENTEE, mentee.name).found[0].free_places is None


def test_pairing_by_hand_keeps_its_rules_for_people_chosen_from_a_search(here):
    coordinator = make_user("coordinator")
    mentor = make_user("mentor", capacity=1)
    first, second = make_user("mentee"), make_user("mentee")
    pairing.pair_by_hand(here, first.id, mentor.id, coordinator)
    with pytest.raises(pairing.PairNeedsConfirmation, match="warnings"):
        pairing.pair_by_hand(here, second.id, mentor.id, coordinator)  # the mentor is full
    with pytest.raises(MatchError, match="search again"):
        pairing.pair_by_hand(here, mentor.id, second.id, coordinator)  # the sides swapped
    with pytest.raises(MatchError, match="from the lists"):
        pairing.pair_by_hand(here, 2**40, mentor.id, coordinator)
