"""The profile form: what belongs to the person in every program (a program's own questions are in web.programs)."""

from __future__ import annotations

from functools import lru_cache

from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from mentormatch import domain
from mentormatch.services.credentials import CredentialInput
from mentormatch.services.profiles import ProfileInput
from mentormatch.web.fields import CheckboxesField, at_least_one, choices_of, single_line
from mentormatch.web.profiles.zones import legacy_note, zone_label, zones

COMMON_GROUP, OTHERS_GROUP = "Common time zones", "All other time zones"


def _zone_choice(name: str, group: str) -> SelectChoice:
    # The obsolete names that point to a zone ride along, so static/js/timezone.js can match a browser
    # that reports one (Chrome says "Asia/Calcutta" for Asia/Kolkata).
    also = zones().aliases.get(name)
    return SelectChoice(name, zone_label(name), {"data-also": " ".join(also)} if also else {}, group)


@lru_cache(maxsize=1)
def time_zone_choices() -> tuple[SelectChoice, ...]:
    """The common zones of the network's countries first, then every other place zone (no obsolete aliases)."""
    return (SelectChoice("", "Choose your time zone"),
            *(_zone_choice(name, COMMON_GROUP) for name in zones().common),
            *(_zone_choice(name, OTHERS_GROUP) for name in zones().others))


class ProfileForm(FlaskForm):
    job_title = StringField("Job title", validators=[DataRequired(), Length(max=120), single_line],
                            description="For example: Medical Laboratory Technician, Hematology Lead.")
    organisation = StringField("Organisation", validators=[DataRequired(), Length(max=160), single_line])
    years_experience = IntegerField(
        "Years working in the laboratory",
        validators=[InputRequired(message="Enter a whole number of years."),
                    NumberRange(min=0, max=60, message="Enter a number from 0 to 60.")],
    )
    specialties = CheckboxesField(
        "Specialties", choices=choices_of(domain.SPECIALTIES),
        validators=[at_least_one("Choose at least one specialty.")],
    )
    credentials = CheckboxesField("Credentials you hold", choices=choices_of(domain.CREDENTIALS))
    time_zone = SelectField("Time zone", validators=[DataRequired(message="Choose your time zone.")])
    meeting_mode = RadioField("Preferred meeting mode", choices=choices_of(domain.MEETING_MODES),
                              validators=[DataRequired(message="Choose a meeting mode.")])
    meeting_frequency = SelectField("Preferred meeting frequency", choices=choices_of(domain.MEETING_FREQUENCIES),
                                    validators=[DataRequired()])
    shift = SelectField("Shift you usually work", choices=choices_of(domain.SHIFTS), validators=[DataRequired()])
    bio = TextAreaField("A short bio", validators=[Length(max=1000)],
                        description="Up to 1,000 characters. Shown to people you are matched with.")
    goals = CheckboxesField("Goals you can help others with", choices=choices_of(domain.CAREER_GOALS),
                            description="As a mentor, in any program. The goals you seek as a mentee are asked "
                                        "per program.")
    hopes = TextAreaField("What do you hope to get from mentoring?", validators=[Length(max=1000)],
                          description="Up to 1,000 characters. Shown to people you are matched with.")

    def __init__(self, *args, mentors: bool = False, stored_zone: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        choices = list(time_zone_choices())
        self.zone_note = legacy_note(stored_zone)
        if self.zone_note:  # an obsolete name saved before the list hid them: it still shows and saves
            choices.insert(1, SelectChoice(stored_zone, f"{stored_zone} (old name)"))
            self.time_zone.description = self.zone_note
        self.time_zone.choices = choices
        self.mentors = mentors
        if mentors:
            self.goals.validators = [at_least_one("Choose at least one goal you can help with.")]

    def to_input(self) -> ProfileInput:
        """The validated values, for the profiles service."""
        return ProfileInput(
            job_title=self.job_title.data, organisation=self.organisation.data,
            years_experience=self.years_experience.data, time_zone=self.time_zone.data,
            meeting_mode=self.meeting_mode.data, meeting_frequency=self.meeting_frequency.data,
            shift=self.shift.data, bio=self.bio.data or "",
            specialties=self.specialties.data, credentials=self.credentials.data,
            goals=self.goals.data or [], hopes=self.hopes.data or "",
        )


def form_data_from(profile) -> dict:
    """Pre-fill values for editing an existing profile."""
    from mentormatch.models import TagKind

    return {
        "job_title": profile.job_title, "organisation": profile.organisation,
        "years_experience": profile.years_experience, "time_zone": profile.time_zone,
        "meeting_mode": profile.meeting_mode, "meeting_frequency": profile.meeting_frequency,
        "shift": profile.shift, "bio": profile.bio, "hopes": profile.hopes,
        "specialties": profile.codes(TagKind.SPECIALTY),
        "credentials": profile.codes(TagKind.CREDENTIAL),
        "goals": profile.codes(TagKind.GOAL),
    }


class CredentialForm(FlaskForm):
    """A credential or a state licence with its dates; ``codes`` are the ones it may add (None: editing one)."""

    code = SelectField("Credential", validators=[DataRequired(message="Choose from the list.")])
    licence_number = StringField("Licence number (optional)", validators=[Length(max=60), single_line])
    earned_on = DateField("Date earned (optional)", validators=[Optional()])
    expires_on = DateField("Expires on (optional)", validators=[Optional()])

    def __init__(self, *args, kind: str, codes: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        vocabulary = domain.STATE_LICENCES if kind == "licence" else domain.CREDENTIALS
        if codes is None:
            del self.code
        else:
            self.code.choices = [SelectChoice("", "Choose a state" if kind == "licence" else "Choose a credential"),
                                 *(SelectChoice(c, domain.label(vocabulary, c)) for c in codes)]
            if kind == "licence":
                self.code.label.text = "State"
        if kind == "licence":
            self.earned_on.label.text = "Issued on (optional)"
            self.expires_on.label.text = "Renew by"
            self.expires_on.validators = [InputRequired(message="Enter the date the licence must be renewed by.")]
        else:
            del self.licence_number
            self.expires_on.description = ("Leave it empty for a credential that is maintained in cycles (ASCP's CMP, "
                                           "AMT's CCP, AAB's revalidation): with the date earned, it becomes the end "
                                           "of the current cycle.")

    def to_input(self, code: str | None = None) -> CredentialInput:
        """The validated values, for the credentials service (``code`` when editing a record)."""
        return CredentialInput(kind=self.kind, code=code or self.code.data, earned_on=self.earned_on.data,
                               expires_on=self.expires_on.data,
                               licence_number=(self.licence_number.data or "") if self.kind == "licence" else "")


class RemoveForm(FlaskForm):
    """A button that posts (CSRF only)."""
