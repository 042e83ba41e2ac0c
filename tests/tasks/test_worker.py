"""Email delivery through a real worker process and a real SMTP server, on the pass's queue storage
(a SQLite file in the SQLite pass, Redis in the PostgreSQL pass)."""

from __future__ import annotations

import asyncio
import signal
import time
from collections import Counter

import pytest

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import OutboxEmail
from mentormatch.services.outbox import MARK_EVERY, queue_email, queue_emails
from mentormatch.services.transactions import transaction
from tests.mailserver import Inbox, free_port, smtp_server
from tests.tasks.conftest import wait_until


def commit_emails(app, addresses: list[str]) -> None:
    with app.app_context():
        with transaction():
            queue_emails([Email(a, "MentorMatch: test", f"Hello {a}") for a in addresses])
        db.session.remove()


def received(inbox: Inbox) -> Counter:
    return Counter(to for tos, _ in list(inbox.messages) for to in tos)


def unsent(app) -> int:
    with app.app_context():
        found = db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)
                                  .where(OutboxEmail.sent_at.is_(None)))
        db.session.remove()
    return found


def test_an_email_for_a_rolled_back_change_is_never_sent(app, start_worker, burst):
    with smtp_server() as inbox:
        start_worker(inbox.port)
        with app.app_context():
            with pytest.raises(RuntimeError):
                with transaction():
                    queue_email(Email("rolled-back@lab.example.org", "MentorMatch: no", "never"))
                    raise RuntimeError("the use case failed after deciding to email")
            with transaction():
                queue_email(Email("committed@lab.example.org", "MentorMatch: yes", "sent"))
            db.session.remove()
        wait_until(lambda: received(inbox), 30, "the committed email")
        burst(inbox.port)  # sweeps every unsent row there is: a rolled-back one would go now
        assert received(inbox) == Counter({"committed@lab.example.org": 1})
        assert unsent(app) == 0


def test_a_mail_server_down_for_30_seconds_gets_every_email_once_when_it_is_back(app, start_worker):
    port = free_port()  # nothing listens here yet: every connection is refused
    start_worker(port, workers=2)
    addresses = [f"person{i}@lab.example.org" for i in range(40)]
    commit_emails(app, addresses)
    time.sleep(30)
    assert unsent(app) == 40
    with smtp_server(port) as inbox:
        wait_until(lambda: len(received(inbox)) == 40, 60, "every email after the server came back")
        time.sleep(2)  # time for a duplicate to arrive, were there one
        assert received(inbox) == Counter({a: 1 for a in addresses})
    assert unsent(app) == 0


class SlowInbox(Inbox):
    """Takes 20 ms per message, so a batch is still being sent when the worker is killed."""

    async def handle_DATA(self, server, session, envelope):
        await asyncio.sleep(0.02)
        return await super().handle_DATA(server, session, envelope)


def test_a_worker_killed_mid_batch_loses_nothing_and_resends_at_most_what_was_in_flight(app, start_worker, burst):
    from aiosmtpd.controller import Controller

    inbox = SlowInbox()
    inbox.port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=inbox.port)
    controller.start()
    try:
        worker = start_worker(inbox.port)
        addresses = [f"person{i}@lab.example.org" for i in range(300)]
        commit_emails(app, addresses)
        wait_until(lambda: len(inbox.messages) >= 50, 60, "the worker to be well into the batch")
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        assert unsent(app) > 0, "the worker finished before it was killed: nothing was tested"
        time.sleep(2.5)  # the dead worker's claim lapses
        burst(inbox.port)
        counts = received(inbox)
        assert set(counts) == set(addresses)  # nothing lost
        assert max(counts.values()) <= 2  # a row goes at most once more
        assert sum(counts.values()) - len(addresses) <= MARK_EVERY  # only what was sent but not yet marked
        assert unsent(app) == 0
    finally:
        controller.stop()
