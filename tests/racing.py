"""Run use cases at the same moment on real, separate database connections.

Each job runs in a thread of its own with its own app context, so its own
session and connection; a barrier releases them together. On PostgreSQL that
is real concurrency between server connections; on SQLite it exercises
BEGIN IMMEDIATE (services.transactions).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from mentormatch.extensions import db


def race(app, jobs: list[Callable[[Callable[[], None]], Any]],
         expected: tuple[type[BaseException], ...] = ()) -> tuple[list[Any], list[BaseException]]:
    """Run every job at once; each receives ``ready`` and calls it when its reads are done.

    Returns what the jobs returned (or the ``expected`` errors they raised) and any other error.
    """
    barrier = threading.Barrier(len(jobs))
    results: list[Any] = []
    errors: list[BaseException] = []

    def ready() -> None:
        barrier.wait(timeout=30)

    def run(job) -> None:
        with app.app_context():
            try:
                results.append(job(ready))
            except expected as refusal:
                results.append(refusal)
            except BaseException as error:  # noqa: BLE001 - the caller reports it
                errors.append(error)
                barrier.abort()  # the others stop waiting for a job that will never be ready
            finally:
                db.session.remove()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results, errors
