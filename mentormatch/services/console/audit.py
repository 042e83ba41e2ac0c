"""The append-only audit log: every coordinator action, with who, when, what, before and after.

``record`` adds an entry inside the caller's transaction, so the entry is
saved exactly when the action is. There is deliberately no function here
that changes or removes an entry (a test checks this), and on PostgreSQL a
trigger refuses UPDATE and DELETE on the table (migration 0005).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Iterable

from sqlalchemy import func

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Program, User
from mentormatch.services.paging import Page, bounds

ACTIONS: tuple[tuple[str, str], ...] = (
    ("round_published", "Round published"),
    ("round_withdrawn", "Round withdrawn"),
    ("manual_pair", "Pair by hand"),
    ("override", "Override (pair despite warnings)"),
    ("proposal_ended", "Proposal ended"),
    ("reminder_sent", "Reminder sent"),
    ("nudge_sent", "Nudge sent"),
    ("pair_ended", "Pair ended"),
    ("rematch", "Re-match"),
    ("deactivated", "Account deactivated"),
    ("reactivated", "Account reactivated"),
    ("role_changed", "Made coordinator"),  # before programs: coordinators are now appointed per program
    ("flagged", "Profile flagged"),
    ("flag_cleared", "Flag cleared"),
    ("roster_imported", "Roster imported"),
    ("roster_synced", "Full roster sync"),
    ("roster_sync_removed", "Left the program by a full roster sync"),
    ("exported", "Export downloaded"),
    ("program_created", "Program created"),
    ("program_changed", "Program settings changed"),
    ("round_defaults_saved", "Round defaults saved"),
    ("coordinator_appointed", "Coordinator appointed"),
    ("coordinator_removed", "Coordinator removed"),
    ("membership_changed", "Membership changed"),
    ("ce_policy_saved", "CE policy saved"),
    ("ce_certificate_issued", "CE certificate issued"),
)
ACTION_LABELS = dict(ACTIONS)


def record(actor: User | None, action: str, summary: str, *, target: Any = None, program: Any = None,
           before: dict | None = None, after: dict | None = None, actor_name: str | None = None) -> AuditEntry:
    """Add an entry for ``action`` to the current transaction (the caller commits).

    ``program`` (a Program or its id) is the program the action is about: its coordinators see the entry.
    Without an ``actor`` the entry names ``actor_name`` (an identity provider), else the command line.
    """
    if action not in ACTION_LABELS:
        raise ValueError(f"unknown audit action {action!r}")
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=actor.name if actor is not None else (actor_name or "Command line"),
        action=action, summary=summary[:300],
        target_type=type(target).__name__.lower() if target is not None else "",
        target_id=getattr(target, "id", None), before=before or {}, after=after or {},
        program_id=getattr(program, "id", program))
    db.session.add(entry)
    return entry


@dataclass(frozen=True)
class AuditFilter:
    action: str = ""
    actor: str = ""  # part of the actor's name
    since: date | None = None
    until: date | None = None
    target_type: str = ""
    target_id: int | None = None


def _conditions(f: AuditFilter) -> list:
    found = []
    if f.action:
        found.append(AuditEntry.action == f.action)
    if f.actor:
        found.append(func.lower(AuditEntry.actor_name).contains(f.actor.lower(), autoescape=True))
    if f.since:
        found.append(AuditEntry.at >= datetime.combine(f.since, time(), timezone.utc))
    if f.until:
        found.append(AuditEntry.at < datetime.combine(f.until + timedelta(days=1), time(), timezone.utc))
    if f.target_type:
        found.append(AuditEntry.target_type == f.target_type)
    if f.target_id is not None:
        found.append(AuditEntry.target_id == f.target_id)
    return found


def _program_ids(programs: Program | int | Iterable[Program | int]) -> list[int]:
    if isinstance(programs, (Program, int)):
        programs = [programs]
    return [getattr(p, "id", p) for p in programs]


def entries_page(programs: Program | int | Iterable[Program | int], f: AuditFilter, page: int,
                 per_page: int) -> Page:
    """One page of the entries about ``programs`` (one or several), newest first, matching the filter (two queries).

    Entries about no program (site-wide actions) are never among them.
    """
    conditions = [AuditEntry.program_id.in_(_program_ids(programs)), *_conditions(f)]
    total = db.session.scalar(db.select(func.count()).select_from(AuditEntry).where(*conditions))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(db.select(AuditEntry).where(*conditions)
                               .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    shown = {"action": f.action, "actor": f.actor, "since": f.since.isoformat() if f.since else "",
             "until": f.until.isoformat() if f.until else ""}
    return Page(list(items), page, pages, total, {k: v for k, v in shown.items() if v})
