"""Account emails that must not reveal, by their timing, whether an account exists."""

from __future__ import annotations

from mentormatch.extensions import queue
from mentormatch.services import accounts


@queue.app_task(retries=5, retry_delay=10)  # the database was busy or down: nothing else would send it
def email_reset_link(email: str) -> None:
    """Look the address up and email a reset link if it has an account (the request only queued it)."""
    accounts.email_reset_link(email)
