"""The administrator's forms: a new program, appointing and removing a coordinator."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange, Optional, Regexp

from mentormatch import domain
from mentormatch.services.programs import ProgramInput
from mentormatch.web.fields import choices_of, single_line

METHODS = [SelectChoice("optimal", "Optimal: match as many mentees as possible, then the highest total score"),
           SelectChoice("stable", "Stable: no mentee and mentor would both rather have each other")]


def _number(label: str, low: int, high: int, default: int, description: str = "") -> IntegerField:
    message = f"Enter a number from {low} to {high}."
    return IntegerField(label, default=default, description=description,
                        validators=[InputRequired(message=message), NumberRange(min=low, max=high, message=message)])


class ProgramForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=120), single_line])
    slug = StringField("Short name for addresses (optional)", description="Lower-case letters, digits and dashes; "
                       "made from the name when empty.",
                       validators=[Optional(), Length(max=60),
                                   Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Use lower-case letters, digits "
                                          "and single dashes.")])
    description = TextAreaField("Description", validators=[Length(max=2000)])
    track = SelectField("Track", choices=choices_of(domain.TRACKS), default="general")
    enrolment = SelectField("Who may join", choices=choices_of(domain.ENROLMENTS), default="open")
    enrol_opens_on = DateField("Enrolment opens on (optional)", validators=[Optional()])
    enrol_closes_on = DateField("Enrolment closes on (optional)", validators=[Optional()])
    starts_on = DateField("The cycle starts on (optional)", validators=[Optional()])
    ends_on = DateField("The cycle ends on (optional)", validators=[Optional()])
    agreement_months = _number("Default agreement length in months", 1, 36, 6)
    mentees_may_join = BooleanField("Mentees may join themselves", default=True)
    mentors_may_join = BooleanField("Mentors may join themselves", default=True)
    matching_method = SelectField("Matching method for rounds", choices=METHODS, default="optimal")
    max_open_requests = _number("Open requests a mentee may have at once", 1, 10, 3)
    expiry_days = _number("Days a mentor has to answer before a request expires", 1, 90, 14)
    suggestions = _number("Mentor suggestions shown to a mentee", 1, 50, 10)
    direct_requests = BooleanField("Mentees may ask mentors directly (otherwise only rounds propose)", default=True)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        for first, last in ((self.enrol_opens_on, self.enrol_closes_on), (self.starts_on, self.ends_on)):
            if first.data and last.data and last.data < first.data:
                last.errors = [*last.errors, "This date comes before the one it closes."]
                ok = False
        return ok

    def to_input(self) -> ProgramInput:
        return ProgramInput(
            name=self.name.data.strip(), slug=(self.slug.data or "").strip(), description=self.description.data or "",
            track=self.track.data, enrolment=self.enrolment.data, enrol_opens_on=self.enrol_opens_on.data,
            enrol_closes_on=self.enrol_closes_on.data, starts_on=self.starts_on.data, ends_on=self.ends_on.data,
            agreement_months=self.agreement_months.data, mentors_may_join=bool(self.mentors_may_join.data),
            mentees_may_join=bool(self.mentees_may_join.data), matching_method=self.matching_method.data,
            max_open_requests=self.max_open_requests.data, expiry_days=self.expiry_days.data,
            suggestions=self.suggestions.data, direct_requests=bool(self.direct_requests.data))


class AppointForm(FlaskForm):
    """Appointing a coordinator: the email, then (from the page that asks first) ``confirm=y``."""

    email = EmailField("Email of an existing account", validators=[DataRequired(), Length(max=254), Email()])
    confirm = BooleanField()


class RemoveCoordinatorForm(FlaskForm):
    """The confirmation step of removing a coordinator: its page posts ``confirm=y``."""

    confirm = BooleanField()
