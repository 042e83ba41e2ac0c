"""Helpers every template can use to show vocabulary codes as words."""

from __future__ import annotations

from typing import Iterable

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


def template_globals() -> dict[str, object]:
    """``labels`` everywhere; the unread count for the navigation when logged in (one query)."""
    from flask_login import current_user

    from mentormatch.services.notifications import unread_count

    try:
        unread = unread_count(current_user) if current_user.is_authenticated else 0
    except SQLAlchemyError:  # the error page for a database outage must still render
        unread = 0
    return {"labels": Labels, "unread_notifications": unread}
