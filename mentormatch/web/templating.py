"""Helpers every template can use to show vocabulary codes as words."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy.exc import SQLAlchemyError

from mentormatch import domain


def _join(choices: domain.Choices, codes: Iterable[str]) -> str:
    return ", ".join(domain.label(choices, code) for code in codes)


MATCH_STATUS_LABELS = {
    "proposed": "Proposed", "accepted_by_mentee": "Accepted by the mentee",
    "accepted_by_mentor": "Accepted by the mentor", "active": "Active", "declined": "Declined",
    "withdrawn": "Withdrawn", "expired": "Expired", "ended": "Ended",
}


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
        return MATCH_STATUS_LABELS.get(status, status)

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
