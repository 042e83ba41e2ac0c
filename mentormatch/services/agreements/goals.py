"""Goals: either party adds one or updates its status; the change is immediate.

Goals are not versioned like the terms: they are the pair's working list,
so each row records who last changed it and when, and the date a goal was
achieved (the activity record lists achieved goals).
"""

from __future__ import annotations

from datetime import date

from mentormatch.extensions import db
from mentormatch.models import Agreement, AgreementGoal, GoalStatus, User
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import AgreementError, require_open, require_party, today
from mentormatch.services.agreements.terms import add_months
from mentormatch.services.transactions import lock, transaction

MAX_GOALS = 20
MAX_DESCRIPTION = 300
GOAL_STATUSES = (
    (GoalStatus.NOT_STARTED.value, "Not started"),
    (GoalStatus.IN_PROGRESS.value, "In progress"),
    (GoalStatus.ACHIEVED.value, "Achieved"),
    (GoalStatus.DROPPED.value, "Dropped"),
)


def add_goal(agreement: Agreement, user: User, description: str, target_date: date | None,
             on: date | None = None, submission_key: str | None = None) -> AgreementGoal:
    """Add a goal to the pair's list; a second submission of one form (same ``submission_key``) adds nothing."""
    require_party(agreement, user)
    require_open(agreement)
    description = description.strip()
    on = on or today()
    if not description or len(description) > MAX_DESCRIPTION:
        raise AgreementError(f"Describe the goal in 1 to {MAX_DESCRIPTION} characters.")
    if target_date is not None and not on <= target_date <= add_months(on, 36):
        raise AgreementError("A target date must be between today and three years from now.")
    with transaction():
        lock(agreement)  # the goal count and the key are read after any goal added at the same moment
        if submission_key and (added := db.session.scalar(db.select(AgreementGoal).where(
                AgreementGoal.agreement_id == agreement.id, AgreementGoal.submission_key == submission_key))):
            return added
        if len(agreement.goals) >= MAX_GOALS:
            raise AgreementError(f"An agreement can hold at most {MAX_GOALS} goals.")
        goal = AgreementGoal(description=description, target_date=target_date, created_by_id=user.id,
                             updated_by_id=user.id, status=GoalStatus.NOT_STARTED,
                             submission_key=submission_key or None)
        agreement.goals.append(goal)
    return goal


def set_goal_status(agreement: Agreement, user: User, goal_id: int, status: str,
                    on: date | None = None) -> AgreementGoal:
    """Move one of the agreement's goals to ``status``."""
    require_party(agreement, user)
    require_open(agreement)
    goal = db.session.get(AgreementGoal, goal_id)
    if goal is None or goal.agreement_id != agreement.id:
        raise AgreementError("That goal is not part of this agreement.")
    if status not in {code for code, _ in GOAL_STATUSES}:
        raise AgreementError("Choose a status for the goal.")
    with transaction():
        goal.status = status
        goal.achieved_on = (on or today()) if status == GoalStatus.ACHIEVED else None
        goal.updated_by_id = user.id
        goal.updated_at = utcnow()
    return goal
