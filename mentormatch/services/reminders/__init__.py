"""Reminders to participants: what is due (``rules``), written once and emailed in a daily digest
(``sending``), and which kinds each person wants by email (``preferences``)."""

from mentormatch.services.reminders.sending import raise_due, send_digests

__all__ = ["raise_due", "send_digests"]
