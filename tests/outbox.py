"""What the program decided to email: the outbox rows, read like a list of ``Email``."""

from __future__ import annotations

from flask import Flask

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import OutboxEmail
from mentormatch.tasks.worker import run_burst


class Outbox:
    """The emails queued since the last ``clear()``, in the order they were written.

    With ``run_queue`` each read first runs the task queue once (``flask
    worker --burst`` in process): emails some tasks write (a password reset)
    exist only after that.
    """

    def __init__(self, app: Flask, run_queue: bool = False) -> None:
        self.app, self.run_queue, self.after = app, run_queue, 0

    def _rows(self) -> list[tuple[int, Email]]:
        with self.app.app_context():
            if self.run_queue:
                run_burst(self.app)
            rows = db.session.execute(db.select(OutboxEmail.id, OutboxEmail.recipient, OutboxEmail.subject,
                                                OutboxEmail.body).where(OutboxEmail.id > self.after)
                                      .order_by(OutboxEmail.id)).all()
            db.session.remove()
        return [(row.id, Email(row.recipient, row.subject, row.body)) for row in rows]

    def emails(self) -> list[Email]:
        return [email for _, email in self._rows()]

    def clear(self) -> None:
        rows = self._rows()
        if rows:
            self.after = rows[-1][0]

    def __iter__(self):
        return iter(self.emails())

    def __len__(self) -> int:
        return len(self.emails())

    def __getitem__(self, index):
        return self.emails()[index]

    def __eq__(self, other) -> bool:
        return self.emails() == list(other)
