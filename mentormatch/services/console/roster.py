"""Roster import: check a CSV of people row by row, then invite them all or none.

Columns (a header row names them, in any order; only the first three are
required): email, name, role (mentee or mentor), specialties, goals,
credentials, credentials_sought, time_zone, capacity, job_title,
organisation, years_experience, meeting_mode, meeting_frequency, shift.
Lists are separated by ";" and take codes or labels ("hematology" or
"Hematology"). Emails already in the program are skipped, so importing the
same file twice creates nobody twice. Invited accounts get an unusable
password and the password-set link of services.accounts.invitation_email.
"""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass, field
from typing import Callable

from mentormatch.extensions import db
from mentormatch.models import User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import invitation_email
from mentormatch.services.console import audit
from mentormatch.services.console.roster_rows import OPTIONAL, REQUIRED, check_row
from mentormatch.services.outbox import queue_email
from mentormatch.services.profiles import ProfileInput, apply_profile
from mentormatch.services.transactions import transaction

INVITED = "invited:"  # password_hash prefix: no password checks against it (it has no "$")
BATCH = 500


@dataclass(frozen=True)
class RowError:
    line: int
    email: str
    messages: list[str]


@dataclass
class RosterCheck:
    """What a file holds: people ready to invite, emails already known, and every problem found."""

    people: list[tuple[str, str, str, ProfileInput | None]] = field(default_factory=list)  # email, name, role, profile
    existing: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors


def _existing(emails: list[str]) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(emails), BATCH):
        found.update(db.session.scalars(db.select(User.email).where(User.email.in_(emails[start:start + BATCH]))))
    return found


def _lines_with_nul(text: str) -> list[int]:
    """The numbers of the lines (as an editor counts them) holding a NUL character: PostgreSQL cannot store one."""
    if "\x00" not in text:
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [number for number, line in enumerate(lines, start=1) if "\x00" in line]


def check_roster(data: bytes, *, max_bytes: int, max_rows: int,
                 progress: Callable[[int], None] | None = None) -> RosterCheck:
    """Read and check every row of a CSV file; writes nothing."""
    check = RosterCheck()
    if len(data) > max_bytes:
        check.file_errors.append(f"The file is larger than {max_bytes // 1024} KB. Split it, or use the "
                                 f"command line (flask import-roster) for large files.")
        return check
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        check.file_errors.append(f"The file is not UTF-8 text (byte {error.start + 1} cannot be read). "
                                 f"Save it as 'CSV UTF-8' and upload it again.")
        return check
    if nul_lines := _lines_with_nul(text):
        shown = ", ".join(map(str, nul_lines[:10])) + (" and more" if len(nul_lines) > 10 else "")
        where = f"Lines {shown} contain" if len(nul_lines) > 1 else f"Line {shown} contains"
        check.file_errors.append(f"{where} a NUL character, which cannot be stored. "
                                 "Remove it (or save the file again as 'CSV UTF-8') and upload it again.")
        return check
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        check.file_errors.append(f"The first row must name the columns; missing: {', '.join(missing)}.")
        return check
    reader.fieldnames = header
    seen: dict[str, int] = {}
    try:
        for number, raw in enumerate(reader, start=2):
            if number - 1 > max_rows:
                check.file_errors.append(f"The file has more than {max_rows} people; split it.")
                return check
            values = {k: (v or "").strip() for k, v in raw.items() if k in REQUIRED + OPTIONAL and isinstance(v, str)}
            values.update({k: values.get(k, "") for k in REQUIRED})
            if not any(values.values()):
                continue
            problems: list[str] = []
            person = check_row(values, problems)
            if person[0] and person[0] in seen:
                problems.append(f"the same email is on line {seen[person[0]]}")
            if problems:
                check.errors.append(RowError(number, values["email"][:254], problems))
            else:
                check.people.append(person)
            if person[0]:
                seen.setdefault(person[0], number)
            if progress:
                progress(1)
    except csv.Error as error:
        check.file_errors.append(f"The file is not valid CSV: {error}.")
        return check
    if not seen and not check.errors:
        check.file_errors.append("The file has no people in it.")
    known = _existing([p[0] for p in check.people])
    check.existing = sorted(known)
    check.people = [p for p in check.people if p[0] not in known]
    return check


@dataclass(frozen=True)
class ImportResult:
    created: list[str]
    skipped: list[str]


def import_roster(check: RosterCheck, actor: User | None, *, invite: bool = True,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create every checked person in one transaction, then email each a password-set link."""
    if not check.ok:
        raise ValueError("the roster has errors; nothing may be imported")
    created: list[User] = []
    with transaction():
        for email, name, role, profile in check.people:
            user = User(email=email, name=name, role=role, email_confirmed_at=utcnow(),
                        password_hash=INVITED + secrets.token_urlsafe(24))
            db.session.add(user)
            if profile is not None:
                apply_profile(user, profile)
            created.append(user)
            if progress:
                progress(1)
        emails = [user.email for user in created]
        audit.record(actor, "roster_imported", f"Imported a roster: {len(created)} invited, "
                                               f"{len(check.existing)} already in the program",
                     after={"invited": len(created), "skipped": len(check.existing), "emails": emails[:200]})
        if invite:  # the links name each account: ids first
            db.session.flush()
            for user in created:
                queue_email(invitation_email(user))
    return ImportResult(emails, check.existing)
