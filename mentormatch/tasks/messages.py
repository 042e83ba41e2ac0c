"""The email digest of unread messages, on a schedule."""

from __future__ import annotations

import logging

from huey import crontab

from mentormatch.extensions import queue
from mentormatch.services import messages

log = logging.getLogger(__name__)


@queue.app_periodic_task(crontab(minute="*/5"))
def send_message_digests() -> None:
    """One email per person about messages they have not read in the app for a while."""
    sent = messages.send_digests()
    if sent:
        log.info("%d message digest(s) queued", sent)
