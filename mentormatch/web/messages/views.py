"""The message thread of a pair: reading, writing and reporting a message.

Only the two people of the match reach these pages; anyone else, a
coordinator of the program included, gets a 404 (coordinators see a
reported message alone, in the coordinator area).
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch.services import messages
from mentormatch.web.messages.forms import MessageForm, ReportForm

bp = Blueprint("messages", __name__, url_prefix="/matches")


def _page_arg() -> int | None:
    """The page asked for; None (the newest page) when none is."""
    page = request.args.get("page", type=int)
    return min(max(page, 1), 1_000_000) if page is not None else None


def _render_thread(match_id: int, form: MessageForm, status: int = 200):
    thread = messages.thread_for(current_user, match_id, _page_arg())
    if thread is None:
        abort(404)
    return render_template("messages/thread.html", thread=thread, match=thread.match, form=form,
                           max_body=messages.MAX_BODY), status


@bp.route("/<int:match_id>/messages", methods=["GET", "POST"])
@login_required
def thread(match_id: int):
    """The thread (GET), or a new message in it (POST): one rule, so an impossible id is 404 for both."""
    if request.method == "POST":
        return _send(match_id)
    return _render_thread(match_id, MessageForm())


def _send(match_id: int):
    match = messages.match_of(current_user, match_id)
    if match is None:
        abort(404)
    form = MessageForm()
    if form.validate_on_submit():
        try:
            messages.send_message(match, current_user, form.body.data)
        except messages.MessageError as error:
            form.body.errors = [*form.body.errors, str(error)]
        else:
            flash(f"Your message to {messages.partner_of(match, current_user).name} is sent.", "success")
            return redirect(url_for("messages.thread", match_id=match_id, _anchor="latest"))
    return _render_thread(match_id, form, 400)


@bp.route("/<int:match_id>/messages/<int:message_id>/report", methods=["GET", "POST"])
@login_required
def report(match_id: int, message_id: int):
    message = messages.message_to_report(current_user, match_id, message_id)
    if message is None:
        abort(404)
    if message.reported_at is not None and request.method == "POST":
        flash("This message is already reported to the coordinators.", "info")
        return redirect(url_for("messages.thread", match_id=match_id))
    form = ReportForm()
    if message.reported_at is None and form.validate_on_submit():
        try:
            messages.report_message(message.match, current_user, message.id, form.reason.data)
        except messages.MessageError as error:
            form.reason.errors = [*form.reason.errors, str(error)]
        else:
            flash("The message is reported. The program's coordinators will look at it; they see this "
                  "message and your reason only, not the rest of your conversation.", "success")
            return redirect(url_for("messages.thread", match_id=match_id))
    return render_template("messages/report.html", message=message, match=message.match, form=form,
                           partner=messages.partner_of(message.match, current_user),
                           max_reason=messages.MAX_REASON), 400 if request.method == "POST" else 200
