"""Running the queue: a long-lived consumer with its scheduler, or one burst of what is due."""

from __future__ import annotations

import logging

from flask import Flask

from mentormatch.extensions import queue
from mentormatch.tasks import accounts, automation, mail, messages, schedule  # noqa: F401  (declares the tasks)

log = logging.getLogger(__name__)


def run_consumer(app: Flask, workers: int) -> None:
    """Consume tasks with ``workers`` threads and run the periodic jobs, until SIGINT or SIGTERM."""
    queue.bind(app)
    consumer = queue.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                     scheduler_interval=1, initial_delay=0.05, max_delay=1.0)
    consumer.run()


def run_burst(app: Flask) -> int:
    """Run every periodic job once, then every task due now until none is left; returns how many ran."""
    queue.bind(app)
    ran = 0
    for job in queue.jobs:
        job.call_local()
        ran += 1
    while True:
        for task in queue.read_schedule():  # retries whose time has come
            queue.enqueue(task)
        task = queue.dequeue()
        if task is None:
            return ran
        queue.execute(task)
        ran += 1
