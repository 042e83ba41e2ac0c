"""One page of a long list: the items shown and where they sit in the whole."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    pages: int
    total: int
    filters: dict = field(default_factory=dict)  # the query arguments that built it, for page links


def bounds(total: int, page: int, per_page: int) -> tuple[int, int]:
    """The page to show (clamped into range) and how many pages there are."""
    pages = max(1, -(-total // per_page))
    return min(max(1, page), pages), pages


def slice_page(rows: list, page: int, per_page: int, filters: dict | None = None) -> Page:
    """A page of an already computed list (for queues whose rule is applied in Python)."""
    page, pages = bounds(len(rows), page, per_page)
    start = (page - 1) * per_page
    return Page(rows[start:start + per_page], page, pages, len(rows), filters or {})
