"""A person's credentials and state licences with their dates, kept in step with the profile's credentials.

One source of truth for *which* credentials a person holds: the profile's
credential tags (``ProfileTag`` kind "credential"), which the matching engine
reads. A ``CredentialRecord`` with the same code adds the dates: when it was
earned and when its maintenance cycle ends. State licences are records only
(kind "licence", codes from ``domain.STATE_LICENCES``), with an optional
licence number and their renewal date.

The rules, in every path that changes them (this module's use cases and the
profile form, through ``credentials_changed``): recording a credential adds
its tag and removing one removes both, in one transaction; a credential newly
held closes the person's open exam plans for it (they count as outcomes on
the coordinator's dashboard), and one no longer held opens them again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.models import CredentialRecord, ExamPlan, Membership, ProfileTag, TagKind, User
from mentormatch.services.agreements.access import today
from mentormatch.services.transactions import lock, transaction

CREDENTIAL, LICENCE = "credential", "licence"
KINDS = {CREDENTIAL: domain.CREDENTIALS, LICENCE: domain.STATE_LICENCES}
EARLIEST, LATEST = date(1950, 1, 1), date(2100, 12, 31)  # dates outside are typing mistakes
EXPIRES_SOON_DAYS = 90
MAINTENANCE_PROGRAMS = {"ascp": "ASCP Credential Maintenance Program", "ascpi": "ASCP Credential Maintenance Program",
                        "amt": "AMT Certification Continuation Program", "aab": "AAB revalidation"}
SAFETY_POINTS = frozenset({"ascp_mls", "ascp_mlt"})  # their CMP points include laboratory or patient safety


class CredentialError(ValueError):
    """A credential rule refused the change; the message is for the person."""


@dataclass
class CredentialInput:
    """Validated values for one credential or licence, as the form hands them over."""

    kind: str
    code: str
    earned_on: date | None = None
    expires_on: date | None = None  # None: the end of the maintenance cycle, where the credential has one
    licence_number: str = ""


@dataclass(frozen=True)
class Held:
    """One credential or licence a person holds, with its dates (``record`` None: no dates recorded yet)."""

    kind: str
    code: str
    label: str
    record: CredentialRecord | None
    on: date

    @property
    def earned_on(self) -> date | None:
        return self.record.earned_on if self.record else None

    @property
    def expires_on(self) -> date | None:
        return self.record.expires_on if self.record else None

    @property
    def maintenance(self) -> tuple[int, int] | None:
        """(years in a cycle, points a cycle needs; 0: not kept) for a credential that must be maintained."""
        return domain.maintenance_cycle(self.code, self.earned_on) if self.kind == CREDENTIAL else None

    @property
    def maintenance_program(self) -> str:
        """The certifying body's name for its maintenance cycles."""
        return MAINTENANCE_PROGRAMS.get(domain.credential_body(self.code), "Maintenance")

    @property
    def needs_safety(self) -> bool:
        """ASCP's CMP asks MLS and MLT holders for laboratory or patient safety among the points."""
        return self.maintenance is not None and domain.same_credential(self.code) in SAFETY_POINTS

    @property
    def state(self) -> str:
        """"expired", "expires_soon" (within 90 days) or "" (current, or no expiry recorded)."""
        if self.expires_on is None:
            return ""
        if self.expires_on < self.on:
            return "expired"
        return "expires_soon" if self.expires_on <= self.on + timedelta(days=EXPIRES_SOON_DAYS) else ""


def label(kind: str, code: str) -> str:
    return domain.label(KINDS.get(kind, ()), code)


def _plus_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year + years, day=28)


def cycle_end(code: str, earned_on: date | None, on: date | None = None) -> date | None:
    """The end of the current maintenance cycle of credential ``code`` earned on ``earned_on``; None if it has none
    (``domain.maintenance_cycle``: some bodies' credentials earned before a date are for life).

    Cycles run back to back from the certification date: the first ends
    ``years`` after it, the next ``years`` later, and so on; the current one is
    the first that ends today or later.
    """
    if earned_on is None:
        return None
    cycle = domain.maintenance_cycle(code, earned_on)
    if cycle is None:
        return None
    on, k = on or today(), 1
    while (end := _plus_years(earned_on, cycle[0] * k)) < on:
        k += 1
    return end


def check(data: CredentialInput, on: date | None = None) -> None:
    """Raise ``CredentialError`` unless ``data`` may be recorded on day ``on``."""
    on = on or today()
    if data.kind not in KINDS or data.code not in domain.codes(KINDS[data.kind]):
        raise CredentialError("Choose a credential or a state from the list.")
    if data.earned_on is not None and not EARLIEST <= data.earned_on <= on:
        raise CredentialError("The date earned cannot be in the future." if data.earned_on > on
                              else "Check the date earned: it is before 1950.")
    if data.expires_on is not None and not data.expires_on <= LATEST:
        raise CredentialError("Check the expiry date: it is after 2100.")
    if data.expires_on is not None and data.earned_on is not None and data.expires_on <= data.earned_on:
        raise CredentialError("The expiry date must be after the date earned.")
    if data.kind == LICENCE and data.expires_on is None:
        raise CredentialError("Enter the date the licence must be renewed by.")
    if len(data.licence_number.strip()) > 60:
        raise CredentialError("A licence number has at most 60 characters.")


def held(user: User, on: date | None = None) -> tuple[list[Held], list[Held]]:
    """The credentials ``user`` holds (their profile's, with dates where recorded) and their licences."""
    on = on or today()
    records = {(r.kind, r.code): r for r in db.session.scalars(
        db.select(CredentialRecord).where(CredentialRecord.user_id == user.id))}
    codes = user.profile.codes(TagKind.CREDENTIAL) if user.profile else []
    order = domain.codes(domain.CREDENTIALS)
    credentials = [Held(CREDENTIAL, code, label(CREDENTIAL, code), records.get((CREDENTIAL, code)), on)
                   for code in sorted(codes, key=lambda c: order.index(c) if c in order else len(order))]
    licences = sorted((Held(LICENCE, r.code, label(LICENCE, r.code), r, on)
                       for (kind, _), r in records.items() if kind == LICENCE), key=lambda h: h.label)
    return credentials, licences


def record_of(user: User, record_id: int) -> CredentialRecord | None:
    """``user``'s own record ``record_id``; None for anyone else's (a 404)."""
    return db.session.scalar(db.select(CredentialRecord).where(CredentialRecord.id == record_id,
                                                               CredentialRecord.user_id == user.id))


def record_credential(user: User, data: CredentialInput, on: date | None = None) -> CredentialRecord:
    """Record (or update) a credential or licence ``user`` holds, with its dates, in one transaction.

    A credential gets its profile tag if it lacked one, and closes ``user``'s open
    exam plans for it; a maintained credential without an expiry date gets the end
    of its current cycle.
    """
    on = on or today()
    check(data, on)
    with transaction():
        lock(user)
        if data.kind == CREDENTIAL and user.profile is None:
            raise CredentialError("Fill in your profile first.")
        row = db.session.scalar(db.select(CredentialRecord).where(
            CredentialRecord.user_id == user.id, CredentialRecord.kind == data.kind,
            CredentialRecord.code == data.code))
        if row is None:
            row = CredentialRecord(user_id=user.id, kind=data.kind, code=data.code)
            db.session.add(row)
        row.earned_on = data.earned_on
        row.expires_on = data.expires_on or cycle_end(data.code, data.earned_on, on)
        row.licence_number = data.licence_number.strip() if data.kind == LICENCE else ""
        if data.kind == CREDENTIAL and data.code not in user.profile.codes(TagKind.CREDENTIAL):
            user.profile.tags.append(ProfileTag(kind=TagKind.CREDENTIAL, code=data.code))
            credentials_changed(user, added={data.code}, removed=set(), on=on, earned_on=data.earned_on)
        db.session.flush()
    return row


def remove_record(user: User, row: CredentialRecord) -> None:
    """Remove one of ``user``'s credentials or licences: the record, and a credential's profile tag too."""
    if row.user_id != user.id:
        raise CredentialError("That record is not yours.")
    with transaction():
        if row.kind == CREDENTIAL and user.profile is not None:
            user.profile.replace_codes(TagKind.CREDENTIAL,
                                       [c for c in user.profile.codes(TagKind.CREDENTIAL) if c != row.code])
            _reopen_plans(user, {row.code})
        db.session.delete(row)


def credentials_changed(user: User, added: Iterable[str], removed: Iterable[str], on: date | None = None,
                        earned_on: date | None = None) -> None:
    """Inside the caller's transaction: the profile's credentials gained ``added`` and lost ``removed``.

    Records of removed credentials go; open exam plans for added ones are reached
    on ``on`` (a result still "planned" becomes "passed", dated ``earned_on`` if
    known); plans reached for a removed one are open again.
    """
    added, removed, on = set(added), set(removed), on or today()
    if removed:
        db.session.execute(db.delete(CredentialRecord).where(
            CredentialRecord.user_id == user.id, CredentialRecord.kind == CREDENTIAL,
            CredentialRecord.code.in_(removed)))
        _reopen_plans(user, removed)
    if added:
        for plan in db.session.scalars(_plans_of(user, added).where(ExamPlan.reached_on.is_(None))):
            plan.reached_on = on
            if plan.result == "planned":
                plan.result = "passed"
                plan.result_on = plan.result_on or earned_on or on


def _plans_of(user: User, codes: set[str]):
    mine = db.select(Membership.id).where(Membership.user_id == user.id)
    return db.select(ExamPlan).where(ExamPlan.membership_id.in_(mine), ExamPlan.credential.in_(codes))


def _reopen_plans(user: User, codes: set[str]) -> None:
    for plan in db.session.scalars(_plans_of(user, codes).where(ExamPlan.reached_on.is_not(None))):
        plan.reached_on = None


def erase_records_of(user: User) -> None:
    """Inside the account deletion's transaction: every credential record and exam plan of ``user`` goes."""
    db.session.execute(db.delete(CredentialRecord).where(CredentialRecord.user_id == user.id))
    db.session.execute(db.delete(ExamPlan).where(
        ExamPlan.membership_id.in_(db.select(Membership.id).where(Membership.user_id == user.id))))
