"""Exactly once: the automation run by two worker processes at the same time, then by a restarted one,
sends each reminder digest once (the pass's queue: a SQLite file, or Redis in the PostgreSQL pass)."""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta

from mentormatch.extensions import db
from mentormatch.models import Notification, Reminder
from mentormatch.tasks.automation import run_automation_now
from tests.factories import make_pair
from tests.mailserver import smtp_server
from tests.services.test_reminders import at_chicago, confirmed_terms
from tests.tasks.conftest import wait_until

PAIRS = 6


def counts(app) -> tuple[int, int]:
    with app.app_context():
        found = (db.session.scalar(db.select(db.func.count()).select_from(Reminder)),
                 db.session.scalar(db.select(db.func.count()).select_from(Notification)
                                   .where(Notification.kind == "reminder")))
        db.session.remove()
    return found


def digests(inbox) -> list:
    """The reminder digests received (the pairs' setup sent other emails too)."""
    return [(tos, body) for tos, body in list(inbox.messages) if "Subject: MentorMatch: 1 reminder for you" in body]


def test_two_workers_racing_and_a_restarted_one_send_every_digest_once(app, start_worker, burst):
    with app.app_context():
        people = []
        for n in range(PAIRS):
            match = make_pair(f"Mentee {n}", f"Mentor {n}")
            confirmed_terms(match, date.today(), "weekly")  # overdue from day 8 for both of the pair
            people += [match.mentee.email, match.mentor.email]
        db.session.remove()
    moment = at_chicago(date.today() + timedelta(days=9), 10).isoformat()  # 10:00 for them: daytime

    with smtp_server() as inbox:
        for _ in range(2):
            start_worker(inbox.port, workers=2, MENTORMATCH_CLOCK=moment)
        with app.app_context():
            for _ in range(8):  # eight runs queued at once: four threads in two processes take them together
                run_automation_now()
        wait_until(lambda: len(digests(inbox)) >= len(people), 60, "a digest to everyone")
        time.sleep(3)  # time for a duplicate to arrive, were there one
        assert Counter(to for tos, _ in digests(inbox) for to in tos) == Counter({email: 1 for email in people})
        assert all("List-Unsubscribe-Post: List-Unsubscribe=One-Click" in body for _, body in digests(inbox))
        assert counts(app) == (len(people), len(people))  # one reminder each, in the app once

        for _ in range(2):  # a scheduler restarted twice at the same moment runs every job again
            burst(inbox.port, MENTORMATCH_CLOCK=moment)
        time.sleep(1)
        assert len(digests(inbox)) == len(people)
        assert counts(app) == (len(people), len(people))
