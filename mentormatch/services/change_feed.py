"""The change feed: each process hears of committed changes from PostgreSQL, without asking.

Migration 0007 adds statement triggers that ``pg_notify`` the ids of the
people behind every batch of ``view_changes`` rows and of every change to
``notifications`` (the unread count), on channel ``CHANNEL``; PostgreSQL
delivers a notification when its transaction commits, in commit order. A
``ChangeFeed`` is one daemon thread per process that LISTENs and counts, per
person, the notifications heard (their *generation*). A cached page keyed by
the generation is stale once a later one is heard, which takes well under
a millisecond, so a cached page costs no database round trip at all.

The feed only vouches while it is connected: ``versions()`` returns None
(callers then read the stamp from the database) until LISTEN is in place,
and again whenever the connection is lost or no sign of life came for
``HEALTH_SECONDS``. Each (re)connection starts a new *epoch*: pages cached
before it may have missed notifications and are never served again.
Notifications heard late are the one window: a change by someone else
shows a few milliseconds after it commits. A person's own changes show at
once, because each of their writes also changes their session's cache key
(``web.page_cache``).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid

import psycopg

CHANNEL = "mentormatch_views"
EVERYONE = "*"  # payload for a batch too large to list (a published round, a roster import)
HEALTH_SECONDS = 3.0
POLL_SECONDS = 1.0
log = logging.getLogger(__name__)


class ChangeFeed:
    """Per-process generations of what each person's pages show, kept current by LISTEN."""

    def __init__(self, conninfo: str) -> None:
        self.conninfo = conninfo
        self.epoch = 0
        self._generations: dict[int, int] = {}
        self._heard: set[str] = set()  # sync tokens (see ``sync``)
        self._alive_until = 0.0
        self._lock = threading.Lock()
        self._condition = threading.Condition(self._lock)
        self._owner_pid: int | None = None

    def versions(self, user_id: int) -> tuple[int, int] | None:
        """(epoch, the person's generation) while the feed is live, else None."""
        self._start_once_per_process()
        with self._lock:
            if time.monotonic() > self._alive_until:
                return None
            return self.epoch, self._generations.get(user_id, 0)

    def sync(self, timeout: float = 5.0) -> bool:
        """Wait until the feed is live and has heard every change committed before the call.

        For tests and benchmarks. False when that took longer than ``timeout`` seconds.
        """
        self._start_once_per_process()
        deadline = time.monotonic() + timeout
        with self._condition:  # a token sent before LISTEN is in place would never be heard
            while time.monotonic() > self._alive_until:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(min(left, 0.05))
        token = f"sync:{uuid.uuid4().hex}"
        with psycopg.connect(self.conninfo, autocommit=True) as conn:
            conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, token))
        with self._condition:
            while token not in self._heard:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
            self._heard.discard(token)
        return True

    def _start_once_per_process(self) -> None:
        # Threads do not survive fork(): a gunicorn worker starts its own on first use.
        if self._owner_pid == os.getpid():
            return
        with self._lock:
            if self._owner_pid == os.getpid():
                return
            self._owner_pid = os.getpid()
            self._alive_until = 0.0
        threading.Thread(target=self._listen_forever, name="change-feed", daemon=True).start()

    def _listen_forever(self) -> None:
        delay = 0.5
        while True:
            started = time.monotonic()
            try:
                self._listen()
            except Exception:  # noqa: BLE001 - the feed must outlive any database trouble
                log.warning("change feed lost its connection; pages are checked against the database",
                            exc_info=True)
            with self._lock:
                self._alive_until = 0.0
            # Retry after 1 s, then back off up to 30 s while the database stays away.
            delay = 1.0 if time.monotonic() - started > 60 else min(delay * 2, 30.0)
            time.sleep(delay)

    def _listen(self) -> None:
        # Keepalives: a connection that dies silently is noticed within seconds.
        with psycopg.connect(self.conninfo, autocommit=True, keepalives=1, keepalives_idle=5,
                             keepalives_interval=1, keepalives_count=3) as conn:
            conn.execute(f"LISTEN {CHANNEL}")
            with self._lock:
                self.epoch += 1  # whatever was cached before may have missed notifications
                self._alive_until = time.monotonic() + HEALTH_SECONDS
            while True:
                for notice in conn.notifies(timeout=POLL_SECONDS):
                    self._hear(notice.payload)
                conn.execute("SELECT 1")  # a sign of life when nothing happened
                with self._lock:
                    self._alive_until = time.monotonic() + HEALTH_SECONDS

    def _hear(self, payload: str) -> None:
        with self._condition:
            self._alive_until = time.monotonic() + HEALTH_SECONDS
            if payload.startswith("sync:"):
                if len(self._heard) > 1000:  # tokens other processes waited for, never collected here
                    self._heard.clear()
                self._heard.add(payload)
                self._condition.notify_all()
            elif payload == EVERYONE:
                self.epoch += 1
            else:
                for text in payload.split(","):
                    if text.isdigit():
                        person = int(text)
                        self._generations[person] = self._generations.get(person, 0) + 1
