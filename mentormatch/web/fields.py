"""Form pieces shared by every blueprint's forms."""

from __future__ import annotations

from wtforms import SelectMultipleField
from wtforms.fields import SelectChoice
from wtforms.validators import ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from mentormatch.domain import Choices


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
