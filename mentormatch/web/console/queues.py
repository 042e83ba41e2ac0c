"""Review queues of the current program: unmatched mentees, waiting and declined proposals, pairs behind
cadence, flags; and each row's action.

Ending a proposal or a pair asks first: GET (or a POST without ``confirm``)
shows a page with what ending does; only that page's POST ends it. A pair is
nudged at most once a day (the queue shows when it last was).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.models import MembershipStatus, ProgramRole
from mentormatch.services import rounds
from mentormatch.services.agreements.cadence import DUE_SOON, OVERDUE
from mentormatch.services.console import queues
from mentormatch.services.console.people import get_member
from mentormatch.services.matches import MatchError, suggestions_for
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import (
    DECLINE_CODES,
    SPECIALTY_CODES,
    AskFirstForm,
    ConfirmForm,
    EndPairForm,
)
from mentormatch.web.query_args import choice_arg, int_arg, page_arg, text_arg
from mentormatch.web.times import local_time

CANDIDATES = 10


def _per_page() -> int:
    return current_app.config["PAGE_SIZE"]


def _kept() -> dict[str, str]:
    """The queue page's query arguments an action carries, to go back to the same page (only known ones)."""
    return {k: v[:120] for k, v in request.args.items()
            if k in ("page", "days", "state", "reason", "specialty", "name")}


def _back(endpoint: str):
    """Back to the queue page the action came from."""
    return redirect(url_for(endpoint, **_kept()))


def _agreement_or_404(agreement_id: int) -> None:
    """Another program's pair is not found; an ended pair of this one is explained by the action."""
    if queues.get_agreement(program(), agreement_id) is None:
        abort(404)


@bp.route("/queues/")
def queues_index():
    return redirect(url_for("coordinator.unmatched"))


@bp.route("/queues/unmatched")
def unmatched():
    page = queues.unmatched(program(), page_arg(request), _per_page(), reason=choice_arg(request, "reason", queues.REASONS),
                            specialty=choice_arg(request, "specialty", SPECIALTY_CODES),
                            name=text_arg(request, "name"))
    return render_template("console/queue_unmatched.html", page=page, reasons=queues.REASONS)


@bp.route("/queues/unmatched/<int:user_id>/candidates")
def candidates(user_id: int):
    here = program()
    mentee = get_member(here, user_id)
    membership = mentee.membership_in(here.id) if mentee is not None else None
    if membership is None or membership.role != ProgramRole.MENTEE:
        abort(404)
    ready = mentee.profile is not None and mentee.profile.is_complete and membership.is_complete()
    usable = ready and mentee.active and membership.status == MembershipStatus.ACTIVE
    found = suggestions_for(mentee, here, CANDIDATES) if usable else []
    return render_template("console/candidates.html", mentee=mentee, membership=membership, candidates=found,
                           ready=ready)


@bp.route("/queues/waiting")
def waiting():
    days = int_arg(request, "days", 7, 0, 365)
    return render_template("console/queue_waiting.html", days=days,
                           page=queues.waiting_proposals(program(), page_arg(request), _per_page(), days))


def _confirmed_match(match_id: int):
    """The current program's match a queue button acts on (404 for any other), once its form checks out."""
    match = rounds.get_match(program(), match_id)
    if match is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    return match


@bp.route("/queues/waiting/<int:match_id>/remind", methods=["POST"])
def remind(match_id: int):
    match = _confirmed_match(match_id)
    try:
        reminded = queues.send_reminder(match, current_user)
    except queues.QueueError as error:
        flash(str(error), "error")
    else:
        flash(f"Reminder sent to {' and '.join(u.name for u in reminded)}.", "success")
    return _back("coordinator.waiting")


@bp.route("/queues/waiting/<int:match_id>/end", methods=["GET", "POST"])
def end_proposal(match_id: int):
    """End a pending proposal or request (it is withdrawn and both sides are told), once asked first."""
    match = rounds.get_match(program(), match_id)
    if match is None:
        abort(404)
    form = AskFirstForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    if request.method == "GET" or not form.confirmed():
        return render_template("console/end_proposal.html", match=match, form=form, kept=_kept())
    try:
        rounds.end_proposal(match, current_user)
    except (MatchError, rounds.RoundError) as error:
        flash(str(error), "error")
    else:
        flash(f"The proposal between {match.mentee.name} and {match.mentor.name} is ended; both were told.",
              "success")
    return _back("coordinator.waiting")


@bp.route("/queues/declined")
def declined():
    reason = choice_arg(request, "reason", DECLINE_CODES)
    return render_template("console/queue_declined.html", page=queues.declined(program(), page_arg(request), _per_page(),
                                                                         reason))


@bp.route("/queues/cadence")
def cadence():
    state = choice_arg(request, "state", (OVERDUE, DUE_SOON))
    return render_template("console/queue_cadence.html",
                           page=queues.behind_cadence(program(), page_arg(request), _per_page(), state))


@bp.route("/queues/cadence/<int:agreement_id>/nudge", methods=["POST"])
def nudge(agreement_id: int):
    _agreement_or_404(agreement_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        agreement = queues.nudge(program(), agreement_id, current_user)
    except queues.NudgeTooSoon as too_soon:
        flash(f"No nudge sent: this pair was last nudged {local_time(too_soon.last)}. One a day is enough; "
              f"the next can go from {local_time(too_soon.next)}.", "error")
    except queues.QueueError as error:
        flash(str(error), "error")
    else:
        flash(f"Nudge sent to {agreement.match.mentee.name} and {agreement.match.mentor.name}.", "success")
    return _back("coordinator.cadence")


@bp.route("/queues/cadence/<int:agreement_id>/end", methods=["GET", "POST"])
def end_pair(agreement_id: int):
    """Ending a pair asks first: its page says what ending does and asks why; that page's POST ends it."""
    agreement = queues.get_agreement(program(), agreement_id)
    if agreement is None:
        abort(404)
    form = EndPairForm()
    if request.method == "POST":
        valid = form.validate_on_submit()
        if "csrf_token" in form.errors:
            abort(400)
        if valid and form.confirm.data:
            return _end_pair(agreement_id, form)
        if form.confirm.data:
            flash("Choose why the pair ends (the note is limited to 1,000 characters).", "error")
        else:  # not asked yet: nothing to correct
            form.reason.errors, form.note.errors = [], []
    return render_template("console/end_pair.html", agreement=agreement, form=form, kept=_kept())


def _end_pair(agreement_id: int, form: EndPairForm):
    rematch = bool(form.rematch.data)
    try:
        agreement = queues.end_pair(program(), agreement_id, current_user, form.reason.data, form.note.data or "",
                                    rematch=rematch)
    except queues.QueueError as error:
        flash(str(error), "error")
        return _back("coordinator.cadence")
    mentee = agreement.match.mentee
    flash(f"The pair {mentee.name} and {agreement.match.mentor.name} has ended; both were told.", "success")
    if rematch:
        return redirect(url_for("coordinator.candidates", user_id=mentee.id))
    return _back("coordinator.cadence")


@bp.route("/queues/flagged")
def flagged():
    page = queues.flagged(program(), page_arg(request), _per_page(), name=text_arg(request, "name"))
    return render_template("console/queue_flagged.html", page=page)
