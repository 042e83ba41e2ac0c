"""Per-person page cache: a page is rendered again only when what it shows changed.

``@cached_per_person`` (outermost, above ``@login_required``) serves a page
from memory when its key is unchanged. The key holds everything the page
depends on: the path, the account, what has changed for the person (their
data, their pairs', their notifications), today's date (the cadence of each
pair), the session's CSRF secret (the page carries forms signed for this
session) and how many writes the session made. So a hit is the very page
the view would render now, without loading the user or rendering a template.

What has changed comes from the process's change feed on PostgreSQL
(``services.change_feed``: no database round trip), or, where no live feed
can vouch (SQLite, the feed off or reconnecting), from one statement that
reads the account's active flag, newest stamp and unread count
(``services.view_stamps.stamp_of``). The session's write count makes a
person's own changes show at once, before the feed has heard of them.

The cache is skipped, and the view runs as usual, when there is no logged-in
session user, Flask-Login's session protection fails, the account is
inactive (checked on the database path; on the feed path a deactivation is
a change like any other), flash messages wait to be shown, or the view
changed the session.

Entries live in each process's memory, at most ``PAGE_CACHE_SIZE`` of them
(0 turns the cache off) for ``PAGE_CACHE_SECONDS`` (well inside the CSRF
token's lifetime). Only pages whose every shown value is covered by the key
may be decorated: see the module docstring of ``services.view_stamps``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from functools import wraps
from typing import Callable, Hashable

from flask import Flask, Response, current_app, make_response, request, session

from sqlalchemy.engine import make_url

from mentormatch.services.agreements import today
from mentormatch.services.change_feed import ChangeFeed
from mentormatch.services.view_stamps import stamp_of

EXTENSION = "mentormatch_page_cache"
FEED = "mentormatch_change_feed"
WRITES = "_writes"  # session key: how many state-changing requests this session made
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class PageCache:
    """A bounded, thread-safe LRU of rendered pages with an age limit."""

    def __init__(self, size: int, seconds: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.size, self.seconds, self.clock = size, seconds, clock
        self._pages: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None:
                return None
            if self.clock() - found[0] > self.seconds:
                del self._pages[key]
                return None
            self._pages.move_to_end(key)
            return found[1]

    def put(self, key: Hashable, body: bytes) -> None:
        with self._lock:
            self._pages[key] = (self.clock(), body)
            self._pages.move_to_end(key)
            while len(self._pages) > self.size:
                self._pages.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()

    def __len__(self) -> int:
        return len(self._pages)


def init_page_cache(app: Flask) -> None:
    """Give ``app`` its own cache (tests build several apps in one process)."""
    limit = app.config.get("WTF_CSRF_TIME_LIMIT")
    if limit is not None and app.config["PAGE_CACHE_SECONDS"] >= limit:
        raise ValueError("PAGE_CACHE_SECONDS must be shorter than WTF_CSRF_TIME_LIMIT: cached forms carry tokens")
    app.extensions[EXTENSION] = PageCache(app.config["PAGE_CACHE_SIZE"], app.config["PAGE_CACHE_SECONDS"])
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "postgresql":  # its thread starts on first use, in each process
        app.extensions[FEED] = ChangeFeed(url.set(drivername="postgresql").render_as_string(hide_password=False))
    app.after_request(count_writes)


def count_writes(response: Response) -> Response:
    """After a request that may have changed data, change the session's cache keys (read your own writes)."""
    if request.method not in SAFE_METHODS and "_user_id" in session:
        session[WRITES] = session.get(WRITES, 0) + 1
    return response


def page_cache() -> PageCache:
    return current_app.extensions[EXTENSION]


def _key() -> tuple | None:
    """This request's cache key, or None when the page must be rendered (see the module docstring)."""
    if not current_app.config["PAGE_CACHE_SIZE"] or "_flashes" in session:
        return None
    user_id, csrf_secret = session.get("_user_id"), session.get("csrf_token")
    if not isinstance(user_id, str) or not user_id.isdigit() or not csrf_secret:
        return None
    # The same check Flask-Login runs before it loads a user from the session.
    if current_app.login_manager._session_protection_failed():
        return None
    person = int(user_id)
    feed = current_app.extensions.get(FEED) if current_app.config["PAGE_CACHE_FEED"] else None
    versions = feed.versions(person) if feed is not None else None
    if versions is not None:
        changed = ("feed", *versions)
    else:
        stamp = stamp_of(person)
        if stamp is None or not stamp.active:
            return None
        changed = ("database", stamp.change, stamp.unread)
    return request.full_path, person, changed, session.get(WRITES, 0), today(), csrf_secret


def cached_per_person(view: Callable) -> Callable:
    """Serve the view's page from the cache while its key is unchanged."""

    @wraps(view)
    def serve(*args, **kwargs):
        key = _key()
        if key is not None:
            body = page_cache().get(key)
            if body is not None:
                return Response(body, mimetype="text/html")
        response = make_response(view(*args, **kwargs))
        if key is not None and response.status_code == 200 and response.mimetype == "text/html" \
                and not session.modified:
            page_cache().put(key, response.get_data())
        return response

    return serve
