"""Logging a meeting, and each person's own private note on it."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from wtforms.fields import SelectChoice

from mentormatch.services import agreements
from mentormatch.web.agreements.forms import MeetingForm, PrivateNoteForm
from mentormatch.web.agreements.views import agreement_or_404, bp, render_show


@bp.route("/<int:agreement_id>/meetings/new", methods=["GET", "POST"])
@login_required
def log_meeting(agreement_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    terms = agreement.current_terms
    if agreement.is_ended:
        flash("This agreement has ended; its meeting log cannot change.", "error")
        return redirect(url_for("agreements.show", agreement_id=agreement.id))
    # Before the terms are confirmed only the kick-off can be logged: the box starts ticked.
    shown = terms or agreement.pending_terms
    form = MeetingForm(data=None if request.method == "POST" else {
        "mode": shown.mode if shown is not None and shown.mode != "either" else None, "kickoff": terms is None})
    form.topics.choices = [SelectChoice(key, agreements.topic_label(key))
                           for key in agreements.agreed_topics(agreement)]
    if form.validate_on_submit():
        try:
            agreements.log_meeting(agreement, current_user, form.to_input())
        except agreements.AgreementError as error:
            flash(str(error), "error")
        else:
            flash("Meeting logged. "
                  f"{agreements.other_party(agreement, current_user).name} can see it.", "success")
            return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor="meetings"))
    elif request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("agreements/meeting_new.html", agreement=agreement, form=form, terms=terms), \
        400 if request.method == "POST" else 200


@bp.route("/<int:agreement_id>/meetings/<int:meeting_id>/note", methods=["POST"])
@login_required
def private_note(agreement_id: int, meeting_id: int):
    agreement = agreement_or_404(agreement_id, write=True)
    form = PrivateNoteForm()
    if not form.validate_on_submit():
        return render_show(agreement, 400, note_form=form)
    try:
        agreements.save_private_note(agreement, current_user, meeting_id, form.text.data or "")
    except agreements.AgreementError:
        abort(404)
    flash("Your private note is saved. Only you can read it.", "success")
    return redirect(url_for("agreements.show", agreement_id=agreement.id, _anchor=f"meeting-{meeting_id}"))
