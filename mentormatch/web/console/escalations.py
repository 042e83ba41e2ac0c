"""Coordinator pages: the current program's open escalations, marking one resolved, and their thresholds.

Escalations are raised by the scheduler (services.escalations); here they are
listed, oldest first, with the reason and the suggested action's page.
Marking one resolved asks first: GET, or a POST without ``confirm``, shows
what it does; only that page's POST resolves it.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import IntegerField
from wtforms.validators import InputRequired, NumberRange

from mentormatch.services import escalations
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import AskFirstForm
from mentormatch.web.query_args import choice_arg, page_arg


def _days_field(name: str, label: str, description: str) -> IntegerField:
    _, low, high = escalations.SETTINGS[name]
    message = f"Enter a whole number of days from {low} to {high}."
    return IntegerField(label, description=description, validators=[
        InputRequired(message=message), NumberRange(min=low, max=high, message=message)])


class SettingsForm(FlaskForm):
    quiet_days = _days_field("quiet_days", "Pairs with no meeting logged for (days)",
                             "Counted from the last meeting, or from the agreed start when they have not met yet.")
    unanswered_days = _days_field("unanswered_days", "Requests and proposals unanswered by the mentor for (days)",
                                  "A mentee's request or a round's proposal waiting for the mentor's answer.")
    unmatched_days = _days_field("unmatched_days", "Mentees without a mentor, days after enrolling",
                                 "Active mentees with no match open or active.")

    def values(self) -> dict[str, int]:
        return {name: getattr(self, name).data for name in escalations.SETTINGS}


def _kept() -> dict[str, str]:
    """The list's query arguments an action carries, to go back to the same page (only known ones)."""
    return {k: v[:40] for k, v in request.args.items() if k in ("page", "kind")}


def _back():
    return redirect(url_for("coordinator.escalations", **_kept()))


@bp.route("/escalations", endpoint="escalations")
def escalations_list():
    here = program()
    kind = choice_arg(request, "kind", escalations.KIND_LABELS)
    page = escalations.open_escalations(here, page_arg(request), current_app.config["PAGE_SIZE"], kind)
    return render_template("console/escalations.html", page=page, kinds=escalations.KINDS,
                           labels_of=escalations.KIND_LABELS, counts=escalations.open_counts(here),
                           settings=escalations.settings_of(here))


@bp.route("/escalations/<int:escalation_id>/resolve", methods=["GET", "POST"])
def resolve_escalation(escalation_id: int):
    """Mark an escalation resolved, once asked first; another program's is not found."""
    here = program()
    escalation = escalations.get_escalation(here, escalation_id)
    if escalation is None:
        abort(404)
    form = AskFirstForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    if request.method == "GET" or not form.confirmed():
        return render_template("console/escalation_resolve.html", escalation=escalation, form=form, kept=_kept(),
                               labels_of=escalations.KIND_LABELS)
    try:
        escalations.resolve(here, escalation_id, current_user)
    except escalations.EscalationError as error:
        flash(str(error), "error")
    else:
        flash("Marked resolved. It leaves the list and the weekly digest; if the same thing happens again "
              "later (a new quiet streak, say), a new escalation is raised.", "success")
    return _back()


@bp.route("/escalations/settings", methods=["GET", "POST"])
def escalation_settings():
    here = program()
    form = SettingsForm(data=escalations.settings_of(here)) if request.method == "GET" else SettingsForm()
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                escalations.update_settings(here, coordinator=current_user, **form.values())
            except escalations.SettingsError as error:
                for name, message in error.errors.items():
                    getattr(form, name).errors = [message]
            else:
                flash(f"Saved. The scheduler uses these numbers for {here.name} from its next run: what they make "
                      "due is raised, and what they no longer make due is resolved.", "success")
                return redirect(url_for("coordinator.escalations"))
        flash("Some answers need another look; see the messages beside the fields.", "error")
        return render_template("console/escalation_settings.html", form=form), 400
    return render_template("console/escalation_settings.html", form=form)
