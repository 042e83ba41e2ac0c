"""The agreement's schedule: propose a meeting time, confirm it, propose another, cancel, log it as held.

Times are typed in the proposer's own zone (their profile's) and shown to
each person in theirs; the service stores and compares them in UTC.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch.models import Agreement, ScheduledMeeting
from mentormatch.services import agreements
from mentormatch.services.agreements.schedule import OPEN
from mentormatch.web.agreements.forms import ProposalForm, ScheduleActionForm
from mentormatch.web.agreements.views import agreement_or_404, bp
from mentormatch.web.times import viewer_zone


def _scheduled_or_404(agreement: Agreement, scheduled_id: int) -> ScheduledMeeting:
    meeting = agreements.scheduled_meeting(agreement, scheduled_id)
    if meeting is None:
        abort(404)
    return meeting


def _to_schedule(agreement: Agreement, anchor: str = "schedule"):
    return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor=anchor))


def _refused(form: ProposalForm, error: agreements.AgreementError) -> bool:
    """The service's reason, at the top and, when it is about the time, beside the time field."""
    message = str(error)
    flash(message, "error")
    if any(word in message for word in ("time", "passed", "starts", "year")):
        form.start.errors = [*form.start.errors, message]
    return True


def _proposal_page(agreement: Agreement, form: ProposalForm, meeting: ScheduledMeeting | None, refused: bool):
    if request.method == "POST" and not refused:  # the fields' own checks failed
        flash("Some answers need another look; see the messages beside the fields.", "error")
    status = 400 if request.method == "POST" else 200
    return render_template("agreements/schedule_form.html", agreement=agreement, form=form, meeting=meeting,
                           other=agreements.other_party(agreement, current_user)), status


@bp.route("/<int:agreement_id>/schedule/new", methods=["GET", "POST"])
@login_required
def propose_meeting(agreement_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    if agreement.is_ended:
        flash("This agreement has ended; its schedule cannot change.", "error")
        return _to_schedule(agreement)
    terms = agreement.current_terms
    defaults = {"kickoff": terms is None,
                "mode": terms.mode if terms is not None and terms.mode != "either" else None}
    form = ProposalForm(data=None if request.method == "POST" else defaults)
    form.set_zone(viewer_zone())
    refused = False
    if form.validate_on_submit():
        try:
            agreements.propose_meeting(agreement, current_user, form.to_input())
        except agreements.AgreementError as error:
            refused = _refused(form, error)
        else:
            other = agreements.other_party(agreement, current_user)
            flash(f"Meeting proposed. {other.name} can confirm it or propose another time.", "success")
            return _to_schedule(agreement)
    return _proposal_page(agreement, form, None, refused)


@bp.route("/<int:agreement_id>/schedule/<int:scheduled_id>/move", methods=["GET", "POST"])
@login_required
def propose_new_time(agreement_id: int, scheduled_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    meeting = _scheduled_or_404(agreement, scheduled_id)
    if meeting.status not in OPEN or agreement.is_ended:
        flash("This meeting can no longer be moved; propose a new one instead.", "error")
        return _to_schedule(agreement)
    zone = viewer_zone()
    form = ProposalForm(data=None if request.method == "POST" else ProposalForm.data_from(meeting, zone))
    form.set_zone(zone)
    refused = False
    if form.validate_on_submit():
        try:
            agreements.propose_new_time(agreement, current_user, meeting.id, form.to_input())
        except agreements.AgreementError as error:
            refused = _refused(form, error)
        else:
            other = agreements.other_party(agreement, current_user)
            flash(f"New time proposed. {other.name} can confirm it or propose another.", "success")
            return _to_schedule(agreement)
    return _proposal_page(agreement, form, meeting, refused)


@bp.route("/<int:agreement_id>/schedule/<int:scheduled_id>/confirm", methods=["POST"])
@login_required
def confirm_meeting(agreement_id: int, scheduled_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    meeting = _scheduled_or_404(agreement, scheduled_id)
    form = ScheduleActionForm()
    if not form.validate_on_submit() or not form.sequence.data:
        flash("That confirmation could not be read; please try again.", "error")
        return _to_schedule(agreement)
    try:
        agreements.confirm_meeting(agreement, current_user, meeting.id, int(form.sequence.data))
    except agreements.AgreementError as error:
        flash(str(error), "error")
    else:
        flash("Meeting confirmed. You both get a calendar invitation by email.", "success")
    return _to_schedule(agreement)


@bp.route("/<int:agreement_id>/schedule/<int:scheduled_id>/cancel", methods=["GET", "POST"])
@login_required
def cancel_meeting(agreement_id: int, scheduled_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    meeting = _scheduled_or_404(agreement, scheduled_id)
    form = ScheduleActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        if meeting.status not in OPEN or agreement.is_ended:
            flash("This meeting can no longer be cancelled.", "error")
            return _to_schedule(agreement)
        return render_template("agreements/schedule_cancel.html", agreement=agreement, meeting=meeting, form=form,
                               other=agreements.other_party(agreement, current_user))
    try:
        agreements.cancel_meeting(agreement, current_user, meeting.id)
    except agreements.AgreementError as error:
        flash(str(error), "error")
    else:
        other = agreements.other_party(agreement, current_user)
        flash(f"Meeting cancelled. {other.name} is told"
              f"{' and both calendars get the cancellation' if meeting.confirmed_by_id else ''}.", "info")
    return _to_schedule(agreement)


@bp.route("/<int:agreement_id>/schedule/<int:scheduled_id>/held", methods=["POST"])
@login_required
def log_as_held(agreement_id: int, scheduled_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    meeting = _scheduled_or_404(agreement, scheduled_id)
    if not ScheduleActionForm().validate_on_submit():
        flash("That request could not be read; please try again.", "error")
        return _to_schedule(agreement)
    try:
        logged = agreements.log_as_held(agreement, current_user, meeting.id)
    except agreements.AgreementError as error:
        flash(str(error), "error")
        return _to_schedule(agreement)
    other = agreements.other_party(agreement, current_user)
    flash(f"Meeting logged as held. {other.name} can see it.", "success")
    return _to_schedule(agreement, f"meeting-{logged.id}")
