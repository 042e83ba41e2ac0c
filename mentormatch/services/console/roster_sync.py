"""Full-roster sync: a roster file that is the whole program; whoever is in the program but not in it leaves.

Leaving is what a coordinator's "End the membership" does (people.end_membership):
the membership becomes "left", pending matches there are withdrawn (the other
side is told, a mentor's places are free) and the person's account, history
and other programs are untouched; no account is deactivated. Never touched:
the program's coordinators, site administrators, deleted accounts and people
who left already. Someone in an active pair there cannot leave until the pair
ends (as on the person's page): the plan lists them as staying.

Nothing is applied without a confirmation of the plan shown: ``plan_sync``
writes nothing and names the plan by a digest (of the file, the program and
who leaves or stays); ``sync_roster`` works the plan out again inside its
transaction and refuses (``StaleSync``, with the new plan) when the digest
differs, so nobody leaves who was not shown. A file that names nobody in the
program is refused, and one that takes more than ``GUARD_SHARE`` of the
program's people out needs a second, explicit confirmation.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import func, or_

from mentormatch.extensions import db
from mentormatch.models import PENDING, Match, Membership, MembershipStatus, Program, ProgramCoordinator, User
from mentormatch.models.user import utcnow
from mentormatch.services.console import audit, people
from mentormatch.services.console.roster import BATCH, ImportResult, RosterCheck, import_roster
from mentormatch.services.transactions import transaction

GUARD_SHARE = 0.5  # more of the program than this leaving needs a second confirmation: a wrong file, likely
STAYING = (MembershipStatus.ACTIVE, MembershipStatus.APPLIED, MembershipStatus.PAUSED)


@dataclass(frozen=True)
class Leaver:
    """A member of the program the file leaves out."""

    user_id: int
    membership_id: int
    name: str
    email: str
    role: str
    status: str  # of the membership, before
    pending: int  # pending matches there, withdrawn when they leave


@dataclass(frozen=True)
class SyncPlan:
    """What importing a file as the whole roster of ``program`` would change besides the import itself."""

    program: Program
    leaving: list[Leaver]  # not in the file: they leave the program
    paired: list[Leaver]  # not in the file, but in an active pair there: they stay until the pair ends
    members: int  # the program's people a sync may take out (coordinators and those who left aside)
    digest: str  # names this plan: the confirmation carries it
    problem: str = ""  # why the file cannot be the whole roster ("" when it can)

    @property
    def large(self) -> bool:
        """Whether more than ``GUARD_SHARE`` of the program's people would leave (a second confirmation)."""
        return len(self.leaving) > GUARD_SHARE * self.members

    def guard_message(self) -> str:
        return (f"This file would take {len(self.leaving)} of the {self.members} people in {self.program.name} "
                f"out of it, more than {GUARD_SHARE:.0%}. If it really is the whole roster, confirm that as well.")


@dataclass(frozen=True)
class SyncResult:
    imported: ImportResult
    left: list[Leaver]
    paired: list[Leaver]  # stayed: in an active pair
    withdrawn: list[int]  # the leavers' pending matches


class SyncRefused(ValueError):
    """The sync was not applied; the message says why and ``plan`` is the plan as it is now."""

    def __init__(self, message: str, plan: SyncPlan) -> None:
        super().__init__(message)
        self.plan = plan


class StaleSync(SyncRefused):
    """The plan confirmed is not the plan now (the program or the file changed): show ``plan`` and ask again."""


def _batches(ids: list[int]) -> list[list[int]]:
    return [ids[start:start + BATCH] for start in range(0, len(ids), BATCH)]


def _pending_counts(program: Program, user_ids: list[int]) -> dict[int, int]:
    """How many of their pending matches in ``program`` leaving would withdraw, per person."""
    counts: dict[int, int] = {}
    now = utcnow()
    for ids in map(set, _batches(user_ids)):
        for mentee_id, mentor_id in db.session.execute(db.select(Match.mentee_id, Match.mentor_id).where(
                Match.program_id == program.id, Match.status.in_(PENDING),
                or_(Match.expires_at.is_(None), Match.expires_at > now),  # as withdraw_pending_of
                or_(Match.mentee_id.in_(ids), Match.mentor_id.in_(ids)))):
            for user_id in {mentee_id, mentor_id} & ids:
                counts[user_id] = counts.get(user_id, 0) + 1
    return counts


def _digest(check: RosterCheck, leaving: list[Leaver], paired: list[Leaver]) -> str:
    named = ["roster-sync/1", check.program.id, check.digest, sorted(p.user_id for p in leaving),
             sorted(p.user_id for p in paired)]
    return hashlib.sha256(json.dumps(named).encode()).hexdigest()


def plan_sync(check: RosterCheck) -> SyncPlan:
    """Who leaves ``check.program`` if the checked file is its whole roster; writes nothing."""
    program = check.program
    if program is None:
        raise ValueError("a full sync needs the program the import is for")
    coordinators = db.select(ProgramCoordinator.user_id).where(ProgramCoordinator.program_id == program.id)
    rows = db.session.execute(
        db.select(Membership.id, Membership.user_id, Membership.role, Membership.status, User.name, User.email)
        .join(User, User.id == Membership.user_id)
        .where(Membership.program_id == program.id, Membership.status.in_(STAYING), User.deleted_at.is_(None),
               User.is_admin.is_(False), Membership.user_id.not_in(coordinators))
        .order_by(func.lower(User.name), User.id)).all()
    missing = [row for row in rows if row.email not in check.listed]
    in_pairs = people.paired_in(program, [row.user_id for row in missing])
    pending = _pending_counts(program, [row.user_id for row in missing if row.user_id not in in_pairs])
    leaving, paired = [], []
    for row in missing:
        (paired if row.user_id in in_pairs else leaving).append(
            Leaver(row.user_id, row.id, row.name, row.email, row.role, row.status, pending.get(row.user_id, 0)))
    problem = "" if check.listed else (f"The file names nobody in {program.name}: as the whole roster it would "
                                       f"empty the program. Nothing was changed.")
    return SyncPlan(program, leaving, paired, len(rows), _digest(check, leaving, paired), problem)


def _lock_members(program: Program) -> None:
    """PostgreSQL: hold the program's memberships until the sync ends, so nobody joins a pair or leaves meanwhile.

    One statement in id order, as ``transactions.begin_locked_for_pair`` locks them; SQLite's block already holds
    the database's write lock. Loaded objects are read afresh afterwards.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        return
    db.session.execute(db.select(Membership.id).where(Membership.program_id == program.id)
                       .order_by(Membership.id).with_for_update(key_share=True))
    db.session.expire_all()


def _loaded(model: type[db.Model], ids: list[int]) -> dict[int, db.Model]:
    found = {}
    for batch in _batches(ids):
        found.update((row.id, row) for row in db.session.scalars(db.select(model).where(model.id.in_(batch))))
    return found


def sync_roster(check: RosterCheck, actor: User | None, digest: str, *, large_confirmed: bool = False,
                invite: bool = True, progress: Callable[[int], None] | None = None) -> SyncResult:
    """Import the file and take everyone the confirmed plan named out of the program, in one transaction.

    ``digest`` is the confirmed plan's; ``actor`` None is the command line. Raises ``StaleSync`` when the plan
    is not that one any more and ``SyncRefused`` for a file that names nobody in the program or, without
    ``large_confirmed``, one that takes more than ``GUARD_SHARE`` of it out; nothing is changed then.
    """
    if not check.ok:
        raise ValueError("the roster has errors; nothing may be imported")
    with transaction():
        _lock_members(check.program)
        plan = plan_sync(check)
        if plan.digest != digest:
            raise StaleSync(f"Nothing was changed: {plan.program.name} or the file is not what the preview "
                            f"showed. Check the list again and confirm it.", plan)
        if plan.problem:
            raise SyncRefused(plan.problem, plan)
        if plan.large and not large_confirmed:
            raise SyncRefused(plan.guard_message(), plan)
        program = plan.program
        imported = import_roster(check, actor, invite=invite, progress=progress)
        users = _loaded(User, [p.user_id for p in plan.leaving])
        memberships = _loaded(Membership, [p.membership_id for p in plan.leaving])
        withdrawn: list[int] = []
        for leaver in plan.leaving:
            user = users[leaver.user_id]
            ended = people.end_membership(program, user, memberships[leaver.membership_id], actor)
            withdrawn += ended
            audit.record(actor, "roster_sync_removed",
                         f"{user.name} ({user.email}) left {program.name}: not in the full roster imported",
                         target=user, program=program, before={"status": leaver.status},
                         after={"status": str(MembershipStatus.LEFT), "withdrawn_matches": ended})
            if progress:
                progress(1)
        audit.record(actor, "roster_synced",
                     f"Full roster sync of {program.name}: {len(plan.leaving)} left, {len(plan.paired)} not in the "
                     f"file stayed for their active pairs",
                     program=program, after={"left": len(plan.leaving), "stayed_paired": len(plan.paired),
                                             "withdrawn_matches": len(withdrawn), "file_sha256": check.digest,
                                             "emails": [p.email for p in plan.leaving][:200]})
    return SyncResult(imported, plan.leaving, plan.paired, withdrawn)
