"""Account emails decided in the worker, so that no request reveals by its answer or timing
whether an address has an account."""

from __future__ import annotations

from mentormatch.extensions import queue
from mentormatch.services import account_email, accounts

# The database was busy or down: nothing else would send these, so try again a few times.
RETRY = {"retries": 5, "retry_delay": 10}


@queue.app_task(**RETRY)
def email_reset_link(email: str) -> None:
    """Look the address up and email a reset link if it has an account (the request only queued it)."""
    accounts.email_reset_link(email)


@queue.app_task(**RETRY)
def complete_sign_up(email: str, name: str, password_hash: str, role: str) -> None:
    """Create the account, or tell the address's owner that someone tried (the request hashed and queued)."""
    accounts.complete_sign_up(email, name, password_hash, role)


@queue.app_task(**RETRY)
def send_email_change_links(user_id: int, new_email: str) -> None:
    """Email the change link and the old address's notice, or tell the new address's owner."""
    account_email.send_email_change_links(user_id, new_email)
