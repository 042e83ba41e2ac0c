"""CSV exports, streamed: rows are read in batches (``yield_per``) and written line by line.

Each export is a generator of CSV text chunks; the view wraps it in a
streamed response, so 10,000 rows never sit in memory at once. Writing the
audit entry happens before the first row is produced. Every export holds one
program's rows only: its matches, their agreements and meetings, its unmatched mentees.
"""

from __future__ import annotations

import csv
import io
from typing import Iterable, Iterator

from sqlalchemy.orm import aliased

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementVersion, Match, Meeting, Profile, ProfileTag, Program, TagKind, User, VersionStatus,
)
from mentormatch.services.console import audit
from mentormatch.services.console.stats import unmatched_mentee_ids
from mentormatch.services.transactions import transaction

BATCH = 500

PAIRINGS = ("match_id", "mentee_name", "mentee_email", "mentor_name", "mentor_email", "status", "origin",
            "round_id", "score", "created_at", "decided_at", "decline_reason")
MEETINGS = ("agreement_id", "match_id", "mentee_email", "mentor_email", "agreement_status", "frequency",
            "start_date", "end_date", "meeting_id", "held_on", "duration_minutes", "mode")
UNMATCHED = ("user_id", "name", "email", "joined", "specialties")
EXPORTS = {"pairings": "Pairings with scores and status", "meetings": "Agreements and their meetings",
           "unmatched": "Unmatched mentees"}


def _csv(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else _safe(v) for v in row])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _safe(value):
    """Neutralise spreadsheet formulas in text cells (=, +, -, @ at the start)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


def _pairings(program: Program) -> Iterator[tuple]:
    mentee, mentor = aliased(User), aliased(User)
    query = (db.select(Match.id, mentee.name, mentee.email, mentor.name, mentor.email, Match.status, Match.origin,
                       Match.round_id, Match.score, Match.created_at, Match.decided_at, Match.decline_reason)
             .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
             .where(Match.program_id == program.id).order_by(Match.id).execution_options(yield_per=BATCH))
    yield from db.session.execute(query)


def _meetings(program: Program) -> Iterator[tuple]:
    mentee, mentor = aliased(User), aliased(User)
    terms = aliased(AgreementVersion)
    latest = (db.select(AgreementVersion.agreement_id, db.func.max(AgreementVersion.number).label("number"))
              .where(AgreementVersion.status == VersionStatus.CONFIRMED)
              .group_by(AgreementVersion.agreement_id).subquery())
    query = (db.select(Agreement.id, Match.id, mentee.email, mentor.email, Agreement.status, terms.frequency,
                       terms.start_date, terms.end_date, Meeting.id, Meeting.held_on, Meeting.duration_minutes,
                       Meeting.mode)
             .join(Match, Match.id == Agreement.match_id)
             .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
             .outerjoin(latest, latest.c.agreement_id == Agreement.id)
             .outerjoin(terms, (terms.agreement_id == Agreement.id) & (terms.number == latest.c.number))
             .outerjoin(Meeting, Meeting.agreement_id == Agreement.id)
             .where(Match.program_id == program.id)
             .order_by(Agreement.id, Meeting.held_on, Meeting.id).execution_options(yield_per=BATCH))
    yield from db.session.execute(query)


def _unmatched(program: Program) -> Iterator[tuple]:
    query = (db.select(User.id, User.name, User.email, User.created_at, Profile.id)
             .outerjoin(Profile, Profile.user_id == User.id).where(User.id.in_(unmatched_mentee_ids(program)))
             .order_by(User.id).execution_options(yield_per=BATCH))
    specialties: dict[int, list[str]] = {}
    for profile_id, code in db.session.execute(
            db.select(ProfileTag.profile_id, ProfileTag.code).join(Profile)
            .where(ProfileTag.kind == TagKind.SPECIALTY, Profile.user_id.in_(unmatched_mentee_ids(program)))
            .execution_options(yield_per=BATCH)):
        specialties.setdefault(profile_id, []).append(code)  # short codes: small even for 10,000 people
    for user_id, name, email, joined, profile_id in db.session.execute(query):
        yield user_id, name, email, joined.date().isoformat(), ";".join(sorted(specialties.get(profile_id, [])))


SOURCES = {"pairings": (PAIRINGS, _pairings), "meetings": (MEETINGS, _meetings), "unmatched": (UNMATCHED, _unmatched)}


def rows(program: Program, kind: str) -> Iterator[tuple]:
    """The rows of export ``kind`` for ``program``, read in batches (no header, no audit entry)."""
    if kind not in SOURCES:
        raise KeyError(kind)
    return SOURCES[kind][1](program)


def export_csv(program: Program, kind: str, coordinator: User) -> Iterator[str]:
    """Record the export in ``program``'s audit log, then return its CSV as a generator of text chunks."""
    if kind not in SOURCES:
        raise KeyError(kind)
    with transaction():
        audit.record(coordinator, "exported", f"Downloaded the {EXPORTS[kind].lower()} export of {program.name}",
                     program=program, after={"export": kind})
    return _csv(SOURCES[kind][0], rows(program, kind))
