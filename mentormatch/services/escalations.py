"""Escalations to coordinators: what in a program needs a person, why, and the action we suggest.

Three kinds, each with its program's threshold in days (``Program.escalate_*_days``):

    quiet_pair          an active pair with confirmed terms and no meeting logged for N days (21),
                        counted from the later of the last meeting and the agreed start (the
                        cadence rule's base date, services.agreements.cadence)
    unanswered_mentor   a mentor with a mentee's request or a round proposal waiting for their
                        answer for N days (7)
    unmatched_mentee    an active mentee with no open or active match N days (30) after enrolling

Each escalation carries its key (program, kind, subject, period): the subject is what it is about
("agreement:5", "user:9"), the period which occasion (the base date of a quiet streak, the day the
oldest unanswered request came, the membership), so a new streak escalates again and the same one
never twice. ``raise_due`` also resolves, by itself, the open ones whose condition no longer holds
(the pair met, the mentor answered, the mentee was matched), so the queue stays true; one a
coordinator marked resolved stays resolved for that occasion. ``send_weekly_digests`` emails each
program's coordinators what is open, once per ISO week, in their daytime.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import func, or_
from sqlalchemy.orm import selectinload

from mentormatch import clock, zones
from mentormatch.domain import FREQUENCY_DAYS
from mentormatch.extensions import db
from mentormatch.plain_text import count_of
from mentormatch.mail import Email
from mentormatch.models import (
    Escalation, Match, MatchStatus, Membership, MembershipStatus, Program, ProgramCoordinator, ProgramRole, User,
)
from mentormatch.services import outbox
from mentormatch.services.bulk import insert_once
from mentormatch.services.console import audit
from mentormatch.services.console.stats import pair_cadences, unmatched_mentee_ids
from mentormatch.services.paging import Page, bounds
from mentormatch.services.transactions import transaction

QUIET, UNANSWERED, UNMATCHED = "quiet_pair", "unanswered_mentor", "unmatched_mentee"
KINDS: tuple[tuple[str, str], ...] = (
    (QUIET, "Pairs not meeting"), (UNANSWERED, "Requests left unanswered"), (UNMATCHED, "Mentees without a mentor"))
KIND_LABELS = dict(KINDS)
KEY = ["program_id", "kind", "subject", "period"]
# The statuses in which a pending match waits for the mentor's answer (Match.awaits).
WAITING_FOR_MENTOR = (MatchStatus.PROPOSED, MatchStatus.ACCEPTED_BY_MENTEE)
# Settings: the program's column and the allowed range of days (the table's CHECK constraints).
SETTINGS = {"quiet_days": ("escalate_quiet_days", 1, 365), "unanswered_days": ("escalate_unanswered_days", 1, 90),
            "unmatched_days": ("escalate_unmatched_days", 1, 365)}
DIGEST_LINES = 20
PAGE_PATH = "/coordinator/escalations"


class EscalationError(ValueError):
    """The escalation cannot be acted on; the message says why."""


class EscalationNotFound(EscalationError):
    """No escalation with that id in this program (another program's is not found either)."""


class AlreadyResolved(EscalationError):
    """Someone (a coordinator, or the scheduler once its condition passed) resolved it already."""


class SettingsError(ValueError):
    """Some thresholds are out of range; ``errors`` maps each field name to its message."""

    def __init__(self, errors: dict[str, str]) -> None:
        super().__init__("; ".join(errors.values()))
        self.errors = errors


@dataclass(frozen=True)
class Due:
    """An escalation that is due now, before it is written."""

    kind: str
    subject: str
    period: str
    reason: str
    action: str
    path: str

    @property
    def key(self) -> tuple[str, str, str]:
        return self.kind, self.subject, self.period


def _day(moment: date) -> str:
    return zones.written(moment, zones.UTC, "date")


# --- what is due --------------------------------------------------------------------------------

def _names(user_ids: set[int]) -> dict[int, str]:
    if not user_ids:
        return {}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(user_ids))).all())


def quiet_pairs(program: Program, now: datetime) -> list[Due]:
    """Active pairs of ``program`` with no meeting for its ``escalate_quiet_days`` (two queries)."""
    on = now.date()
    pairs, _ = pair_cadences(program, on)  # active matches whose agreement has confirmed terms
    quiet = []
    for pair in pairs:
        # The cadence rule's base date: the later of the agreed start and the last meeting.
        base = pair.cadence.due - timedelta(days=FREQUENCY_DAYS[pair.frequency])
        if (on - base).days >= program.escalate_quiet_days:
            quiet.append((pair, base))
    names = _names({p.mentee_id for p, _ in quiet} | {p.mentor_id for p, _ in quiet})
    found = []
    for pair, base in quiet:
        last = pair.cadence.last_meeting
        met_last = last is not None and last >= base
        since = f"last on {_day(last)}" if met_last else f"none since their agreed start on {_day(base)}"
        found.append(Due(
            QUIET, f"agreement:{pair.agreement_id}", last.isoformat() if met_last else f"start:{base.isoformat()}",
            f"{names.get(pair.mentee_id, 'The mentee')} and {names.get(pair.mentor_id, 'their mentor')} have logged "
            f"no meeting for {count_of((on - base).days, 'day')} ({since}).",
            "Nudge the pair or check in with them", f"/coordinator/people/{pair.mentee_id}"))
    return found


def unanswered_mentors(program: Program, now: datetime) -> list[Due]:
    """Mentors of ``program`` with requests or proposals unanswered for its ``escalate_unanswered_days`` (one query)."""
    days = program.escalate_unanswered_days
    rows = db.session.execute(
        db.select(Match.mentor_id, User.name, func.count(), func.min(Match.created_at))
        .join(User, User.id == Match.mentor_id)
        .where(Match.program_id == program.id, Match.status.in_(WAITING_FOR_MENTOR),
               Match.created_at <= now - timedelta(days=days))
        .group_by(Match.mentor_id, User.name)).all()
    found = []
    for mentor_id, name, count, oldest in rows:
        oldest = zones.as_utc(oldest)
        age = count_of((now - oldest).days, 'day')
        what = ("a request or proposal" if count == 1 else f"{count} requests or proposals")
        found.append(Due(
            UNANSWERED, f"user:{mentor_id}", oldest.date().isoformat(),
            f"{name} has left {what} unanswered; the oldest has waited {age} (since {_day(oldest.date())}).",
            "Remind the mentor or offer the mentee another mentor", f"/coordinator/queues/waiting?days={days}"))
    return found


def unmatched_mentees(program: Program, now: datetime) -> list[Due]:
    """Active mentees of ``program`` still without a match ``escalate_unmatched_days`` after enrolling (one query)."""
    rows = db.session.execute(
        db.select(Membership.id, Membership.user_id, Membership.created_at, User.name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.program_id == program.id, Membership.role == ProgramRole.MENTEE,
               Membership.status == MembershipStatus.ACTIVE,
               Membership.created_at <= now - timedelta(days=program.escalate_unmatched_days),
               Membership.user_id.in_(unmatched_mentee_ids(program)))).all()
    found = []
    for membership_id, user_id, enrolled, name in rows:
        enrolled = zones.as_utc(enrolled)
        found.append(Due(
            UNMATCHED, f"user:{user_id}", f"membership:{membership_id}",
            f"{name} has had no mentor for {count_of((now - enrolled).days, 'day')} since enrolling on "
            f"{_day(enrolled.date())}.",
            "Pair by hand or include in the next round", f"/coordinator/pairs/new?mentee_id={user_id}"))
    return found


def due_in(program: Program, now: datetime) -> list[Due]:
    """Every escalation due in ``program`` at ``now`` (written or not)."""
    return [*quiet_pairs(program, now), *unanswered_mentors(program, now), *unmatched_mentees(program, now)]


# --- raising and resolving them -----------------------------------------------------------------

def _raise_in(program: Program, now: datetime) -> int:
    """Write ``program``'s new escalations and resolve its stale ones; how many were written."""
    due = due_in(program, now)
    subjects = sorted({d.subject for d in due})
    known = db.session.execute(
        db.select(Escalation.id, Escalation.kind, Escalation.subject, Escalation.period, Escalation.resolved_at)
        .where(Escalation.program_id == program.id,
               or_(Escalation.resolved_at.is_(None), Escalation.subject.in_(subjects)) if subjects
               else Escalation.resolved_at.is_(None))).all()
    present = {(kind, subject, period) for _, kind, subject, period, _ in known}
    raised = 0
    for item in due:
        if item.key in present:  # open already, or resolved for this occasion: nothing new
            continue
        raised += insert_once(Escalation.__table__, {
            "program_id": program.id, "kind": item.kind, "subject": item.subject, "period": item.period,
            "reason": item.reason, "action": item.action, "path": item.path, "created_at": now,
            "resolved_at": None, "resolved_by_id": None}, KEY)
    wanted = {item.key for item in due}
    stale = [row_id for row_id, kind, subject, period, resolved_at in known
             if resolved_at is None and (kind, subject, period) not in wanted]
    if stale:
        db.session.execute(db.update(Escalation).where(Escalation.id.in_(stale), Escalation.resolved_at.is_(None))
                           .values(resolved_at=now, resolved_by_id=None)
                           .execution_options(synchronize_session=False))
    return raised


def raise_due(now: datetime) -> int:
    """Raise every program's escalations due at ``now`` and resolve those no longer due; how many were new.

    A fixed number of queries per program, plus one insert per new escalation; each program commits alone.
    """
    raised = 0
    for program_id in db.session.scalars(db.select(Program.id).order_by(Program.id)).all():
        with transaction():
            program = db.session.get(Program, program_id)
            if program is not None:
                raised += _raise_in(program, now)
    return raised


# --- the weekly digest --------------------------------------------------------------------------

def _open(program_id: int):
    return (Escalation.program_id == program_id, Escalation.resolved_at.is_(None))


def _digest(program: Program, user: User, counts: dict[str, int], lines: list[Escalation]) -> Email:
    total = sum(counts.values())
    link = current_app.config["BASE_URL"].rstrip("/") + PAGE_PATH
    body = [f"Hello {user.name},", "",
            f"{total} thing{'s' if total != 1 else ''} in {program.name} need{'s' if total == 1 else ''} "
            "a coordinator:", ""]
    body += [f"  {KIND_LABELS[kind]}: {counts[kind]}" for kind, _ in KINDS if counts.get(kind)]
    body.append("")
    for item in lines:
        body += [f"- {item.reason}", f"  Suggested: {item.action}."]
    if total > len(lines):
        body.append(f"... and {total - len(lines)} more.")
    body += ["", f"See them all and mark them resolved: {link}",
             f"(The page shows the program chosen in the switcher at the top: choose {program.name} there "
             "if it shows another.)", "",
             "Escalations resolve themselves once the pair meets, the mentor answers or the mentee is matched. "
             "The number of days before each is raised is set on the same page."]
    return Email(user.email, f"{program.name}: {total} escalation{'s' if total != 1 else ''} this week",
                 "\n".join(body))


def _digests_of(program: Program, now: datetime) -> int:
    counts = dict(db.session.execute(db.select(Escalation.kind, func.count()).where(*_open(program.id))
                                     .group_by(Escalation.kind)).all())
    if not counts:
        return 0
    lines = list(db.session.scalars(db.select(Escalation).where(*_open(program.id))
                                    .order_by(Escalation.created_at, Escalation.id).limit(DIGEST_LINES)))
    coordinators = db.session.scalars(
        db.select(User).join(ProgramCoordinator, ProgramCoordinator.user_id == User.id)
        .where(ProgramCoordinator.program_id == program.id, User.active.is_(True), User.deleted_at.is_(None))
        .options(selectinload(User.profile)).order_by(User.id)).all()
    sent = 0
    for user in coordinators:
        zone = zones.zone_of(user)
        if not zones.is_daytime(now, zone):
            continue  # never at night for them: a later run this week sends it
        year, week, _ = zones.in_zone(now, zone).isocalendar()
        sent += outbox.queue_email_once(_digest(program, user, counts, lines),
                                        f"escalations:{program.id}:{user.id}:{year}-W{week:02d}")
    return sent


def send_weekly_digests(now: datetime) -> int:
    """Email each program's coordinators its open escalations, once per ISO week of theirs, in their daytime.

    The first run of a coordinator's week (Monday, or later if the scheduler missed it) that finds something
    open and falls between 08:00 and 20:00 where they are sends it; nothing is sent when nothing is open.
    """
    sent = 0
    for program_id in db.session.scalars(db.select(Escalation.program_id).where(Escalation.resolved_at.is_(None))
                                         .distinct().order_by(Escalation.program_id)).all():
        with transaction():
            program = db.session.get(Program, program_id)
            if program is not None:
                sent += _digests_of(program, now)
    return sent


# --- the coordinators' page ---------------------------------------------------------------------

def open_escalations(program: Program, page: int, per_page: int, kind: str = "") -> Page:
    """One page of ``program``'s open escalations, oldest first, of one kind or all (two queries)."""
    conditions = [*_open(program.id)]
    if kind in KIND_LABELS:
        conditions.append(Escalation.kind == kind)
    else:
        kind = ""
    total = db.session.scalar(db.select(func.count()).select_from(Escalation).where(*conditions))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(db.select(Escalation).where(*conditions)
                               .order_by(Escalation.created_at, Escalation.id)
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total, {"kind": kind} if kind else {})


def open_counts(program: Program) -> dict[str, int]:
    """How many escalations of each kind are open in ``program`` (one query)."""
    return dict(db.session.execute(db.select(Escalation.kind, func.count()).where(*_open(program.id))
                                   .group_by(Escalation.kind)).all())


def get_escalation(program: Program, escalation_id: int) -> Escalation | None:
    """The escalation ``escalation_id`` if it belongs to ``program`` (None otherwise)."""
    found = db.session.get(Escalation, escalation_id)
    return found if found is not None and found.program_id == program.id else None


def resolve(program: Program, escalation_id: int, coordinator: User) -> Escalation:
    """Mark an open escalation of ``program`` resolved by ``coordinator``; the same occasion is not raised again."""
    if get_escalation(program, escalation_id) is None:
        raise EscalationNotFound("There is no such escalation in this program.")
    with transaction():
        # One UPDATE guarded by "still open": of two coordinators resolving at once, one wins, the other is told.
        done = db.session.execute(
            db.update(Escalation).where(Escalation.id == escalation_id, Escalation.program_id == program.id,
                                        Escalation.resolved_at.is_(None))
            .values(resolved_at=clock.now(), resolved_by_id=coordinator.id)
            .execution_options(synchronize_session=False)).rowcount
        if done != 1:
            raise AlreadyResolved("This escalation was resolved already.")
    escalation = db.session.get(Escalation, escalation_id)
    db.session.refresh(escalation)
    return escalation


def settings_of(program: Program) -> dict[str, int]:
    """The program's thresholds, by the names ``update_settings`` takes."""
    return {name: getattr(program, column) for name, (column, _, _) in SETTINGS.items()}


def update_settings(program: Program, quiet_days: int, unanswered_days: int, unmatched_days: int,
                    coordinator: User) -> Program:
    """Change after how many days each kind is raised (audited); ``SettingsError`` when one is out of range.

    The next run of ``raise_due`` applies them: raising what the new thresholds make due, resolving what they
    no longer do.
    """
    wanted = {"quiet_days": quiet_days, "unanswered_days": unanswered_days, "unmatched_days": unmatched_days}
    errors = {}
    for name, value in wanted.items():
        _, low, high = SETTINGS[name]
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            errors[name] = f"Enter a whole number of days from {low} to {high}."
    if errors:
        raise SettingsError(errors)
    before = settings_of(program)
    if before == wanted:
        return program
    with transaction():
        for name, value in wanted.items():
            setattr(program, SETTINGS[name][0], value)
        audit.record(coordinator, "program_changed",
                     f"Escalation thresholds of {program.name}: quiet pairs after {quiet_days} days, unanswered "
                     f"requests after {unanswered_days}, unmatched mentees after {unmatched_days}",
                     target=program, program=program, before=before, after=wanted)
    return program
