"""Coordinator pages: the dashboard, matching rounds, pairing by hand, pending proposals."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from mentormatch.models import Permission
from mentormatch.services import pairing, rounds
from mentormatch.services.matches import MatchError
from mentormatch.web.access import permission_required
from mentormatch.web.console.dashboard import render_dashboard
from mentormatch.web.coordinator.forms import (
    ConfirmForm,
    PairForm,
    RoundForm,
    WithdrawRoundForm,
)
from mentormatch.web.query_args import page_arg

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")
coordinator_only = permission_required(Permission.COORDINATE)
SHOWN_PAIRS = 500  # a preview lists this many pairs (weakest first) and this many unmatched mentees


@bp.route("/")
@coordinator_only
def dashboard():
    return render_dashboard()


@bp.route("/rounds")
@coordinator_only
def rounds_list():
    page = rounds.rounds_page(page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("coordinator/rounds.html", page=page)


def _render_round(form: RoundForm, preview: rounds.RoundPreview | None = None):
    form.digest.data = preview.digest if preview is not None else ""
    return render_template("coordinator/round_new.html", form=form, preview=preview, shown=SHOWN_PAIRS)


@bp.route("/rounds/new", methods=["GET", "POST"])
@coordinator_only
def new_round():
    form = RoundForm()
    if request.method == "GET":
        return _render_round(form)
    if not form.validate_on_submit():
        flash("Some settings need another look; see the messages beside the fields.", "error")
        return _render_round(form)
    publishing = "publish" in request.form and bool(form.digest.data)
    if publishing and form.exclude.data:
        flash("You ticked pairs to exclude. Preview again to see the round without them, then publish.", "error")
        publishing = False
    if not publishing:
        params = form.params(with_ticked=True)
        form.excluded.data = set(params.excluded)
        form.exclude.data = set()
        return _render_round(form, rounds.preview_round(params))
    try:
        result = rounds.publish_round(form.params(), current_user, expected_digest=form.digest.data or None)
    except rounds.RoundChanged as changed:
        flash(str(changed), "error")
        return _render_round(form, changed.preview)
    except rounds.RoundError as error:
        flash(str(error), "error")
        return _render_round(form, rounds.preview_round(form.params()))
    published = result.round
    flash(f"Round {published.id} is published: {published.proposals} proposals were sent to both sides.",
          "success")
    return redirect(url_for("coordinator.rounds_list"))


@bp.route("/rounds/<int:round_id>/withdraw", methods=["POST"])
@coordinator_only
def withdraw_round(round_id: int):
    matching_round = rounds.get_round(round_id)
    if matching_round is None:
        abort(404)
    form = WithdrawRoundForm()
    if not form.validate_on_submit():
        abort(400)
    if not form.confirm.data:
        flash(f"Round {round_id} was not withdrawn: tick the box to confirm first.", "error")
        return redirect(url_for("coordinator.rounds_list"))
    try:
        count = rounds.withdraw_round(matching_round, current_user)
    except rounds.RoundError as error:
        flash(str(error), "error")
    else:
        flash(f"Round {round_id} is withdrawn; {count} proposals were withdrawn and both sides told.", "success")
    return redirect(url_for("coordinator.rounds_list"))


@bp.route("/pairs/new", methods=["GET", "POST"])
@coordinator_only
def new_pair():
    form = PairForm()
    warnings: list[str] = []
    if form.validate_on_submit():
        try:
            match = pairing.pair_by_hand(current_user, form.mentee_email.data, form.mentor_email.data,
                                        confirmed=form.confirmed())
        except pairing.PairNeedsConfirmation as needed:
            warnings = needed.warnings
            form.warned_for.data = form.pair_key()
            form.confirm.data = False
            flash(str(needed), "error")
        except MatchError as error:
            flash(str(error), "error")
        else:
            flash(f"Proposed {match.mentee.name} and {match.mentor.name} to each other; "
                  f"both must accept.", "success")
            return redirect(url_for("coordinator.proposals"))
    elif request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("coordinator/pair_new.html", form=form, warnings=warnings)


@bp.route("/proposals")
@coordinator_only
def proposals():
    page = rounds.pending_proposals(page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("coordinator/proposals.html", page=page)


@bp.route("/proposals/<int:match_id>/end", methods=["POST"])
@coordinator_only
def end_proposal(match_id: int):
    match = rounds.get_match(match_id)
    if match is None:
        abort(404)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        rounds.end_proposal(match, current_user)
    except MatchError as error:
        flash(str(error), "error")
    else:
        flash(f"The proposal between {match.mentee.name} and {match.mentor.name} is ended; both were told.",
              "success")
    return redirect(url_for("coordinator.proposals", page=page_arg(request)))
