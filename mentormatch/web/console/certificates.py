"""CE certificates of the current program: the policy, issuing (a completed mentorship or a past period), the list.

Issuing asks first: the page shows what each of the pair would get (hours,
dates, or why not) and nothing is issued until the coordinator confirms.
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, DecimalField, HiddenField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, StopValidation

from mentormatch.models import Agreement
from mentormatch.services import certificates
from mentormatch.services.agreements import END_REASONS, today
from mentormatch.web.console import bp, program
from mentormatch.web.fields import single_line
from mentormatch.web.query_args import page_arg

HOURS_MESSAGE = f"Enter a number of hours from 0 to {certificates.hours_text(certificates.MAX_HOURS)}."


def _finite(form, field) -> None:
    if field.data is not None and not field.data.is_finite():
        raise StopValidation(HOURS_MESSAGE)


def _hours_field(label: str, description: str) -> DecimalField:
    return DecimalField(label, description=description, places=None, validators=[
        InputRequired(message=HOURS_MESSAGE), _finite,
        NumberRange(min=0, max=float(certificates.MAX_HOURS), message=HOURS_MESSAGE)])


def _text_field(label: str, name: str, description: str = "") -> StringField:
    return StringField(label, description=description, validators=[
        DataRequired(message=f"Enter {label[0].lower() + label[1:]}."), Length(max=certificates.LIMITS[name]),
        single_line])


class PolicyForm(FlaskForm):
    provider_name = _text_field("The provider", "provider_name",
                                "The employer or society that awards the contact hours, as the certificate names it.")
    activity_title = _text_field("Activity title", "activity_title",
                                 "For example: Structured mentoring for medical laboratory professionals.")
    hours_per_mentorship = _hours_field("Contact hours per completed mentorship",
                                        "Awarded once, when a mentorship is completed (0 for none).")
    hours_per_meeting_hour = _hours_field("Contact hours per hour of logged meetings",
                                          "1 counts each logged meeting hour as one contact hour (0 for none).")
    max_hours = _hours_field("Most contact hours on one certificate", "The cap on each certificate.")
    signer_name = _text_field("Signed by: name", "signer_name")
    signer_title = _text_field("Signed by: title", "signer_title", "For example: Laboratory Education Coordinator.")

    def to_input(self) -> certificates.PolicyInput:
        return certificates.PolicyInput(
            self.provider_name.data, self.activity_title.data, self.hours_per_mentorship.data,
            self.hours_per_meeting_hour.data, self.max_hours.data, self.signer_name.data, self.signer_title.data)

    def fill_from(self, policy) -> None:
        for name in certificates.LIMITS:
            getattr(self, name).data = getattr(policy, name)
        for name in ("hours_per_mentorship", "hours_per_meeting_hour", "max_hours"):
            getattr(self, name).data = Decimal(certificates.hours_text(getattr(policy, name)))


class IssueForm(FlaskForm):
    """A completed mentorship needs no dates; a period of an active one needs both."""

    period_start = DateField("First day of the period", validators=[Optional()])
    period_end = DateField("Last day of the period", description="Before today.", validators=[Optional()])
    confirm = BooleanField()
    planned = HiddenField()  # the dates the shown list was computed for


@bp.route("/certificates/")
def certificates_list():
    here = program()
    page = certificates.certificates_page(here, page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("console/certificates.html", page=page, policy=certificates.policy_of(here),
                           hours=certificates.hours_text, roles=dict(certificates.ROLES))


@bp.route("/certificates/to-issue")
def certificates_to_issue():
    here = program()
    return render_template(
        "console/certificates_to_issue.html", policy=certificates.policy_of(here),
        completed=certificates.completed_without_certificates(here), shown=certificates.READY_SHOWN,
        active=certificates.active_pairs_page(here, page_arg(request), current_app.config["PAGE_SIZE"]))


@bp.route("/certificates/policy", methods=["GET", "POST"])
def ce_policy():
    here = program()
    policy = certificates.policy_of(here)
    form = PolicyForm()
    if request.method == "GET" and policy is not None:
        form.fill_from(policy)
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                certificates.save_policy(here, current_user, form.to_input())
            except certificates.CertificateError as error:
                flash(str(error), "error")
            else:
                flash(f"The CE policy of {here.name} is saved. Certificates issued from now on use it; "
                      "those issued before stay as they are.", "success")
                return redirect(url_for("coordinator.certificates_list"))
        else:
            flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("console/ce_policy.html", form=form, policy=policy)


def _agreement(agreement_id: int) -> Agreement:
    found = certificates.agreement_in(program(), agreement_id)
    if found is None:
        abort(404)
    return found


@bp.route("/certificates/issue/<int:agreement_id>", methods=["GET", "POST"])
def issue_certificates(agreement_id: int):
    """GET, or a POST without ``confirm``, shows what each of the pair would get; a confirmed POST issues."""
    agreement = _agreement(agreement_id)
    completion = certificates.is_completed(agreement)
    form = IssueForm()
    if request.method == "GET" and not completion:
        began, yesterday = certificates.began_on(agreement), today() - timedelta(days=1)
        form.period_start.data, form.period_end.data = began, max(began, yesterday)
    submitted = request.method == "POST" and form.validate_on_submit()
    period = None if completion else (form.period_start.data, form.period_end.data)
    plan, refusal = None, ""
    if request.method == "POST" and not submitted:
        pass  # the dates could not be read: their messages show beside them
    elif period is not None and None in period:
        for field in (form.period_start, form.period_end):
            if field.data is None:
                field.errors = [*field.errors, "Enter the date."]
    else:
        try:
            plan = certificates.plan_certificates(agreement, current_user, period)
        except certificates.CertificateError as error:
            refusal = str(error)
    planned = _plan_key(period)
    if submitted and form.confirm.data and plan is not None and form.planned.data != planned:
        refusal = "The dates changed since the list below was shown: check what they earn, then issue."
    elif submitted and form.confirm.data and plan is not None:
        try:
            issued = certificates.issue_certificates(agreement, current_user, period)
        except certificates.CertificateError as error:
            refusal = str(error)
        else:
            flash(f"{len(issued)} certificate{'s' if len(issued) != 1 else ''} issued: "
                  f"{', '.join(c.number for c in issued)}. Their holders were told.", "success")
            return redirect(url_for("coordinator.certificates_list"))
    return render_template("console/certificates_issue.html", agreement=agreement, form=form, plan=plan,
                           refusal=refusal, completion=completion, hours=certificates.hours_text,
                           policy=certificates.policy_of(program()), end_reasons=dict(END_REASONS),
                           roles=dict(certificates.ROLES), planned=planned)


def _plan_key(period) -> str:
    """What the shown list was computed for; issuing checks the confirmed form carries the same."""
    return "completion" if period is None else f"{period[0]}:{period[1]}"
