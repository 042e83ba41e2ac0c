"""Roster import: check a CSV of people row by row, then enrol them all or none.

Columns (a header row names them, in any order and any case; only the first
three are required): email, name, role (mentee or mentor), program (a
program's slug; empty means the program the import is for), specialties,
goals, credentials, credentials_sought, time_zone, capacity, job_title,
organisation, years_experience, meeting_mode, meeting_frequency, shift.
Cells are separated by commas or semicolons (found from the header line, as
spreadsheets in many countries save ";"). Values take codes, labels or common
synonyms (services.console.roster_rows); lists are separated by ";". A row
may name only a program the importer runs. People already members of the
program are skipped, so importing the same file twice enrols nobody twice;
an existing account gets a new membership (an error row when it is on the
other side of that program). New accounts get an unusable password and an
invitation with a password-set link (services.accounts.invitation_email);
existing accounts are told by email that they were added. ``template_csv``
is a file to start from. Importing a file as the whole roster of the program,
so that members missing from it leave, is services.console.roster_sync.
"""

from __future__ import annotations

import csv
import hashlib
import io
import secrets
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import Program, User
from mentormatch.models.user import utcnow
from mentormatch.services import accounts
from mentormatch.services.console import audit
from mentormatch.services.console.roster_rows import OPTIONAL, REQUIRED, CheckedRow, check_row, column_name
from mentormatch.services.outbox import queue_email
from mentormatch.services.profiles import ProfileInput, apply_profile
from mentormatch.services.programs import MembershipInput, all_programs, enrol
from mentormatch.services.transactions import transaction

INVITED = "invited:"  # password_hash prefix: no password checks against it (it has no "$")
BATCH = 500
DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class RowError:
    line: int
    email: str
    messages: list[str]


@dataclass(frozen=True)
class RosterPerson:
    """A checked row: who, on which side of which program."""

    line: int
    email: str
    name: str
    role: str
    profile: ProfileInput | None
    membership: MembershipInput
    program: Program


@dataclass
class RosterCheck:
    """What a file holds: new people to invite, existing accounts to enrol, members to skip, every problem."""

    program: Program | None = None  # the program rows without a program column go to
    people: list[RosterPerson] = field(default_factory=list)  # no account yet: invited
    joining: list[RosterPerson] = field(default_factory=list)  # an account that gets a new membership
    existing: list[str] = field(default_factory=list)  # emails already members of the program named
    skipped_in: dict[int, int] = field(default_factory=dict)  # program id -> members skipped there
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)
    digest: str = ""  # sha256 of the file, which a full sync's confirmation names (services.console.roster_sync)
    listed: set[str] = field(default_factory=set)  # emails of every good row for ``program``

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors


def _accounts(emails: list[str]) -> dict[str, User]:
    """The accounts of these emails, with their memberships (a few queries a batch)."""
    found: dict[str, User] = {}
    unique = sorted(set(emails))
    for start in range(0, len(unique), BATCH):
        found.update((u.email, u) for u in db.session.scalars(
            db.select(User).where(User.email.in_(unique[start:start + BATCH])).options(selectinload(User.memberships))))
    return found


def _program_for(row: CheckedRow, program: Program, runs: dict[str, Program], known: set[str],
                 problems: list[str]) -> Program | None:
    if not row.program_slug:
        return program
    if row.program_slug in runs:
        return runs[row.program_slug]
    if row.program_slug in known:
        problems.append(f"you do not coordinate the program {row.program_slug!r}")
    else:
        problems.append(f"unknown program {row.program_slug!r}")
    return None


def _lines_with_nul(text: str) -> list[int]:
    """The numbers of the lines (as an editor counts them) holding a NUL character: PostgreSQL cannot store one."""
    if "\x00" not in text:
        return []
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return [number for number, line in enumerate(lines, start=1) if "\x00" in line]


def delimiter_of(text: str) -> str:
    """The cell separator of a CSV file: the one of ``DELIMITERS`` its header line holds most of (a comma if none)."""
    header = text.split("\n", 1)[0]
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def check_roster(data: bytes, program: Program, *, runs: list[Program] | None = None, max_bytes: int,
                 max_rows: int, progress: Callable[[int], None] | None = None) -> RosterCheck:
    """Read and check every row of a CSV file for an import into ``program``; writes nothing.

    ``runs`` are the programs a row's program column may name (the importer's); only ``program`` by default.
    """
    check = RosterCheck(program=program, digest=hashlib.sha256(data).hexdigest())
    allowed = {p.slug: p for p in (runs or [])} | {program.slug: program}
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
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter_of(text))
    header = [column_name(h) for h in (reader.fieldnames or [])]
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        check.file_errors.append(f"The first row must name the columns; missing: {', '.join(missing)}. "
                                 f"Start from the template file if in doubt.")
        return check
    reader.fieldnames = header
    known = {p.slug for p in all_programs()} if "program" in header else set()
    seen: dict[tuple[str, int], int] = {}
    checked: list[RosterPerson] = []
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
            row = check_row(values, problems)
            target = _program_for(row, program, allowed, known, problems)
            key = (row.email, target.id if target is not None else 0)
            if row.email and key in seen:
                problems.append(f"the same email is on line {seen[key]}")
            if problems:
                check.errors.append(RowError(number, values["email"][:254], problems))
            else:
                checked.append(RosterPerson(number, row.email, row.name, row.role, row.profile, row.membership,
                                            target))
            if row.email:
                seen.setdefault(key, number)
            if progress:
                progress(1)
    except csv.Error as error:
        check.file_errors.append(f"The file is not valid CSV: {error}.")
        return check
    if not seen and not check.errors:
        check.file_errors.append("The file has no people in it.")
    check.listed = {p.email for p in checked if p.program.id == program.id}
    found = _accounts([p.email for p in checked])
    for person in checked:
        user = found.get(person.email)
        membership = user.membership_in(person.program.id) if user is not None else None
        if user is None:
            check.people.append(person)
        elif membership is None:
            check.joining.append(person)
        elif membership.role == person.role:
            check.existing.append(person.email)
            check.skipped_in[person.program.id] = check.skipped_in.get(person.program.id, 0) + 1
        else:
            check.errors.append(RowError(person.line, person.email, [
                f"{user.name} is already a {membership.role} in {person.program.name}; "
                f"nobody is on both sides of one program"]))
    check.existing.sort()
    return check


@dataclass(frozen=True)
class ImportResult:
    created: list[str]  # new accounts, invited
    skipped: list[str]  # members already
    joined: list[str] = field(default_factory=list)  # existing accounts enrolled in a program


def added_email(user: User, role: str, program: Program) -> Email:
    """What someone who has an account already is told when an import enrols them in another program."""
    return Email(user.email, f"You have been added to {program.name}",
                 f"Hello {user.name},\n\nYour program coordinator has added you to {program.name} as a {role}. "
                 f"Log in to MentorMatch with your usual password to see it:\n\n{accounts._link('/')}"
                 f"\n\nQuestions? Reply to your program coordinator." + accounts.SIGN_OFF)


def import_roster(check: RosterCheck, actor: User | None, *, invite: bool = True,
                  progress: Callable[[int], None] | None = None) -> ImportResult:
    """Create and enrol every checked person in one transaction, then email each an invitation or a notice."""
    if not check.ok:
        raise ValueError("the roster has errors; nothing may be imported")
    created: dict[str, User] = {}
    emails: list[tuple[User, RosterPerson, bool]] = []  # whom to tell, about what, invited or added
    with transaction():
        for person in check.people:
            if person.email not in created:  # one account, even when the file enrols it in several programs
                user = User(email=person.email, name=person.name, email_confirmed_at=utcnow(),
                            password_hash=INVITED + secrets.token_urlsafe(24))
                db.session.add(user)
                if person.profile is not None:
                    apply_profile(user, person.profile)
                created[person.email] = user
        db.session.flush()  # ids for the memberships and the links
        for person in check.people:
            user = created[person.email]
            enrol(user, person.program, person.membership)
            emails.append((user, person, True))
            if progress:
                progress(1)
        existing = _accounts([p.email for p in check.joining])
        for person in check.joining:
            user = existing[person.email]
            enrol(user, person.program, person.membership)
            emails.append((user, person, False))
            if progress:
                progress(1)
        by_program: dict[int, tuple[Program, list[str], list[str]]] = {}
        for user, person, new in emails:
            _, invited, joined = by_program.setdefault(person.program.id, (person.program, [], []))
            (invited if new else joined).append(user.email)
        if check.program is not None:
            by_program.setdefault(check.program.id, (check.program, [], []))
        for program, invited, joined in by_program.values():
            skipped = check.skipped_in.get(program.id, 0)
            audit.record(actor, "roster_imported", f"Imported a roster into {program.name}: {len(invited)} invited, "
                                                   f"{len(joined)} existing accounts added, {skipped} already members",
                         program=program, after={"invited": len(invited), "added": len(joined), "skipped": skipped,
                                                 "emails": (invited + joined)[:200]})
        if invite:
            told: set[str] = set()
            for user, person, new in emails:
                if new and user.email in told:  # a second program for a new account: one link is enough
                    queue_email(added_email(user, person.role, person.program))
                    continue
                queue_email(accounts.invitation_email(user, person.program, person.role) if new
                            else added_email(user, person.role, person.program))
                told.add(user.email)
    return ImportResult(list(created), check.existing,
                        [p.email for p in check.joining])


TEMPLATE_ROWS = (
    {"email": "jordan.sample@example.org", "name": "Jordan Sample", "role": "mentee", "specialties": "Hematology; Microbiology",
     "goals": "MLT to MLS (bachelor's degree)", "credentials": "ASCP MLT", "credentials_sought": "ASCP MLS",
     "time_zone": "America/Chicago", "job_title": "Medical laboratory technician", "organisation": "General Hospital",
     "years_experience": "3", "meeting_mode": "Virtual", "meeting_frequency": "Every two weeks", "shift": "Evening"},
    {"email": "morgan.example@example.org", "name": "Morgan Example", "role": "mentor",
     "specialties": "Immunohematology / blood bank", "goals": "Supervisor or lead; Specialist certification",
     "credentials": "ASCP MLS; ASCP SBB (specialist in blood banking)", "time_zone": "America/New_York", "capacity": "2",
     "job_title": "Blood bank lead", "organisation": "General Hospital", "years_experience": "14",
     "meeting_mode": "Either", "meeting_frequency": "Monthly", "shift": "Day"},
)


def template_csv() -> str:
    """A roster to start from: every column, and a mentee and a mentor written with labels (UTF-8 with a BOM)."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REQUIRED + OPTIONAL, restval="")
    writer.writeheader()
    writer.writerows(TEMPLATE_ROWS)
    return "\ufeff" + buffer.getvalue()
