"""Talking to the mail server: one SMTP connection for a batch of messages.

Only the worker calls this (``services.outbox.deliver``); requests write
outbox rows instead. Without ``MAIL_SERVER`` nothing leaves the machine:
the rows stay in the outbox, where development shows them on the demo
mailbox page (``web.devmail``) and production logs one line per batch.
"""

from __future__ import annotations

import logging
import re
import smtplib
from contextlib import contextmanager
from dataclasses import dataclass
from email.charset import BASE64, QP, Charset
from email.header import Header
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.utils import make_msgid
from typing import Any, Callable, Iterator, Mapping

log = logging.getLogger(__name__)

# A refusal that will not change on a later try: this address is wrong.
PERMANENT = (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused)
# The server is down, busy or cut the line: try again later.
TRANSIENT = (OSError, smtplib.SMTPException)


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    body: str
    calendar: str | None = None  # an iCalendar invitation (METHOD:REQUEST or CANCEL) sent with the body
    headers: tuple[tuple[str, str], ...] = ()  # extra headers: List-Unsubscribe and its One-Click POST (RFC 8058)


def has_server(config: Mapping[str, Any]) -> bool:
    return bool(config.get("MAIL_SERVER"))


@contextmanager
def smtp_sender(config: Mapping[str, Any]) -> Iterator[Callable[[Email], None]]:
    """Open one SMTP connection and yield a function that sends one email on it."""
    sender = config.get("MAIL_SENDER", "mentormatch@localhost")
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT", 25)), timeout=10) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD", ""))
        yield lambda email: smtp.send_message(message(email, sender))


# Quoted-printable UTF-8: readable source, any name. The classic (compat32) MIMEText builds a
# message about four times faster than EmailMessage's header policy, which capped one SMTP
# connection near the rate a worker must reach (benchmarks/mail.py).
_UTF8 = Charset("utf-8")
_UTF8.body_encoding = QP
# The invite.ics attachment: base64 keeps its CRLF line ends byte for byte.
_ATTACHED = Charset("utf-8")
_ATTACHED.body_encoding = BASE64
METHOD = re.compile(r"^METHOD:([A-Z-]+)\r?$", re.MULTILINE)


def calendar_method(calendar: str) -> str:
    """The iTIP method of an iCalendar text (REQUEST, CANCEL...); PUBLISH when it names none."""
    found = METHOD.search(calendar)
    return found.group(1) if found else "PUBLISH"


def _with_invitation(email: Email) -> MIMEMultipart:
    """The body and the invitation as alternatives (what Outlook and Gmail read as an invitation),
    plus the same invitation as an invite.ics attachment for clients that show only attachments."""
    method = calendar_method(email.calendar or "")
    alternative = MIMEMultipart("alternative")
    alternative.attach(MIMEText(email.body, "plain", _UTF8))
    inline = MIMEText(email.calendar, "calendar", _UTF8)
    inline.set_param("method", method)
    alternative.attach(inline)
    attachment = MIMEBase("application", "ics", name="invite.ics")
    attachment.set_payload(email.calendar, _ATTACHED)
    attachment.add_header("Content-Disposition", "attachment", filename="invite.ics")
    built = MIMEMultipart("mixed")
    built.attach(alternative)
    built.attach(attachment)
    return built


def message(email: Email, sender: str) -> MIMEText | MIMEMultipart:
    """The MIME message for ``email``: plain text, or with its calendar invitation when it has one."""
    built = _with_invitation(email) if email.calendar else MIMEText(email.body, "plain", _UTF8)
    built["From"] = sender
    built["To"] = email.to
    built["Subject"] = email.subject if email.subject.isascii() else Header(email.subject, "utf-8").encode()
    built["Message-ID"] = make_msgid(domain="mentormatch")
    for name, value in email.headers:
        built[name] = value
    return built
