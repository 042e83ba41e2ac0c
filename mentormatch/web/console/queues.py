"""Review queues: unmatched mentees, waiting and declined proposals, pairs behind cadence, flags."""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.models import Role
from mentormatch.services.agreements.cadence import DUE_SOON, OVERDUE
from mentormatch.services.console import queues
from mentormatch.services.console.people import get_user
from mentormatch.services.matches import suggestions_for
from mentormatch.web.console import bp
from mentormatch.web.console.forms import (
    DECLINE_CODES,
    SPECIALTY_CODES,
    ConfirmForm,
    EndPairForm,
)
from mentormatch.web.query_args import choice_arg, int_arg, page_arg, text_arg

CANDIDATES = 10


def _per_page() -> int:
    return current_app.config["PAGE_SIZE"]


def _back(endpoint: str):
    """Back to the queue page the action came from (only known query arguments are kept)."""
    kept = {k: v for k, v in request.args.items() if k in ("page", "days", "state", "reason", "specialty", "name")}
    return redirect(url_for(endpoint, **kept))


@bp.route("/queues/")
def queues_index():
    return redirect(url_for("console.unmatched"))


@bp.route("/queues/unmatched")
def unmatched():
    page = queues.unmatched(page_arg(request), _per_page(), reason=choice_arg(request, "reason", queues.REASONS),
                            specialty=choice_arg(request, "specialty", SPECIALTY_CODES),
                            name=text_arg(request, "name"))
    return render_template("console/queue_unmatched.html", page=page, reasons=queues.REASONS)


@bp.route("/queues/unmatched/<int:user_id>/candidates")
def candidates(user_id: int):
    mentee = get_user(user_id)
    if mentee is None or mentee.role != Role.MENTEE:
        abort(404)
    ready = mentee.profile is not None and mentee.profile.is_complete
    found = suggestions_for(mentee, CANDIDATES) if ready and mentee.active else []
    return render_template("console/candidates.html", mentee=mentee, candidates=found, ready=ready)


@bp.route("/queues/waiting")
def waiting():
    days = int_arg(request, "days", 7, 0, 365)
    return render_template("console/queue_waiting.html", days=days,
                           page=queues.waiting_proposals(page_arg(request), _per_page(), days))


@bp.route("/queues/waiting/<int:match_id>/remind", methods=["POST"])
def remind(match_id: int):
    match = queues.get_match(match_id)
    if match is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        reminded = queues.send_reminder(match, current_user)
    except queues.QueueError as error:
        flash(str(error), "error")
    else:
        flash(f"Reminder sent to {' and '.join(u.name for u in reminded)}.", "success")
    return _back("console.waiting")


@bp.route("/queues/declined")
def declined():
    reason = choice_arg(request, "reason", DECLINE_CODES)
    return render_template("console/queue_declined.html", page=queues.declined(page_arg(request), _per_page(), reason))


@bp.route("/queues/cadence")
def cadence():
    state = choice_arg(request, "state", (OVERDUE, DUE_SOON))
    return render_template("console/queue_cadence.html", page=queues.behind_cadence(page_arg(request), _per_page(),
                                                                                     state), end_form=EndPairForm())


@bp.route("/queues/cadence/<int:agreement_id>/nudge", methods=["POST"])
def nudge(agreement_id: int):
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        agreement = queues.nudge(agreement_id, current_user)
    except queues.QueueError as error:
        flash(str(error), "error")
    else:
        flash(f"Nudge sent to {agreement.match.mentee.name} and {agreement.match.mentor.name}.", "success")
    return _back("console.cadence")


@bp.route("/queues/cadence/<int:agreement_id>/end", methods=["POST"])
def end_pair(agreement_id: int):
    form = EndPairForm()
    rematch = request.form.get("rematch") == "y"
    if not form.validate_on_submit():
        flash("Choose why the pair ends (the note is limited to 1,000 characters).", "error")
        return _back("console.cadence")
    try:
        agreement = queues.end_pair(agreement_id, current_user, form.reason.data, form.note.data or "",
                                    rematch=rematch)
    except queues.QueueError as error:
        flash(str(error), "error")
        return _back("console.cadence")
    mentee = agreement.match.mentee
    flash(f"The pair {mentee.name} and {agreement.match.mentor.name} has ended; both were told.", "success")
    if rematch:
        return redirect(url_for("console.candidates", user_id=mentee.id))
    return _back("console.cadence")


@bp.route("/queues/flagged")
def flagged():
    page = queues.flagged(page_arg(request), _per_page(), name=text_arg(request, "name"))
    return render_template("console/queue_flagged.html", page=page)
