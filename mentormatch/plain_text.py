"""What a name or title may contain: one visible line, no text-direction tricks.

Names and titles are shown inline on other people's pages, in CSV exports
and in email subjects. A line break splits a CSV row or a header, a bidi
override (U+202A-U+202E, U+2066-U+2069) makes "Dana" display as someone
else's name or reverses a file name, and a value of only spaces or
zero-width characters leaves a blank where a name should be.
"""

from __future__ import annotations

import unicodedata

# Every character str.splitlines() breaks on, not only CR and LF.
LINE_BREAKS = frozenset("\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029")
BIDI_CONTROLS = frozenset(chr(c) for c in (*range(0x202A, 0x202F), *range(0x2066, 0x206A)))


def _invisible(ch: str) -> bool:
    # Cf: zero-width space/joiners, word joiner, BOM, soft hyphen and the like.
    return ch.isspace() or unicodedata.category(ch) == "Cf"


def line_problem(value: str) -> str | None:
    """Why ``value`` is not acceptable as a one-line name or title, or None if it is."""
    if any(ch in LINE_BREAKS for ch in value):
        return "Use one line: no line breaks."
    if any(ch in BIDI_CONTROLS for ch in value):
        return "Remove the invisible text-direction characters."
    if value and all(_invisible(ch) for ch in value):
        return "Enter visible text, not only spaces or invisible characters."
    return None


def count_of(n: int, noun: str) -> str:
    """"1 day", "3 days": a count with its noun, for sentences people read."""
    return f"{n} {noun}{'' if n == 1 else 's'}"
