"""Credentials and licences with dates, kept in step with the profile; exam plans reached by holding the credential;
the coordinator's outcome figures."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import CredentialRecord, ExamPlan, MembershipStatus, TagKind
from mentormatch.services import credentials, exam_plans
from mentormatch.services.account_deletion import delete_account
from mentormatch.services.agreements.access import today
from mentormatch.services.console import outcomes
from mentormatch.services.credentials import CredentialError, CredentialInput, cycle_end
from mentormatch.services.exam_plans import ExamPlanError, ExamPlanInput
from tests.factories import PASSWORD, default_program, make_program, make_user, membership, profile_input

ON = date(2027, 3, 10)


def _credential(code: str, earned_on=None, expires_on=None) -> CredentialInput:
    return CredentialInput("credential", code, earned_on=earned_on, expires_on=expires_on)


def _records(user) -> dict:
    rows = db.session.scalars(db.select(CredentialRecord).where(CredentialRecord.user_id == user.id))
    return {(r.kind, r.code): (r.earned_on, r.expires_on, r.licence_number) for r in rows}


def _held(user) -> list[str]:
    db.session.expire(user.profile)
    return user.profile.codes(TagKind.CREDENTIAL)


# --- dates ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("data, says", [
    (_credential("ascp_sbb", earned_on=ON + timedelta(days=1)), "cannot be in the future"),
    (_credential("ascp_sbb", earned_on=ON, expires_on=ON), "must be after the date earned"),
    (_credential("ascp_sbb", earned_on=ON, expires_on=ON - timedelta(days=30)), "must be after the date earned"),
    (_credential("ascp_sbb", earned_on=date(1900, 1, 1)), "before 1950"),
    (_credential("not_a_credential"), "from the list"),
    (CredentialInput("licence", "ascp_mls", expires_on=ON), "from the list"),  # a credential code is no state
    (CredentialInput("licence", "ca"), "renewed by"),
    (CredentialInput("passport", "ca", expires_on=ON), "from the list"),
])
def test_dates_and_codes_that_cannot_be_right_are_refused_and_nothing_is_saved(app_ctx, data, says):
    mentee = make_user("mentee", credentials=[])
    with pytest.raises(CredentialError, match=says):
        credentials.record_credential(mentee, data, on=ON)
    assert _records(mentee) == {} and _held(mentee) == []


def test_the_date_earned_may_be_today_and_the_dates_may_be_left_out(app_ctx):
    mentee = make_user("mentee", credentials=[])
    credentials.record_credential(mentee, _credential("ascp_sbb", earned_on=ON), on=ON)
    credentials.record_credential(mentee, _credential("ascp_sh"), on=ON)
    assert _records(mentee) == {("credential", "ascp_sbb"): (ON, date(2030, 3, 10), ""),
                                ("credential", "ascp_sh"): (None, None, "")}  # no date earned: no cycle to end


# --- the maintenance cycle ------------------------------------------------------------------------

def test_a_maintained_credential_expires_at_the_end_of_its_cmp_cycle_unless_told_otherwise(app_ctx):
    mentee = make_user("mentee", credentials=[])
    credentials.record_credential(mentee, _credential("ascp_mls", earned_on=date(2026, 6, 1)), on=ON)
    credentials.record_credential(mentee, _credential("ascp_mlt", earned_on=date(2026, 6, 1),
                                                      expires_on=date(2028, 1, 31)), on=ON)
    credentials.record_credential(mentee, _credential("ascp_sbb", earned_on=date(2001, 6, 1)), on=ON)
    found = _records(mentee)
    assert found[("credential", "ascp_mls")][1] == date(2029, 6, 1)  # 3 years after it was earned
    assert found[("credential", "ascp_mlt")][1] == date(2028, 1, 31)  # the person's own date stays
    assert found[("credential", "ascp_sbb")][1] is None  # ASCP, earned before 2004: for life, no expiry made up


def test_an_older_credential_gets_the_end_of_its_current_cycle_not_a_past_one():
    assert cycle_end("ascp_mls", date(2015, 4, 20), on=ON) == date(2027, 4, 20)  # 2018, 2021, 2024 are past
    assert cycle_end("ascp_mls", date(2024, 3, 10), on=ON) == date(2027, 3, 10)  # ends today: still current
    assert cycle_end("ascp_mls", date(2024, 2, 29), on=date(2024, 3, 1)) == date(2027, 2, 28)
    assert cycle_end("ascp_sbb", date(2003, 2, 1), on=ON) is None  # before the CMP applied
    assert cycle_end("aab_mt", date(2020, 5, 1), on=ON) == date(2027, 5, 1)  # AAB: every year
    assert cycle_end("ascp_mls", None, on=ON) is None


def test_the_held_list_shows_the_cycle_s_points_and_whether_it_expires_soon(app_ctx):
    mentee = make_user("mentee", credentials=["ascp_sh"])
    credentials.record_credential(mentee, _credential("ascp_mls", earned_on=date(2024, 5, 1)), on=ON)
    credentials.record_credential(mentee, CredentialInput("licence", "ca", expires_on=ON - timedelta(days=1),
                                                          licence_number=" CLS 12345 "), on=ON)
    held, licences = credentials.held(mentee, on=ON)
    assert [(h.code, h.record is not None) for h in held] == [("ascp_mls", True), ("ascp_sh", False)]
    mls = held[0]
    assert mls.maintenance == (3, 36) and mls.needs_safety and mls.state == "expires_soon"  # 1 May 2027
    assert held[1].maintenance == (3, 36) and not held[1].needs_safety and held[1].state == ""  # no dates yet
    assert [(l.code, l.record.licence_number, l.state) for l in licences] == [("ca", "CLS 12345", "expired")]


# --- one source of truth: the profile's credential tags ---------------------------------------------

def test_recording_a_credential_ticks_it_on_the_profile_and_removing_it_unticks_it(app_ctx):
    mentee = make_user("mentee", credentials=["ascp_mlt"])
    row = credentials.record_credential(mentee, _credential("ascp_mls", earned_on=date(2026, 1, 5)), on=ON)
    assert _held(mentee) == ["ascp_mls", "ascp_mlt"]
    credentials.record_credential(mentee, _credential("ascp_mls", earned_on=date(2026, 1, 6)), on=ON)  # an update
    assert _held(mentee) == ["ascp_mls", "ascp_mlt"] and len(_records(mentee)) == 1
    credentials.remove_record(mentee, row)
    assert _held(mentee) == ["ascp_mlt"] and _records(mentee) == {}


def test_a_licence_is_not_a_credential_tag(app_ctx):
    mentee = make_user("mentee", credentials=["ascp_mlt"])
    row = credentials.record_credential(mentee, CredentialInput("licence", "ny", expires_on=date(2028, 9, 1)), on=ON)
    assert _held(mentee) == ["ascp_mlt"]
    credentials.remove_record(mentee, row)
    assert _held(mentee) == ["ascp_mlt"] and _records(mentee) == {}


def test_unticking_a_credential_on_the_profile_form_deletes_its_dates_and_nothing_else(app_ctx):
    from mentormatch.services.profiles import save_profile

    mentee = make_user("mentee", credentials=["ascp_mlt"])
    credentials.record_credential(mentee, _credential("ascp_mlt", earned_on=date(2025, 1, 5)), on=ON)
    credentials.record_credential(mentee, _credential("ascp_sh", earned_on=date(2025, 2, 5)), on=ON)
    credentials.record_credential(mentee, CredentialInput("licence", "fl", expires_on=date(2028, 9, 1)), on=ON)
    save_profile(mentee, profile_input("mentee", credentials=["ascp_sh"]))
    assert set(_records(mentee)) == {("credential", "ascp_sh"), ("licence", "fl")}
    assert _held(mentee) == ["ascp_sh"]


def test_someone_else_s_record_is_not_found_and_cannot_be_removed(app_ctx):
    mine, theirs = make_user("mentee"), make_user("mentee")
    row = credentials.record_credential(theirs, CredentialInput("licence", "ca", expires_on=date(2028, 1, 1)), on=ON)
    assert credentials.record_of(mine, row.id) is None and credentials.record_of(theirs, row.id) is not None
    with pytest.raises(CredentialError):
        credentials.remove_record(mine, row)
    assert ("licence", "ca") in _records(theirs)


# --- exam plans -----------------------------------------------------------------------------------

def _plan(mentee, credential="ascp_sbb", **fields) -> ExamPlan:
    return exam_plans.save_plan(mentee, membership(mentee), ExamPlanInput(credential, **fields), on=ON)


def test_planning_an_exam_makes_the_credential_one_the_mentee_seeks(app_ctx):
    mentee = make_user("mentee", credentials_sought=["ascp_mls"])
    plan = _plan(mentee, "ascp_sbb", category="Specialist in Blood Banking (SBB)",
                 eligibility_route="Route 2", planned_on=date(2027, 9, 1))
    db.session.expire(membership(mentee))
    assert membership(mentee).codes(TagKind.CREDENTIAL_SOUGHT) == ["ascp_mls", "ascp_sbb"]
    assert (plan.category, plan.eligibility_route, plan.planned_on, plan.result, plan.reached_on) == (
        "Specialist in Blood Banking (SBB)", "Route 2", date(2027, 9, 1), "planned", None)
    _plan(mentee, "ascp_sbb", planned_on=date(2027, 10, 1))  # the same plan, changed
    assert db.session.scalar(db.select(db.func.count()).select_from(ExamPlan)) == 1


@pytest.mark.parametrize("fields, says", [
    ({"result": "planned", "result_on": ON}, "until you have a result"),
    ({"result": "not_passed", "result_on": ON + timedelta(days=1)}, "cannot be in the future"),
    ({"result": "cheated"}, "from the list"),
    ({"planned_on": date(2300, 1, 1)}, "planned exam date"),
])
def test_an_exam_plan_s_impossible_values_are_refused(app_ctx, fields, says):
    mentee = make_user("mentee")
    with pytest.raises(ExamPlanError, match=says):
        _plan(mentee, **fields)
    assert db.session.scalar(db.select(db.func.count()).select_from(ExamPlan)) == 0


def test_no_plan_for_a_credential_already_held_nor_for_a_mentor(app_ctx):
    mentee, mentor = make_user("mentee", credentials=["ascp_sbb"]), make_user("mentor")
    with pytest.raises(ExamPlanError, match="already hold"):
        _plan(mentee, "ascp_sbb")
    with pytest.raises(ExamPlanError, match="for mentees"):
        _plan(mentor, "ascp_sbb")


def test_recording_the_credential_closes_the_open_plan_and_removing_it_opens_it_again(app_ctx):
    mentee = make_user("mentee", credentials=["ascp_mlt"])
    plan = _plan(mentee, "ascp_mls", planned_on=date(2027, 2, 1))
    row = credentials.record_credential(mentee, _credential("ascp_mls", earned_on=date(2027, 2, 20)), on=ON)
    db.session.refresh(plan)
    assert (plan.reached_on, plan.result, plan.result_on) == (ON, "passed", date(2027, 2, 20))
    credentials.remove_record(mentee, row)
    db.session.refresh(plan)
    assert plan.reached_on is None


def test_ticking_the_credential_on_the_profile_form_closes_the_plan_too(app_ctx):
    from mentormatch.services.profiles import save_profile

    mentee = make_user("mentee", credentials=["ascp_mlt"])
    plan = _plan(mentee, "ascp_sbb", result="not_passed", result_on=date(2026, 12, 1))
    save_profile(mentee, profile_input("mentee", credentials=["ascp_mlt", "ascp_sbb"]))
    db.session.refresh(plan)
    assert plan.reached_on == today() and plan.result == "not_passed"  # a result given stays as given


def test_a_passed_result_records_the_credential_as_earned_on_the_result_date(app_ctx):
    mentee = make_user("mentee", credentials=["ascp_mlt"])
    plan = _plan(mentee, "ascp_mls", result="passed", result_on=date(2027, 3, 1))
    assert _held(mentee) == ["ascp_mls", "ascp_mlt"]
    assert _records(mentee)[("credential", "ascp_mls")] == (date(2027, 3, 1), date(2030, 3, 1), "")
    db.session.refresh(plan)
    assert plan.reached_on == ON


# --- account deletion ------------------------------------------------------------------------------

def test_deleting_the_account_erases_its_records_and_exam_plans(app_ctx):
    mentee = make_user("mentee")
    credentials.record_credential(mentee, CredentialInput("licence", "ca", expires_on=date(2028, 1, 1)), on=ON)
    credentials.record_credential(mentee, _credential("ascp_sh", earned_on=date(2026, 1, 1)), on=ON)
    _plan(mentee, "ascp_sbb")
    other = make_user("mentee")
    credentials.record_credential(other, _credential("ascp_sh", earned_on=date(2026, 1, 1)), on=ON)
    # A match in the program keeps the membership (as "left"): its plan must go all the same.
    from mentormatch.models import Match, MatchOrigin, MatchStatus
    db.session.add(Match(program_id=default_program().id, mentee_id=mentee.id, mentor_id=make_user("mentor").id,
                         origin=MatchOrigin.REQUEST, status=MatchStatus.DECLINED))
    db.session.commit()
    assert delete_account(mentee, PASSWORD)
    assert _records(mentee) == {} and db.session.scalar(db.select(db.func.count()).select_from(ExamPlan)) == 0
    assert membership(mentee).status == MembershipStatus.LEFT
    assert len(_records(other)) == 1


# --- the coordinator's figures ---------------------------------------------------------------------

def test_the_dashboard_counts_credentials_earned_during_the_program_goals_reached_and_expiries(app_ctx):
    program, other_program = default_program(), make_program("Another track")
    now = today()
    earner, planner = make_user("mentee", credentials=[]), make_user("mentee", credentials=[])
    joined = membership(earner).created_at.date()
    credentials.record_credential(earner, _credential("ascp_sbb", earned_on=now))  # during the program
    credentials.record_credential(earner, _credential("ascp_sh", earned_on=joined - timedelta(days=400)))  # before
    credentials.record_credential(earner, CredentialInput("licence", "ca", expires_on=now + timedelta(days=30)))
    credentials.record_credential(earner, CredentialInput("licence", "ny", expires_on=now + timedelta(days=91)))
    exam_plans.save_plan(planner, membership(planner), ExamPlanInput("ascp_mls"))
    exam_plans.save_plan(planner, membership(planner), ExamPlanInput("ascp_sm"))
    credentials.record_credential(planner, _credential("ascp_mls", earned_on=now))  # reaches one goal
    leaver = make_user("mentee", credentials=[])
    credentials.record_credential(leaver, _credential("ascp_sc", earned_on=now,
                                                      expires_on=now + timedelta(days=10)))
    membership(leaver).status = MembershipStatus.LEFT  # earned while in it: counts; no longer here: no expiry shown
    outsider = make_user("mentee", program=other_program, credentials=[])
    credentials.record_credential(outsider, _credential("ascp_sbb", earned_on=now,
                                                        expires_on=now + timedelta(days=5)))
    db.session.commit()

    figures = outcomes.outcomes(program)
    assert figures == outcomes.Outcomes(earned=3, goals_reached=1, goals=2, expiring=1)
    earned = outcomes.earned_during(program, 1, 25)
    assert sorted((row.user.id, row.record.code) for row in earned.items) == sorted(
        [(earner.id, "ascp_sbb"), (planner.id, "ascp_mls"), (leaver.id, "ascp_sc")])
    expiring = outcomes.expiring_soon(program, 1, 25)
    assert [(row.user.id, row.name) for row in expiring.items] == [(earner.id, "State licence: California")]
    assert outcomes.outcomes(other_program) == outcomes.Outcomes(earned=1, goals_reached=0, goals=0, expiring=1)


def test_upcoming_expiries_are_sorted_by_date_and_paginated(app_ctx):
    now = today()
    people = [make_user("mentee", credentials=[]) for _ in range(3)]
    for n, user in enumerate(people):
        credentials.record_credential(user, CredentialInput("licence", "ca", expires_on=now + timedelta(days=60 - n)))
    first, second = outcomes.expiring_soon(default_program(), 1, 2), outcomes.expiring_soon(default_program(), 2, 2)
    assert (first.total, first.pages) == (3, 2)
    assert [r.user.id for r in first.items + second.items] == [people[2].id, people[1].id, people[0].id]
