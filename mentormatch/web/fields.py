"""Form pieces shared by every blueprint's forms."""

from __future__ import annotations

import secrets

from wtforms import HiddenField, SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from mentormatch.domain import Choices
from mentormatch.plain_text import line_problem


def choices_of(vocabulary: Choices) -> list[SelectChoice]:
    """Form choices for one of the fixed vocabularies in mentormatch.domain."""
    return [SelectChoice(code, label) for code, label in vocabulary]


class CheckboxesField(SelectMultipleField):
    """A multi-select shown as a list of checkboxes (works without JavaScript)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def at_least_one(message: str):
    """Validator: the multi-select must have a value."""

    def check(form, field: SelectMultipleField) -> None:
        if not field.data:
            raise ValidationError(message)

    return check


def single_line(form, field) -> None:
    """Validator for names and titles: one visible line, no bidi controls (see mentormatch.plain_text)."""
    problem = line_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


class SubmissionKeyField(HiddenField):
    """A random key rendered with the form: a second submission of the same page carries it again.

    Services that add rows take it as ``submission_key`` and return the row the
    first submission added (unique per agreement in the database). A POST
    without it gets a fresh key, so it is never refused, only not deduplicated.
    """

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("default", lambda: secrets.token_urlsafe(16))
        super().__init__(label, validators or [Length(max=64)], **kwargs)
