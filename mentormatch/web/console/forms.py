"""Coordinator forms: the POSTed ones (CSRF-checked), a round's settings, pairing by hand, query filters."""

from __future__ import annotations

import re

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, DecimalField, Field, HiddenField, RadioField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import (
    DataRequired, InputRequired, Length, NumberRange, StopValidation, ValidationError,
)
from wtforms.widgets import HiddenInput

from mentormatch import domain
from mentormatch.matching import CRITERIA, Weights
from mentormatch.models import Program
from mentormatch.services.agreements.closing import END_REASONS
from mentormatch.services.pairing import MemberSearch
from mentormatch.services.rounds import RoundParams, default_params
from mentormatch.web.fields import choices_of


class ConfirmForm(FlaskForm):
    """A button that changes something: CSRF token only."""


class AskFirstForm(FlaskForm):
    """A change that asks first: its confirmation page posts ``confirm=y``; a post without it is shown that page."""

    confirm = BooleanField()

    def confirmed(self) -> bool:
        return bool(self.confirm.data)


class FlagForm(FlaskForm):
    reason = StringField("Why does this profile need a look?", validators=[
        DataRequired(message="Say why the profile needs a look."), Length(max=300)])


class EndPairForm(FlaskForm):
    """Ending a pair: its page asks first, with the reason and note (``confirm=y`` comes from that page)."""

    reason = RadioField("Why does the pair end?", choices=choices_of(END_REASONS),
                        validators=[DataRequired(message="Choose a reason.")])
    note = TextAreaField("Note to the pair (optional)", validators=[Length(max=1000)])
    rematch = BooleanField("Then find the mentee a new mentor")
    confirm = BooleanField()


class RosterForm(FlaskForm):
    roster = FileField("CSV file of people", validators=[FileRequired(message="Choose a CSV file.")],
                       description="UTF-8 CSV; the first row names the columns.")
    check_only = BooleanField("Only check the file, import nobody")
    # A full sync (services.console.roster_sync): a preview first, then the same file with the preview's digest.
    full = BooleanField("This file is the whole roster: members missing from it leave the program "
                        "(you see who first)")
    sync_digest = HiddenField()
    confirm_sync = BooleanField("I have checked the list: the people listed leave the program")
    confirm_large = BooleanField("Yes, more than half of the program leaves: the file is the whole roster")


SPECIALTY_CODES = domain.codes(domain.SPECIALTIES)
ROLE_CODES = domain.codes(domain.PROGRAM_ROLES)
DECLINE_CODES = domain.codes(domain.DECLINE_REASONS)


MAX_EXCLUDED = 5000  # pairs a round may carry; far more than a coordinator ticks by hand
PAIR = re.compile(r"^(\d{1,12}):(\d{1,12})$")
WEIGHT_LABELS = {
    "specialty": "Shared specialty",
    "goals": "Career goals the mentor can help with",
    "credentials": "Credentials the mentee is working toward",
    "experience": "Experience gap",
    "schedule": "Time zone and shift",
    "meeting_mode": "Meeting mode",
    "frequency": "Meeting frequency",
}
DEFAULTS = Weights()


class PairListField(Field):
    """Many ``menteeId:mentorId`` values under one name (hidden inputs or checkboxes)."""

    widget = HiddenInput()

    def __init__(self, label=None, validators=None, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.data: set[tuple[int, int]] = set()
        self.bad = False
        self.too_many = False

    def process_data(self, value):
        self.data = set(value or ())

    def process_formdata(self, valuelist):
        pairs = set()
        for value in valuelist[:MAX_EXCLUDED + 1]:
            found = PAIR.match(value.strip())
            if found is None:
                self.bad = True
                continue
            pairs.add((int(found.group(1)), int(found.group(2))))
        self.data = pairs
        self.too_many = len(valuelist) > MAX_EXCLUDED

    def pre_validate(self, form):
        if self.bad:
            raise ValidationError("A pair was not in the form menteeId:mentorId; start the round again.")
        if self.too_many:
            raise ValidationError(f"At most {MAX_EXCLUDED} pairs can be excluded from one round.")

    def values(self) -> list[str]:
        """The pairs as the form carries them, sorted."""
        return [f"{a}:{b}" for a, b in sorted(self.data)]


def _finite(form, field) -> None:
    if field.data is not None and not field.data.is_finite():
        raise StopValidation("Enter a number from 0 to 10.")


def _weight(name: str) -> DecimalField:
    return DecimalField(
        WEIGHT_LABELS[name], default=getattr(DEFAULTS, name), places=1,
        validators=[InputRequired(message="Enter a number from 0 to 10."), _finite,
                    NumberRange(min=0, max=10, message="Enter a number from 0 to 10.")])


class RoundForm(FlaskForm):
    """A matching round's settings; ``for_program`` starts it from the program's method and weights."""

    method = RadioField(
        "Method", default="optimal",
        choices=[SelectChoice("optimal", "Optimal: match as many mentees as possible, then the highest total score"),
                 SelectChoice("stable", "Stable: no mentee and mentor would both rather have each other")],
        validators=[DataRequired(message="Choose a method.")])
    specialty = _weight("specialty")
    goals = _weight("goals")
    credentials = _weight("credentials")
    experience = _weight("experience")
    schedule = _weight("schedule")
    meeting_mode = _weight("meeting_mode")
    frequency = _weight("frequency")
    excluded = PairListField("Excluded pairs")
    exclude = PairListField("Exclude these pairs")
    digest = HiddenField("Preview", validators=[Length(max=64)])
    confirmed = BooleanField()  # posted by the page that asks before publishing

    @classmethod
    def for_program(cls, program: Program) -> "RoundForm":
        params = default_params(program)
        return cls(method=params.method, **{name: getattr(params.weights, name) for name in CRITERIA})

    def weight_fields(self) -> list[Field]:
        return [self[name] for name in CRITERIA]

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and all(self[name].data == 0 for name in CRITERIA):
            self.specialty.errors = [*self.specialty.errors, "At least one weight must be above 0."]
            return False
        return ok

    def params(self, with_ticked: bool = False) -> RoundParams:
        """The validated parameters; ``with_ticked`` adds the pairs ticked for exclusion."""
        excluded = set(self.excluded.data) | (set(self.exclude.data) if with_ticked else set())
        weights = Weights(**{name: float(self[name].data) for name in CRITERIA})
        return RoundParams(method=self.method.data, weights=weights, excluded=frozenset(excluded))


def _person_choices(found: MemberSearch) -> list[tuple[int, str]]:
    return [(c.id, f"{c.name} ({c.email})") for c in found.found]


class PersonChoice(RadioField):
    """One person of a search's list; someone not on it (another program's, say) is explained, not "invalid"."""

    def pre_validate(self, form) -> None:
        if self.data is not None and self.data not in {value for value, _ in self.choices}:
            raise ValidationError(f"Choose the {self.name.removesuffix('_id')} from the list: "
                                  f"search for them by name first.")


class PairForm(FlaskForm):
    """Pairing by hand: a mentee and a mentor chosen from the name searches the form carries along."""

    mentee_q = StringField("Find the mentee by name or email", validators=[Length(max=120)])
    mentor_q = StringField("Find the mentor by name or email", validators=[Length(max=120)])
    mentee_id = PersonChoice("Mentee", coerce=int, choices=[],
                           validators=[InputRequired(message="Choose the mentee from the list.")])
    mentor_id = PersonChoice("Mentor", coerce=int, choices=[],
                           validators=[InputRequired(message="Choose the mentor from the list.")])
    confirm = BooleanField("Pair them anyway, despite the warnings")
    warned_for = HiddenField(validators=[Length(max=40)])  # the pair the warnings were shown for

    def offer(self, mentees: MemberSearch, mentors: MemberSearch) -> None:
        """The people the radio buttons offer (the searches' results), set before validating."""
        self.mentee_id.choices = _person_choices(mentees)
        self.mentor_id.choices = _person_choices(mentors)

    def pair_key(self) -> str:
        return f"{self.mentee_id.data}:{self.mentor_id.data}"

    def confirmed(self) -> bool:
        """Ticked "pair anyway" after seeing the warnings for this very pair."""
        return bool(self.confirm.data) and self.warned_for.data == self.pair_key()
