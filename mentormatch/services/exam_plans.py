"""A mentee's certification goal in a program, made an exam plan: category, eligibility route, date, result.

One plan per credential and membership. Planning an exam for a credential
makes it one of the membership's credentials sought (what matching uses), if
it was not. The plan is *reached* when the credential is held
(``services.credentials``): recording it, ticking it on the profile, or a
result of "passed" here, which records the credential as earned on the
result's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import ExamPlan, Membership, MembershipStatus, TagKind, User
from mentormatch.services import credentials
from mentormatch.services.agreements.access import today
from mentormatch.services.transactions import lock, transaction

RESULTS: domain.Choices = (
    ("planned", "Planned"), ("passed", "Passed"), ("not_passed", "Not passed"), ("withdrawn", "Withdrawn"),
)
PLANNED, PASSED = "planned", "passed"


class ExamPlanError(ValueError):
    """An exam plan rule refused the change; the message is for the person."""


@dataclass
class ExamPlanInput:
    """Validated values of one exam plan, as the form hands them over."""

    credential: str
    category: str = ""
    eligibility_route: str = ""
    planned_on: date | None = None
    result: str = PLANNED
    result_on: date | None = None


@dataclass(frozen=True)
class Goal:
    """A credential a mentee works toward in a program, with its plan if they made one."""

    credential: str
    label: str
    plan: ExamPlan | None
    sought: bool  # among the membership's credentials sought
    held: bool


def plannable(user: User, membership: Membership | None) -> bool:
    """Whether ``membership`` is ``user``'s own mentee membership that takes exam plans (not one they left)."""
    return (membership is not None and membership.user_id == user.id and membership.is_mentee
            and membership.status != MembershipStatus.LEFT)


def plan_for(membership: Membership, credential: str) -> ExamPlan | None:
    return db.session.scalar(db.select(ExamPlan).where(ExamPlan.membership_id == membership.id,
                                                       ExamPlan.credential == credential))


def goals_of(user: User, membership: Membership) -> list[Goal]:
    """Every credential ``membership`` seeks or has a plan for, in the vocabulary's order (two queries)."""
    plans = {p.credential: p for p in db.session.scalars(
        db.select(ExamPlan).where(ExamPlan.membership_id == membership.id))}
    sought = set(membership.codes(TagKind.CREDENTIAL_SOUGHT))
    held = set(user.profile.codes(TagKind.CREDENTIAL)) if user.profile else set()
    return [Goal(code, name, plans.get(code), code in sought, code in held)
            for code, name in domain.CREDENTIALS if code in sought or code in plans]


def check(data: ExamPlanInput, on: date | None = None) -> None:
    """Raise ``ExamPlanError`` unless ``data`` may be saved on day ``on``."""
    on = on or today()
    if data.credential not in domain.codes(domain.CREDENTIALS):
        raise ExamPlanError("Choose the credential from the list.")
    if data.result not in domain.codes(RESULTS):
        raise ExamPlanError("Choose a result from the list.")
    if data.planned_on is not None and not credentials.EARLIEST <= data.planned_on <= credentials.LATEST:
        raise ExamPlanError("Check the planned exam date.")
    if data.result == PLANNED and data.result_on is not None:
        raise ExamPlanError("Leave the result date empty until you have a result.")
    if data.result_on is not None and data.result_on > on:
        raise ExamPlanError("The result date cannot be in the future.")
    if data.result_on is not None and data.result_on < credentials.EARLIEST:
        raise ExamPlanError("Check the result date.")
    if len(data.category.strip()) > 80 or len(data.eligibility_route.strip()) > 120:
        raise ExamPlanError("The category has at most 80 characters and the eligibility route at most 120.")


def save_plan(user: User, membership: Membership, data: ExamPlanInput, on: date | None = None) -> ExamPlan:
    """Create or update ``user``'s exam plan for ``data.credential`` in ``membership``, in one transaction.

    The credential becomes one they seek there if it was not; "passed" records it as
    held (earned on the result's date), which reaches the plan.
    """
    on = on or today()
    if not plannable(user, membership):
        raise ExamPlanError("Exam plans are for mentees of the program.")
    check(data, on)
    with transaction():
        lock(membership)
        plan = plan_for(membership, data.credential)
        held = user.profile is not None and data.credential in user.profile.codes(TagKind.CREDENTIAL)
        if plan is None and held:
            raise ExamPlanError(f"You already hold {domain.label(domain.CREDENTIALS, data.credential)}.")
        if plan is None:
            plan = ExamPlan(membership_id=membership.id, credential=data.credential)
            db.session.add(plan)
        plan.category, plan.eligibility_route = data.category.strip(), data.eligibility_route.strip()
        plan.planned_on, plan.result, plan.result_on = data.planned_on, data.result, data.result_on
        sought = membership.codes(TagKind.CREDENTIAL_SOUGHT)
        if data.credential not in sought:
            membership.replace_codes(TagKind.CREDENTIAL_SOUGHT, [*sought, data.credential])
        db.session.flush()
        if data.result == PASSED and not held and user.profile is not None:
            credentials.record_credential(user, credentials.CredentialInput(
                credentials.CREDENTIAL, data.credential, earned_on=data.result_on or on), on)
    return plan


def remove_plan(user: User, membership: Membership, credential: str) -> bool:
    """Remove ``user``'s plan for ``credential`` in ``membership`` (the credential stays sought); False if none."""
    if not plannable(user, membership):
        return False
    with transaction():
        plan = plan_for(membership, credential)
        if plan is None:
            return False
        db.session.delete(plan)
    return True
