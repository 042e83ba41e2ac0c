"""Query-string arguments for list pages: every value checked against a fixed list or bounded."""

from __future__ import annotations

from datetime import date

from flask import Request


def choice_arg(request: Request, name: str, allowed) -> str:
    """The query argument if it is one of ``allowed``, else ""."""
    value = request.args.get(name, "")
    return value if value in allowed else ""


def text_arg(request: Request, name: str, limit: int = 120) -> str:
    return request.args.get(name, "").strip()[:limit]


def int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, default, type=int)
    return min(max(value if value is not None else default, low), high)


def date_arg(request: Request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def page_arg(request: Request) -> int:
    return int_arg(request, "page", 1, 1, 1_000_000)
