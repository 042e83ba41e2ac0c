"""Console forms: the POSTed ones (CSRF-checked) and the filters read from query strings."""

from __future__ import annotations

from datetime import date

from flask import Request
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


# --- filters (GET): every value is checked against a fixed list or bounded ----------------

def choice_arg(request: Request, name: str, allowed) -> str:
    """The query argument if it is one of ``allowed``, else ""."""
    value = request.args.get(name, "")
    return value if value in allowed else ""


def text_arg(request: Request, name: str, limit: int = 120) -> str:
    return request.args.get(name, "").strip()[:limit]


def int_arg(request: Request, name: str, default: int, low: int, high: int) -> int:
    value = request.args.get(name, default, type=int)
    return min(max(value if value is not None else default, low), high)


def date_arg(request: Request, name: str) -> date | None:
    try:
        return date.fromisoformat(request.args.get(name, ""))
    except ValueError:
        return None


def page_arg(request: Request) -> int:
    return int_arg(request, "page", 1, 1, 1_000_000)


SPECIALTY_CODES = domain.codes(domain.SPECIALTIES)
ROLE_CODES = domain.codes(domain.ROLES)
DECLINE_CODES = domain.codes(domain.DECLINE_REASONS)
