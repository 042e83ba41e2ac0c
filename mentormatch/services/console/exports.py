"""CSV exports, streamed: rows are read in batches (``yield_per``) and written line by line.

Each export is a generator of CSV text chunks; the view wraps it in a
streamed response, so 10,000 rows never sit in memory at once. Writing the
audit entry happens before the first row is produced. Every export holds one
program's rows only: its matches, their agreements and meetings, its unmatched mentees.

The files are for people with a spreadsheet: values are labels ("Immunohematology
/ blood bank", "Every two weeks", "Declined"), never codes; scores are 0–100
as on every page; times are UTC as "2026-12-03 14:00"; and the text starts
with a byte order mark, so Excel reads it as UTF-8 rather than mangling "Muñoz".
"""

from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone
from typing import Iterable, Iterator

from sqlalchemy.orm import aliased

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementVersion, Match, Meeting, Profile, ProfileTag, Program, TagKind, User, VersionStatus,
)
from mentormatch.services.console import audit
from mentormatch.services.console.stats import unmatched_mentee_ids
from mentormatch.services.transactions import transaction

BATCH = 500
BOM = "\ufeff"

PAIRINGS = ("match_id", "mentee_name", "mentee_email", "mentor_name", "mentor_email", "status", "origin",
            "round_id", "score", "created_at", "decided_at", "decline_reason")
MEETINGS = ("agreement_id", "match_id", "mentee_email", "mentor_email", "agreement_status", "frequency",
            "start_date", "end_date", "meeting_id", "held_on", "duration_minutes", "mode")
UNMATCHED = ("user_id", "name", "email", "joined", "specialties")
EXPORTS = {"pairings": "Pairings with scores and status", "meetings": "Agreements and their meetings",
           "unmatched": "Unmatched mentees"}


def _csv(header: Iterable[str], rows: Iterable[Iterable]) -> Iterator[str]:
    buffer = io.StringIO()
    buffer.write(BOM)
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")  # RFC 4180, as Excel writes
    writer.writerow(header)
    for n, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else _safe(v) for v in row])
        if n % 200 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def _safe(value):
    """Neutralise spreadsheet formulas in text cells (=, +, -, @ at the start); times as UTC a spreadsheet reads."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    if isinstance(value, datetime):
        moment = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return f"{value:.4f}"
    return value


def _points(score: float | None) -> int | None:
    """A 0–1 engine score as the pages show it: a whole number out of 100 (as web.templating.score_points)."""
    return None if score is None else max(0, min(100, int(score * 100 + 0.5)))


def _pairings(program: Program) -> Iterator[tuple]:
    mentee, mentor = aliased(User), aliased(User)
    query = (db.select(Match.id, mentee.name, mentee.email, mentor.name, mentor.email, Match.status, Match.origin,
                       Match.round_id, Match.score, Match.created_at, Match.decided_at, Match.decline_reason)
             .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
             .where(Match.program_id == program.id).order_by(Match.id).execution_options(yield_per=BATCH))
    for match_id, *people, status, origin, round_id, score, created, decided, reason in db.session.execute(query):
        yield (match_id, *people, domain.label(domain.MATCH_STATUSES, status), domain.label(domain.MATCH_ORIGINS, origin), round_id,
               _points(score), created, decided, domain.label(domain.DECLINE_REASONS, reason) if reason else "")


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
    for agreement_id, match_id, mentee, mentor, status, frequency, start, end, meeting_id, held, minutes, mode \
            in db.session.execute(query):
        yield (agreement_id, match_id, mentee, mentor, domain.label(domain.AGREEMENT_STATUSES, status),
               domain.label(domain.MEETING_FREQUENCIES, frequency) if frequency else "", start, end, meeting_id,
               held, minutes, domain.label(domain.MEETING_MODES, mode) if mode else "")


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
        labels = sorted(domain.label(domain.SPECIALTIES, code) for code in specialties.get(profile_id, []))
        yield user_id, name, email, joined.date().isoformat(), "; ".join(labels)


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
