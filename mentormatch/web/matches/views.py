"""Match pages for mentees and mentors."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from mentormatch.models import Permission
from mentormatch.services import accounts, matches
from mentormatch.web.access import permission_required
from mentormatch.web.matches.forms import ConfirmForm, DeclineForm, RequestForm

bp = Blueprint("matches", __name__, url_prefix="/matches")


def _match_or_404(match_id: int):
    match = matches.match_for(current_user, match_id)
    if match is None:
        abort(404)
    return match


@bp.route("/")
@permission_required(Permission.HAVE_PROFILE)
def index():
    return render_template("matches/index.html", mine=matches.matches_of(current_user))


@bp.route("/suggestions")
@permission_required(Permission.SEEK_MENTOR)
def suggestions():
    profile = current_user.profile
    ready = profile is not None and profile.is_complete
    unconfirmed = accounts.must_confirm(current_user)
    found = matches.suggestions_for(current_user, current_app.config["SUGGESTIONS"]) if ready and not unconfirmed else []
    return render_template("matches/suggestions.html", suggestions=found, ready=ready, must_confirm=unconfirmed,
                           has_mentor=matches.has_active_match(current_user.id),
                           open_requests=matches.open_requests(current_user),
                           max_requests=current_app.config["MAX_OPEN_REQUESTS"], form=RequestForm())


@bp.route("/request/<int:mentor_id>", methods=["POST"])
@permission_required(Permission.SEEK_MENTOR)
def request_mentor(mentor_id: int):
    form = RequestForm()
    if not form.validate_on_submit():
        flash(" ".join(form.message.errors) or "The request could not be sent.", "error")
        return redirect(url_for("matches.suggestions"))
    try:
        match = matches.request_mentor(current_user, mentor_id, form.message.data or "")
    except matches.MatchError as error:
        flash(str(error), "error")
        return redirect(url_for("matches.suggestions"))
    flash(f"Your request was sent to {match.mentor.name}.", "success")
    return redirect(url_for("matches.show", match_id=match.id))


@bp.route("/<int:match_id>")
@login_required
def show(match_id: int):
    match = _match_or_404(match_id)
    return render_template("matches/show.html", match=match, reasons=matches.reasons_for(match),
                           decline_form=DeclineForm(), confirm_form=ConfirmForm())


@bp.route("/<int:match_id>/accept", methods=["POST"])
@permission_required(Permission.HAVE_PROFILE)
def accept(match_id: int):
    match = _match_or_404(match_id)
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
@permission_required(Permission.HAVE_PROFILE)
def decline(match_id: int):
    match = _match_or_404(match_id)
    form = DeclineForm()
    if not form.validate_on_submit():
        return render_template("matches/show.html", match=match, reasons=matches.reasons_for(match),
                               decline_form=form, confirm_form=ConfirmForm()), 400
    try:
        matches.decline(match, current_user, form.reason.data, form.note.data or "")
    except matches.MatchError as error:
        flash(str(error), "error")
    else:
        flash("You declined this match. You will not be proposed to each other again.", "info")
    return redirect(url_for("matches.show", match_id=match_id))


@bp.route("/<int:match_id>/withdraw", methods=["POST"])
@permission_required(Permission.SEEK_MENTOR)
def withdraw(match_id: int):
    match = _match_or_404(match_id)
    if ConfirmForm().validate_on_submit():
        try:
            matches.withdraw(match, current_user)
        except matches.MatchError as error:
            flash(str(error), "error")
        else:
            flash("Your request was withdrawn.", "info")
    return redirect(url_for("matches.show", match_id=match_id))
