"""Console forms: the POSTed ones (CSRF-checked) and the filters read from query strings."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length

from mentormatch import domain
from mentormatch.services.agreements.closing import END_REASONS
from mentormatch.web.fields import choices_of


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF token only."""


class FlagForm(FlaskForm):
    reason = StringField("Why does this profile need a look?", validators=[
        DataRequired(message="Say why the profile needs a look."), Length(max=300)])


class EndPairForm(FlaskForm):
    reason = RadioField("Why does the pair end?", choices=choices_of(END_REASONS),
                        validators=[DataRequired(message="Choose a reason.")])
    note = TextAreaField("Note to the pair (optional)", validators=[Length(max=1000)])


class RosterForm(FlaskForm):
    roster = FileField("CSV file of people", validators=[FileRequired(message="Choose a CSV file.")],
                       description="UTF-8 CSV; the first row names the columns.")
    check_only = BooleanField("Only check the file, import nobody")


SPECIALTY_CODES = domain.codes(domain.SPECIALTIES)
ROLE_CODES = domain.codes(domain.ROLES)
DECLINE_CODES = domain.codes(domain.DECLINE_REASONS)
