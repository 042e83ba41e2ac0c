"""The agreement page and what changes it: terms, goals, calendar, closing, the activity record."""

from __future__ import annotations

from flask import (
    Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for,
)
from flask_login import current_user, login_required

from mentormatch.models import Agreement
from mentormatch.services import agreements
from mentormatch.web.agreements.forms import (
    ConfirmTermsForm, EndForm, FeedbackForm, GoalForm, GoalStatusForm, PrivateNoteForm, ScheduleActionForm,
    TermsForm,
)
from mentormatch.web.certificates.printing import printable

bp = Blueprint("agreements", __name__, url_prefix="/agreements")


def agreement_or_404(agreement_id: int, *, write: bool = False) -> Agreement:
    """The agreement if the current user is one of the pair (or a coordinator of its program reading), else 404.

    Reached by id whatever program the person works in now: the agreement carries its own program.
    """
    agreement = agreements.agreement_for(current_user, agreement_id)
    if agreement is None:
        abort(404)
    if write and not agreement.match.involves(current_user):
        abort(403)  # a coordinator of the pair's program reads it; only the pair shape it
    return agreement


def render_show(agreement: Agreement, status: int = 200, **forms):
    """The agreement page; ``forms`` replaces a default form to show its errors."""
    is_party = agreement.match.involves(current_user)
    context = {"goal_form": GoalForm(), "status_form": GoalStatusForm(), "end_form": EndForm(),
               "feedback_form": FeedbackForm(), "confirm_form": ConfirmTermsForm(), "note_form": PrivateNoteForm(),
               "schedule_form": ScheduleActionForm(), **forms}
    return render_template(
        "agreements/show.html", agreement=agreement, is_party=is_party,
        terms=agreement.current_terms, pending=agreement.pending_terms,
        history=agreements.history(agreement), cadence=agreements.cadence_for(agreement),
        meetings=agreements.meetings_for(agreement, current_user),
        schedule=agreements.schedule_of(agreement, current_user),
        feedback=agreements.feedback_of(agreement, current_user if is_party else None),
        topic_label=agreements.topic_label, goal_statuses=dict(agreements.GOAL_STATUSES),
        end_reasons=dict(agreements.END_REASONS), **context), status


@bp.route("/<int:agreement_id>")
@login_required
def show(agreement_id: int):
    return render_show(agreement_or_404(agreement_id))


@bp.route("/<int:agreement_id>/terms", methods=["GET", "POST"])
@login_required
def terms(agreement_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    form = TermsForm(data=None if request.method == "POST"
                     else TermsForm.data_from(agreements.default_terms(agreement)))
    if form.validate_on_submit():
        try:
            agreements.propose_terms(agreement, current_user, form.to_input())
        except agreements.AgreementError as error:
            flash(str(error), "error")
        else:
            other = agreements.other_party(agreement, current_user)
            flash(f"Your proposal is saved. It takes effect when {other.name} confirms it.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id))
    elif request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("agreements/terms.html", agreement=agreement, form=form,
                           current=agreement.current_terms), 400 if request.method == "POST" else 200


@bp.route("/<int:agreement_id>/confirm", methods=["POST"])
@login_required
def confirm(agreement_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    form = ConfirmTermsForm()
    if form.validate_on_submit():
        try:
            agreements.confirm_terms(agreement, current_user, int(form.number.data))
        except agreements.AgreementError as error:
            flash(str(error), "error")
        else:
            flash("You confirmed the terms. They are now your agreement.", "success")
    else:
        flash("That confirmation could not be read; please try again.", "error")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))


@bp.route("/<int:agreement_id>/goals", methods=["POST"])
@login_required
def add_goal(agreement_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    form = GoalForm()
    if not form.validate_on_submit():
        return render_show(agreement, 400, goal_form=form)
    try:
        agreements.add_goal(agreement, current_user, form.description.data, form.target_date.data,
                            submission_key=form.submission_key.data or None)
    except agreements.AgreementError as error:
        form.target_date.errors = [str(error)] if "date" in str(error) else []
        form.description.errors = [] if form.target_date.errors else [str(error)]
        return render_show(agreement, 400, goal_form=form)
    flash("Goal added.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor="goals"))


@bp.route("/<int:agreement_id>/goals/<int:goal_id>", methods=["POST"])
@login_required
def goal_status(agreement_id: int, goal_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    if goal_id not in {goal.id for goal in agreement.goals}:
        abort(404)
    form = GoalStatusForm()
    try:
        if not form.validate_on_submit():
            raise agreements.AgreementError("Choose a status for the goal.")
        agreements.set_goal_status(agreement, current_user, goal_id, form.status.data)
    except agreements.AgreementError as error:
        flash(str(error), "error")
    else:
        flash("Goal updated.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor="goals"))


@bp.route("/<int:agreement_id>/calendar.ics")
@login_required
def calendar(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    try:
        body = agreements.calendar_for(agreement, current_app.config["BASE_URL"])
    except agreements.AgreementError as error:
        flash(str(error), "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="mentoring-agreement-{agreement.id}.ics"'})


@bp.route("/<int:agreement_id>/record")
@login_required
def record(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    # A print view (styles inlined, no navigation or forms): the downloaded file reads the same offline.
    response = printable("agreements/record.html", record=agreements.activity_record(agreement))
    if request.args.get("download"):
        response.headers["Content-Disposition"] = f'attachment; filename="activity-record-{agreement.id}.html"'
    return response


@bp.route("/<int:agreement_id>/end", methods=["POST"])
@login_required
def end(agreement_id: int):
    agreement = agreement_or_404(agreement_id)
    form = EndForm()
    if not form.validate_on_submit():
        return render_show(agreement, 400, end_form=form)
    try:
        agreements.end_agreement(agreement, current_user, form.reason.data, form.note.data or "")
    except agreements.AgreementError as error:
        flash(str(error), "error")
    else:
        flash("The agreement has ended. Its history stays here.", "info")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))


@bp.route("/<int:agreement_id>/feedback", methods=["POST"])
@login_required
def feedback(agreement_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    form = FeedbackForm()
    if not form.validate_on_submit():
        return render_show(agreement, 400, feedback_form=form)
    try:
        agreements.leave_feedback(agreement, current_user, int(form.rating.data), form.comment.data or "")
    except agreements.AgreementError as error:
        flash(str(error), "error")
    else:
        flash("Thank you: your feedback goes to the program coordinators.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id))
