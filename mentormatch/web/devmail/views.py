"""List and open the emails in the outbox, with their links clickable, like Mailpit or MailHog.

Registered only where ``DEV_MAILBOX`` is on (development without a mail
server): it shows everyone's emails, password-reset links included, to
whoever opens it, which is what a local demo wants and production must not.
An email's calendar invitation is offered as the invite.ics it is attached as.
"""

from __future__ import annotations

import re

from flask import Blueprint, Response, abort, current_app, render_template, request

from mentormatch.mail import calendar_method
from mentormatch.services import outbox
from mentormatch.web.query_args import page_arg

bp = Blueprint("devmail", __name__, url_prefix="/dev/mailbox")
URL = re.compile(r"https?://\S+")


def body_parts(body: str) -> list[tuple[str, bool]]:
    """The body as (text, is_link) pieces, so the template escapes text and links only the URLs."""
    parts, position = [], 0
    for found in URL.finditer(body):
        parts += [(body[position:found.start()], False), (found.group(), True)]
        position = found.end()
    return [*parts, (body[position:], False)]


@bp.route("/")
def index():
    page = outbox.mailbox_page(page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("devmail/index.html", page=page)


@bp.route("/<int:email_id>")
def show(email_id: int):
    email = outbox.get_email(email_id)
    if email is None:
        abort(404)
    method = calendar_method(email.calendar) if email.calendar else None
    return render_template("devmail/show.html", email=email, parts=body_parts(email.body), method=method)


@bp.route("/<int:email_id>/invite.ics")
def invitation(email_id: int):
    email = outbox.get_email(email_id)
    if email is None or not email.calendar:
        abort(404)
    return Response(email.calendar, mimetype="text/calendar",
                    headers={"Content-Disposition": 'attachment; filename="invite.ics"'})
