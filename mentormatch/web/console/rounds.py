"""Matching rounds of the current program: the list, a new round (preview, adjust, publish), withdrawing one.

Publishing and withdrawing ask first: a page says what will happen (how many
proposals, how many people told, how many emails) and nothing is sent until
the coordinator confirms there.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.services import rounds
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import AskFirstForm, RoundForm
from mentormatch.web.query_args import page_arg

SHOWN_PAIRS = 500  # a preview lists this many pairs (weakest first) and this many unmatched mentees


@bp.route("/rounds")
def rounds_list():
    page = rounds.rounds_page(program(), page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("console/rounds.html", page=page)


def _render_round(form: RoundForm, preview: rounds.RoundPreview | None = None):
    form.digest.data = preview.digest if preview is not None else ""
    return render_template("console/round_new.html", form=form, preview=preview, shown=SHOWN_PAIRS)


@bp.route("/rounds/new", methods=["GET", "POST"])
def new_round():
    here = program()
    if request.method == "GET":
        return _render_round(RoundForm.for_program(here))
    form = RoundForm()
    if not form.validate_on_submit():
        flash("Some settings need another look; see the messages beside the fields.", "error")
        return _render_round(form)
    if "save_defaults" in request.form:
        rounds.save_defaults(here, form.params(), current_user)
        flash(f"New rounds in {here.name} start from this method and these weights.", "success")
        return redirect(url_for("coordinator.new_round"))
    publishing = "publish" in request.form and bool(form.digest.data)
    if publishing and form.exclude.data:
        flash("You ticked pairs to exclude. Preview again to see the round without them, then publish.", "error")
        publishing = False
    if not publishing:
        params = form.params(with_ticked=True)
        form.excluded.data = set(params.excluded)
        form.exclude.data = set()
        return _render_round(form, rounds.preview_round(here, params))
    if not form.confirmed.data:
        return _ask_before_publishing(form)
    try:
        result = rounds.publish_round(here, form.params(), current_user, expected_digest=form.digest.data or None)
    except rounds.RoundChanged as changed:
        flash(str(changed), "error")
        return _render_round(form, changed.preview)
    except rounds.RoundError as error:
        flash(str(error), "error")
        return _render_round(form, rounds.preview_round(here, form.params()))
    published = result.round
    flash(f"Round {published.id} is published: {published.proposals} proposals were sent to both sides.",
          "success")
    return redirect(url_for("coordinator.rounds_list"))


def _ask_before_publishing(form: RoundForm):
    """The page between the preview and publishing: what publishing does, from a fresh run of the same round."""
    preview = rounds.preview_round(program(), form.params())
    if preview.digest != form.digest.data:
        flash(str(rounds.RoundChanged(preview)), "error")
        return _render_round(form, preview)
    mentors = len({p.mentor_id for p in preview.pairs})
    return render_template("console/round_publish.html", form=form, preview=preview, mentors=mentors)


@bp.route("/rounds/<int:round_id>/withdraw", methods=["GET", "POST"])
def withdraw_round(round_id: int):
    """GET (or a POST without ``confirm``) asks first, with what withdrawing does; a confirmed POST withdraws."""
    matching_round = rounds.get_round(program(), round_id)
    if matching_round is None:
        abort(404)
    form = AskFirstForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    if request.method == "GET" or not form.confirmed():
        return render_template("console/round_withdraw.html", summary=rounds.round_summary(matching_round),
                               form=form)
    try:
        count = rounds.withdraw_round(matching_round, current_user)
    except rounds.RoundError as error:
        flash(str(error), "error")
    else:
        flash(f"Round {round_id} is withdrawn; {count} proposals were withdrawn and both sides told.", "success")
    return redirect(url_for("coordinator.rounds_list"))
