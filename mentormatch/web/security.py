"""Response headers, request checks and redirect checks shared by every blueprint."""

from __future__ import annotations

from typing import Callable, TypeVar
from urllib.parse import urlsplit

from flask import Response, abort, current_app, request, session
from werkzeug.routing import IntegerConverter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Frame-Options", "DENY"),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
)
# Two years, the preload list's minimum; only sent when the site is served over HTTPS.
STRICT_TRANSPORT_SECURITY = "max-age=63072000; includeSubDomains"


def add_security_headers(response: Response) -> Response:
    """Forbid framing, sniffing and inline script on every response (a view's own value wins).

    A page for a logged-in person is never stored by the browser or a proxy (the back
    button after logging out on a shared lab computer shows nothing), and an HTTPS
    deployment tells browsers to use HTTPS only.
    """
    present = {name.lower() for name in response.headers.keys()}
    for name, value in SECURITY_HEADERS:
        if name.lower() not in present:
            response.headers.add(name, value)
    if current_app.config.get("HTTPS") and "strict-transport-security" not in present:
        response.headers["Strict-Transport-Security"] = STRICT_TRANSPORT_SECURITY
    if _for_someone_logged_in():
        response.headers["Cache-Control"] = "no-store"
    return response


def _for_someone_logged_in() -> bool:
    """Whether this response was made for a logged-in session, without loading anyone from the database.

    Flask-Login keeps the login in the session (also after a remember-me cookie
    logged the browser in); loading the user here could fail again on the
    database-outage page.
    """
    return "_user_id" in session


def safe_next_url(target: str | None) -> str | None:
    """``target`` if it is a path on this site, else None (no open redirects)."""
    if not target:
        return None
    target = target.strip()
    # Browsers treat a backslash like a slash, so "/\evil.example" leaves the site.
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


def reject_nul_characters() -> None:
    """400 for a NUL character in any submitted value: PostgreSQL cannot store one in text."""
    # A GET or HEAD has no form body; not parsing one saves a tenth of a cached page's time.
    for values in (request.args,) if request.method in ("GET", "HEAD") else (request.args, request.form):
        for _, value in values.items(multi=True):
            if "\x00" in value:
                abort(400, description="The form contained a character we cannot store (NUL). "
                                       "Remove it and try again.")


V = TypeVar("V", bound=Callable)


def accepts_uploads(*fields: str) -> Callable[[V], V]:
    """Mark a view whose form has FileFields named ``fields``: the only file parts a request to it may carry."""

    def mark(view: V) -> V:
        view.upload_fields = frozenset(fields)
        return view

    return mark


def reject_unexpected_files() -> None:
    """400 for a file part where a view expects text: a text field's validators cannot read a file (a 500)."""
    if request.method in ("GET", "HEAD") or not request.files:
        return
    allowed = getattr(current_app.view_functions.get(request.endpoint), "upload_fields", frozenset())
    if any(name not in allowed for name in request.files):
        abort(400, description="The form contained a file where it expects text. "
                               "Go back, reload the page and try again.")


# The largest id an INTEGER column holds on PostgreSQL (SQLite's limit, 2**63 - 1, is larger).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """``<int:...>`` in every route: 1 to MAX_ID; any other number matches no route (404), never the database."""

    def __init__(self, map, fixed_digits: int = 0, min: int | None = 1, max: int | None = MAX_ID,  # noqa: A002
                 signed: bool = False) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)
