"""Versioned terms: one side proposes, the other confirms; every version is kept.

Rules:
- Either party may propose terms while the agreement is open. A proposal
  counts as the proposer's own confirmation; it takes effect only when the
  *other* party confirms it. Until then the earlier confirmed terms stay in
  force (cadence, calendar, meeting topics all read the current terms).
- A new proposal replaces one still waiting (the old one is kept, marked
  superseded), so at most one proposal waits at a time.
- Confirming names the version number the person read, so a proposal that
  changed in between is never confirmed unseen.
"""

from __future__ import annotations

import calendar
from dataclasses import asdict, dataclass, field
from datetime import date

from mentormatch import domain
from mentormatch.models import Agreement, AgreementStatus, AgreementVersion, TagKind, User, VersionStatus
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import (
    AgreementError, other_party, require_open, require_party, tell, today,
)
from mentormatch.services.transactions import lock, transaction

DEFAULT_MONTHS = 6  # when the program names no agreement length
MAX_DAYS = 2 * 366
MAX_TOPICS = 20
MAX_TOPIC_LENGTH = 60
MAX_EXPECTATIONS = 2000
TOPIC_KINDS = {"specialty": domain.SPECIALTIES, "goal": domain.CAREER_GOALS}


@dataclass
class TermsInput:
    frequency: str
    mode: str
    start_date: date
    end_date: date
    topics: list[str] = field(default_factory=list)  # "specialty:x", "goal:x", "text:..."
    expectations: str = ""


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole calendar months, clamped to the month's last day."""
    years, month0 = divmod(day.month - 1 + months, 12)
    year, month = day.year + years, month0 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def topic_label(key: str) -> str:
    """The words for a topic key."""
    kind, _, value = key.partition(":")
    return domain.label(TOPIC_KINDS[kind], value) if kind in TOPIC_KINDS else value


def topic_choices(version: AgreementVersion | None) -> list[tuple[str, str]]:
    """The agreed topics as (key, label) pairs, for meeting forms."""
    return [(key, topic_label(key)) for key in (version.topics if version else [])]


def _terms_of(version: AgreementVersion) -> TermsInput:
    return TermsInput(version.frequency, version.mode, version.start_date, version.end_date,
                      list(version.topics), version.expectations)


def default_terms(agreement: Agreement, on: date | None = None) -> TermsInput:
    """What the terms form starts from: the waiting proposal, the current terms, or sensible defaults.

    The defaults: the mentee's meeting preferences, the goals they seek in the
    pair's program, and the program's agreement length.
    """
    found = agreement.pending_terms or agreement.current_terms
    if found is not None:
        return _terms_of(found)
    start = on or today()
    match = agreement.match
    profile = match.mentee.profile
    membership = match.mentee.membership_in(match.program_id)
    goals = [f"goal:{code}" for code in membership.codes(TagKind.GOAL)] if membership else []
    months = match.program.agreement_months or DEFAULT_MONTHS
    return TermsInput(profile.meeting_frequency if profile else "monthly",
                      profile.meeting_mode if profile else "virtual",
                      start, add_months(start, months), goals)


def _check(terms: TermsInput, on: date) -> TermsInput:
    if terms.frequency not in domain.FREQUENCY_DAYS:
        raise AgreementError("Choose how often you will meet.")
    if terms.mode not in domain.codes(domain.MEETING_MODES):
        raise AgreementError("Choose how you will meet.")
    if abs((terms.start_date - on).days) > 366:
        raise AgreementError("The start date must be within a year of today.")
    if terms.end_date <= terms.start_date:
        raise AgreementError("The planned end date must be after the start date.")
    if (terms.end_date - terms.start_date).days > MAX_DAYS:
        raise AgreementError("An agreement can run for at most two years.")
    topics = list(dict.fromkeys(t.strip() for t in terms.topics if t.strip()))
    if not topics:
        raise AgreementError("Choose at least one topic.")
    if len(topics) > MAX_TOPICS:
        raise AgreementError(f"Choose at most {MAX_TOPICS} topics.")
    for key in topics:
        kind, _, value = key.partition(":")
        valid = (value in domain.codes(TOPIC_KINDS[kind]) if kind in TOPIC_KINDS
                 else kind == "text" and 0 < len(value) <= MAX_TOPIC_LENGTH)
        if not valid:
            raise AgreementError(f"“{value[:MAX_TOPIC_LENGTH]}” is not a topic we know; "
                                 f"free-text topics are up to {MAX_TOPIC_LENGTH} characters.")
    if len(terms.expectations) > MAX_EXPECTATIONS:
        raise AgreementError(f"Expectations are limited to {MAX_EXPECTATIONS} characters.")
    return TermsInput(terms.frequency, terms.mode, terms.start_date, terms.end_date, topics,
                      terms.expectations.strip())


def propose_terms(agreement: Agreement, user: User, terms: TermsInput, on: date | None = None) -> AgreementVersion:
    """``user`` proposes terms; they wait for the other party's confirmation."""
    require_party(agreement, user)
    require_open(agreement)
    terms = _check(terms, on or today())
    with transaction():
        lock(agreement)  # proposals at once are numbered one after the other, and only the last waits
        require_open(agreement)
        current = agreement.current_terms
        if current is not None and asdict(_terms_of(current)) == asdict(terms) and agreement.pending_terms is None:
            raise AgreementError("These are already your agreed terms; change something to propose it.")
        if (waiting := agreement.pending_terms) is not None:
            waiting.status = VersionStatus.SUPERSEDED
        number = max((v.number for v in agreement.versions), default=0) + 1
        version = AgreementVersion(number=number, proposed_by_id=user.id, status=VersionStatus.PENDING,
                                   **asdict(terms))
        agreement.versions.append(version)
        tell(other_party(agreement, user), f"{user.name} proposed {'new ' if current else ''}terms for your "
                                           "mentoring agreement. Please review and confirm them.", agreement)
    return version


def confirm_terms(agreement: Agreement, user: User, number: int) -> AgreementVersion:
    """The other party confirms proposal ``number``; it becomes the current terms."""
    require_party(agreement, user)
    with transaction():
        lock(agreement)  # a proposal made meanwhile supersedes this one first, or waits for it
        require_open(agreement)
        waiting = agreement.pending_terms
        if waiting is None or waiting.number != number:
            raise AgreementError("That proposal is no longer waiting; please review the latest one.")
        if waiting.proposed_by_id == user.id:
            raise AgreementError("You proposed these terms; the other person confirms them.")
        waiting.status = VersionStatus.CONFIRMED
        waiting.confirmed_by_id = user.id
        waiting.confirmed_at = utcnow()
        agreement.status = AgreementStatus.ACTIVE
        if waiting.proposed_by is not None:
            tell(waiting.proposed_by, f"{user.name} confirmed the terms of your mentoring agreement.", agreement)
    return waiting


@dataclass(frozen=True)
class Change:
    version: AgreementVersion
    changes: list[str]  # sentences like "Frequency: Monthly → Every two weeks"


def _describe(before: TermsInput | None, after: TermsInput) -> list[str]:
    if before is None:
        return ["First terms."]
    out = []
    for name, show in (("frequency", lambda v: domain.label(domain.MEETING_FREQUENCIES, v)),
                       ("mode", lambda v: domain.label(domain.MEETING_MODES, v)),
                       ("start_date", lambda v: v.strftime("%d %b %Y")),
                       ("end_date", lambda v: v.strftime("%d %b %Y"))):
        old, new = getattr(before, name), getattr(after, name)
        if old != new:
            out.append(f"{name.replace('_', ' ').capitalize()}: {show(old)} → {show(new)}")
    added = [topic_label(t) for t in after.topics if t not in before.topics]
    removed = [topic_label(t) for t in before.topics if t not in after.topics]
    if added:
        out.append("Topics added: " + ", ".join(added))
    if removed:
        out.append("Topics removed: " + ", ".join(removed))
    if before.expectations != after.expectations:
        out.append("Expectations changed")
    return out or ["No change."]


def history(agreement: Agreement) -> list[Change]:
    """Every version, newest first, with what it changed against the terms in force before it."""
    changes, in_force = [], None
    for version in agreement.versions:
        changes.append(Change(version, _describe(in_force, _terms_of(version))))
        if version.status == VersionStatus.CONFIRMED:
            in_force = _terms_of(version)
    return changes[::-1]
