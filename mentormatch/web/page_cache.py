"""Per-person page cache: a page is rendered again only when what it shows changed.

``@cached_per_person`` (outermost, above ``@login_required``) serves a page
from memory when its key is unchanged. The key is read in one statement
(``services.view_stamps.stamp_of``) and holds everything the page depends
on: the path, the account, its stamp (bumped by any change to the person's
data or their pairs'), the unread notification count in the navigation,
today's date (the cadence of each pair) and the session's CSRF secret (the
page carries forms signed for this session). So a hit is the very page the
view would render now, without loading the user or rendering a template.

The cache is skipped, and the view runs as usual, when there is no logged-in
session user, Flask-Login's session protection fails, the account is
inactive, flash messages wait to be shown, or the view changed the session.
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

from mentormatch.services.agreements import today
from mentormatch.services.view_stamps import stamp_of

EXTENSION = "mentormatch_page_cache"


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
    stamp = stamp_of(int(user_id))
    if stamp is None or not stamp.active:
        return None
    return request.full_path, int(user_id), stamp.change, stamp.unread, today(), csrf_secret


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
