"""Match pages for mentees and mentors.

Suggestions and requests happen in the program the person works in now
(``current_membership()``); a match page is reached by id by either of the
pair (or a coordinator of its program), whatever program is current.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from mentormatch.models import Match, MembershipStatus
from mentormatch.services import accounts, matches, participation
from mentormatch.web.access import current_membership, membership_required
from mentormatch.web.matches.forms import ConfirmForm, DeclineForm, RequestForm

bp = Blueprint("matches", __name__, url_prefix="/matches")


def _match_or_404(match_id: int, *, answer: bool = False) -> Match:
    """The match if the current user may see it (else 404); to ``answer`` it they must be one of the pair
    (a coordinator of its program who reads it gets 403)."""
    match = matches.match_for(current_user, match_id)
    if match is None:
        abort(404)
    if answer and not match.involves(current_user):
        abort(403)
    return match


@bp.route("/")
@membership_required()
def index():
    membership = current_membership()
    return render_template("matches/index.html", membership=membership, program=membership.program,
                           mine=matches.matches_of(current_user, membership.program_id))


@bp.route("/suggestions")
@membership_required("mentee")
def suggestions():
    membership = current_membership()
    program = membership.program
    profile = current_user.profile
    profile_ready = profile is not None and profile.is_complete
    ready = profile_ready and membership.is_complete()
    unconfirmed = accounts.must_confirm(current_user)
    active = membership.status == MembershipStatus.ACTIVE
    found = (matches.suggestions_for(current_user, program)
             if ready and not unconfirmed and active and program.direct_requests else [])
    return render_template("matches/suggestions.html", suggestions=found, ready=ready, profile_ready=profile_ready,
                           must_confirm=unconfirmed, program=program, membership=membership, active=active,
                           rounds_only=not program.direct_requests,
                           has_mentor=matches.has_active_match(program.id, current_user.id),
                           open_requests=matches.open_requests(current_user, program),
                           max_requests=program.max_open_requests, form=RequestForm())


@bp.route("/request/<int:mentor_id>", methods=["POST"])
@membership_required("mentee")
def request_mentor(mentor_id: int):
    form = RequestForm()
    if not form.validate_on_submit():
        flash(" ".join(form.message.errors) or "The request could not be sent.", "error")
        return redirect(url_for("matches.suggestions"))
    try:
        match = matches.request_mentor(current_user, current_membership().program, mentor_id,
                                       form.message.data or "")
    except matches.MatchError as error:
        flash(str(error), "error")
        return redirect(url_for("matches.suggestions"))
    flash(f"Your request was sent to {match.mentor.name}.", "success")
    return redirect(url_for("matches.show", match_id=match.id))


def _render_show(match: Match, status: int = 200, decline_form: DeclineForm | None = None):
    return render_template("matches/show.html", page=participation.match_page(current_user, match), match=match,
                           decline_form=decline_form or DeclineForm(), confirm_form=ConfirmForm()), status


@bp.route("/<int:match_id>")
@login_required
def show(match_id: int):
    return _render_show(_match_or_404(match_id))


@bp.route("/<int:match_id>/accept", methods=["POST"])
@login_required
def accept(match_id: int):
    match = _match_or_404(match_id, answer=True)
    if ConfirmForm().validate_on_submit():
        try:
            matches.accept(match, current_user)
        except matches.MatchError as error:
            flash(str(error), "error")
        else:
            flash("You are matched!" if match.status == "active"
                  else "Accepted. We will tell you when the other person answers.", "success")
    return redirect(url_for("matches.show", match_id=match_id))


@bp.route("/<int:match_id>/decline", methods=["POST"])
@login_required
def decline(match_id: int):
    match = _match_or_404(match_id, answer=True)
    form = DeclineForm()
    if not form.validate_on_submit():
        return _render_show(match, 400, decline_form=form)
    try:
        matches.decline(match, current_user, form.reason.data, form.note.data or "")
    except matches.MatchError as error:
        flash(str(error), "error")
    else:
        flash("You declined this match. You will not be proposed to each other again.", "info")
    return redirect(url_for("matches.show", match_id=match_id))


@bp.route("/<int:match_id>/withdraw", methods=["POST"])
@login_required
def withdraw(match_id: int):
    """The mentee who asked withdraws their request (the service checks who may)."""
    match = _match_or_404(match_id, answer=True)
    if ConfirmForm().validate_on_submit():
        try:
            matches.withdraw(match, current_user)
        except matches.MatchError as error:
            flash(str(error), "error")
        else:
            flash("Your request was withdrawn.", "info")
    return redirect(url_for("matches.show", match_id=match_id))
