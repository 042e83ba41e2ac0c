"""Forms for asking, accepting and declining."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import DataRequired, Length

from mentormatch import domain
from mentormatch.web.fields import choices_of


class RequestForm(FlaskForm):
    message = TextAreaField("A short message to the mentor (optional)", validators=[Length(max=500)],
                            description="Up to 500 characters: what you hope to work on together.")


class DeclineForm(FlaskForm):
    reason = RadioField("Why are you declining?", choices=choices_of(domain.DECLINE_REASONS),
                        validators=[DataRequired(message="Choose a reason.")])
    note = TextAreaField("Anything to add? (optional)", validators=[Length(max=500)])


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF token only."""
