"""Outgoing email: SMTP when MAIL_SERVER is set, otherwise a log line."""

from __future__ import annotations

import logging
import smtplib
from dataclasses import dataclass
from email.message import EmailMessage

from flask import current_app

log = logging.getLogger(__name__)
LOG_EACH_UP_TO = 20


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str


def send_all(emails: list[Email]) -> None:
    """Deliver ``emails``; a mail failure is logged, never shown to the user."""
    if not emails:
        return
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        if len(emails) > LOG_EACH_UP_TO:  # a matching round: one line, not thousands
            log.info("%d emails not sent (no MAIL_SERVER set), e.g. to=%s subject=%r",
                     len(emails), emails[0].to, emails[0].subject)
            return
        for email in emails:
            log.info("email (no MAIL_SERVER set) to=%s subject=%r", email.to, email.subject)
        return
    try:
        with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls()
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
            for email in emails:
                smtp.send_message(_message(email, config.get("MAIL_SENDER", "mentormatch@localhost")))
    except (OSError, smtplib.SMTPException):
        log.exception("could not send %d email(s)", len(emails))


def _message(email: Email, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message.set_content(email.body)
    return message
