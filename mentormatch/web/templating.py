"""Helpers every template can use to show vocabulary codes as words."""

from __future__ import annotations

from typing import Iterable

from mentormatch import domain


def _join(choices: domain.Choices, codes: Iterable[str]) -> str:
    return ", ".join(domain.label(choices, code) for code in codes)


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


def template_globals() -> dict[str, object]:
    return {"labels": Labels}
