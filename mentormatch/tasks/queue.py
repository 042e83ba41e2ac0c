"""The task queue (``extensions.queue``): one Huey instance whose storage each app chooses from ``QUEUE_URL``.

``sqlite:///path`` (the default: a file in ``instance/``), ``redis://…``
(several hosts share one queue) or ``memory://`` (one process, tests).
Tasks are declared at import with ``queue.app_task`` / ``queue.app_periodic_task``,
before any app exists, so the storage is looked up when used: the current
app's inside an app context (a request enqueueing), else the app the
worker bound (the consumer's threads).
"""

from __future__ import annotations

from functools import wraps
from typing import Callable
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context
from huey import Huey
from huey.storage import BaseStorage, MemoryStorage, RedisStorage, SqliteStorage

EXTENSION = "mentormatch_queue"
NAME = "mentormatch"


class QueueConfigError(ValueError):
    """``QUEUE_URL`` names no storage we know."""


def storage_for(url: str) -> BaseStorage:
    """The Huey storage a ``QUEUE_URL`` names."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        path = url.removeprefix("sqlite:///")
        return SqliteStorage(NAME, filename=path)
    if scheme in ("redis", "rediss", "unix"):
        return RedisStorage(NAME, url=url)
    if scheme == "memory":
        return MemoryStorage(NAME)
    raise QueueConfigError(f"MENTORMATCH_QUEUE_URL must start with sqlite:///, redis:// or memory://, not {url!r}")


class TaskQueue(Huey):
    """Huey, with storage and app chosen by ``init_app`` / ``bind`` rather than at import."""

    def __init__(self) -> None:
        self.app: Flask | None = None
        self._bound: BaseStorage = MemoryStorage(NAME)
        self.jobs: list = []  # the periodic tasks, in the order declared (``flask worker --burst`` runs each)
        super().__init__(NAME, results=False, utc=True, storage_class=MemoryStorage)

    @property
    def storage(self) -> BaseStorage:  # type: ignore[override]
        if has_app_context():
            found = current_app.extensions.get(EXTENSION)
            if found is not None:
                return found
        return self._bound

    @storage.setter
    def storage(self, value: BaseStorage) -> None:
        self._bound = value

    def init_app(self, app: Flask) -> None:
        """Give ``app`` its queue storage (tests build apps with different ones in one process)."""
        app.extensions[EXTENSION] = storage_for(app.config["QUEUE_URL"])

    def bind(self, app: Flask) -> None:
        """Make ``app`` the one whose context tasks run in, and whose storage threads without a context use."""
        self.app = app
        self._bound = app.extensions[EXTENSION]

    def _in_app(self, func: Callable) -> Callable:
        @wraps(func)
        def run(*args, **kwargs):
            if has_app_context():
                return func(*args, **kwargs)
            if self.app is None:
                raise RuntimeError("no app bound to the task queue: run tasks with `flask worker`")
            with self.app.app_context():
                return func(*args, **kwargs)

        return run

    def app_task(self, **options) -> Callable:
        """``@queue.app_task()``: a Huey task that runs inside the app's context."""
        return lambda func: self.task(**options)(self._in_app(func))

    def app_periodic_task(self, validate_datetime, **options) -> Callable:
        """``@queue.app_periodic_task(crontab(...))``: a scheduled task inside the app's context."""
        def declare(func: Callable):
            job = self.periodic_task(validate_datetime, **options)(self._in_app(func))
            self.jobs.append(job)
            return job

        return declare

