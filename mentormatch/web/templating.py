"""Helpers every template can use to show vocabulary codes as words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy.exc import SQLAlchemyError

from mentormatch import domain


def _join(choices: domain.Choices, codes: Iterable[str]) -> str:
    return ", ".join(domain.label(choices, code) for code in codes)


MATCH_STATUS_LABELS = dict(domain.MATCH_STATUSES)


def score_points(score: float | None) -> int | None:
    """A pair score stored as 0–1 (the engine's scale) as a whole number out of 100, rounded half up."""
    if score is None:
        return None
    return max(0, min(100, int(score * 100 + 0.5)))


def status_words(status: str, origin: str, as_mentee: bool, other: str, closed_by: str | None = None) -> str:
    """A match's status as one of the pair reads it: ``other`` is the other person's name, ``closed_by``
    says who declined or withdrew it ("me", "other", or None for a coordinator or the expiry job)."""
    request = origin == "request"
    if status == "proposed":
        return "Proposed to you — your answer"
    if status == "accepted_by_mentee":
        if as_mentee:
            return f"Waiting for {other}’s answer" if request else f"You accepted — waiting for {other}’s answer"
        return f"{other} asked you to mentor them — your answer" if request else f"{other} accepted — your answer"
    if status == "accepted_by_mentor":
        return f"{other} accepted — your answer" if as_mentee else f"You accepted — waiting for {other}’s answer"
    if status == "declined":
        return {"me": "You declined", "other": f"Declined by {other}"}.get(closed_by or "", "Declined")
    if status == "withdrawn":
        mine = "You withdrew your request" if request and as_mentee else "Withdrawn by you"
        return {"me": mine, "other": f"Withdrawn by {other}"}.get(closed_by or "", "Withdrawn")
    if status == "expired":
        return "Expired without an answer"
    return MATCH_STATUS_LABELS.get(status, status)


def partner_words(status: str, origin: str, as_mentee: bool) -> str:
    """What the other person is to the viewer: "Your mentor" only once the match is active."""
    side = "mentor" if as_mentee else "mentee"
    if status == "active":
        return f"Your {side}"
    if status == "ended":
        return f"Your former {side}"
    if status in ("proposed", "accepted_by_mentee", "accepted_by_mentor"):
        if origin == "request":
            return "The mentor you asked" if as_mentee else "The mentee who asked you"
        return f"Proposed {side}"
    return side.capitalize()


def ago(moment: datetime | None, now: datetime | None = None) -> str:
    """How long ago ``moment`` (UTC) was: "just now", "5 minutes ago", "3 days ago", or "on 3 Dec 2026"."""
    from mentormatch.web.times import local_time

    if moment is None:
        return ""
    if moment.tzinfo is None:  # SQLite gives naive values back; every stored time is UTC
        moment = moment.replace(tzinfo=timezone.utc)
    seconds = int(((now or datetime.now(timezone.utc)) - moment).total_seconds())
    for unit, size, limit in (("minute", 60, 60), ("hour", 3600, 24), ("day", 86400, 14)):
        count = seconds // size
        if count < limit:
            if count < 1:
                return "just now"
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return f"on {local_time(moment, 'date')}"


class Labels:
    """``labels.specialties(codes)`` etc. in templates."""

    @staticmethod
    def specialties(codes: Iterable[str]) -> str:
        return _join(domain.SPECIALTIES, codes)

    @staticmethod
    def credentials(codes: Iterable[str]) -> str:
        return _join(domain.CREDENTIALS, codes)

    @staticmethod
    def goals(codes: Iterable[str]) -> str:
        return _join(domain.CAREER_GOALS, codes)

    @staticmethod
    def shift(code: str) -> str:
        return domain.label(domain.SHIFTS, code)

    @staticmethod
    def frequency(code: str) -> str:
        return domain.label(domain.MEETING_FREQUENCIES, code)

    @staticmethod
    def mode(code: str) -> str:
        return domain.label(domain.MEETING_MODES, code)

    @staticmethod
    def decline_reason(code: str | None) -> str:
        return domain.label(domain.DECLINE_REASONS, code) if code else ""

    @staticmethod
    def match_status(status: str) -> str:
        """The neutral, third-person label (coordinator pages); participants see ``match_status_for``."""
        return MATCH_STATUS_LABELS.get(status, status)

    @staticmethod
    def match_status_for(match: Any, viewer: Any) -> str:
        """The match's status worded for ``viewer``: one of the pair reads their side, anyone else the neutral label."""
        if viewer is None or viewer.id not in (match.mentee_id, match.mentor_id):
            return MATCH_STATUS_LABELS.get(match.status, match.status)
        as_mentee = viewer.id == match.mentee_id
        other = match.mentor if as_mentee else match.mentee
        closed_by = ("me" if match.closed_by_id == viewer.id else "other" if match.closed_by_id == other.id
                     else None) if match.closed_by_id is not None else None
        return status_words(match.status, match.origin, as_mentee, other.name, closed_by)

    @staticmethod
    def partner_for(match: Any, viewer: Any) -> str:
        """The heading over the other person on a match page: "Your mentor" only once the match is active."""
        if viewer is None or viewer.id not in (match.mentee_id, match.mentor_id):
            return "Mentor"
        return partner_words(match.status, match.origin, viewer.id == match.mentee_id)

    status_words = staticmethod(status_words)
    ago = staticmethod(ago)

    @staticmethod
    def score_points(score: float | None) -> int | None:
        """82 for a stored 0.82: the one rounding of a pair score on every page."""
        return score_points(score)

    @staticmethod
    def score(score: float | None, named: bool = True) -> str:
        """"Score 82 / 100", or "82 / 100" under a "Score" column heading (named=False); "" without a score."""
        points = score_points(score)
        if points is None:
            return ""
        return f"Score {points} / 100" if named else f"{points} / 100"

    @staticmethod
    def iso(moment: datetime | None) -> str:
        """A UTC time for a ``<time datetime=...>`` attribute."""
        if moment is None:
            return ""
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=timezone.utc)
        return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")

    @staticmethod
    def track(code: str) -> str:
        return domain.label(domain.TRACKS, code)

    @staticmethod
    def enrolment(code: str) -> str:
        return domain.label(domain.ENROLMENTS, code)


@dataclass(frozen=True)
class Navigation:
    """What the navigation offers the logged-in person (see templates/base.html)."""

    membership: Any = None  # the membership in the program they work in
    programs: tuple = ()  # every program they are in or coordinate: the switcher shows when there are two
    current_program_id: int | None = None
    several_programs: bool = False  # the "Programs" link shows only once a second program exists
    has_profile_pages: bool = False  # participants (and people who have not joined yet), not pure coordinators


def navigation() -> Navigation:
    """The navigation's facts for this request, computed once (a few queries, whatever the number of programs)."""
    from flask import g
    from flask_login import current_user

    from mentormatch.services.programs import programs_of, several_programs
    from mentormatch.web.access import current_membership, current_program

    if "navigation" in g:
        return g.navigation
    found = Navigation()
    if current_user.is_authenticated:
        try:
            mine = programs_of(current_user)
            program = current_program()
            found = Navigation(
                membership=current_membership(), programs=tuple(mine),
                current_program_id=program.id if program is not None else None,
                several_programs=len(mine) > 1 or several_programs(),
                has_profile_pages=bool(current_user.memberships) or not current_user.is_coordinator)
        except SQLAlchemyError:  # the error page for a database outage must still render
            found = Navigation()
    g.navigation = found
    return found


def template_globals() -> dict[str, object]:
    """``labels`` everywhere; the unread count for the navigation when logged in (one query)."""
    from flask_login import current_user

    from mentormatch.services.notifications import unread_count

    try:
        unread = unread_count(current_user) if current_user.is_authenticated else 0
    except SQLAlchemyError:  # the error page for a database outage must still render
        unread = 0
    return {"labels": Labels, "unread_notifications": unread, "navigation": navigation}
