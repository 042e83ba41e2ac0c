"""Forms for an agreement's terms, goals and closing; every field bounded."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField, TextAreaField, TimeField,
)
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, Regexp, ValidationError

from mentormatch import domain
from mentormatch.services.agreements import (
    END_REASONS, GOAL_STATUSES, MEETING_MODES, MeetingInput, ProposalInput, TermsInput, starts_at_from, today,
)
from mentormatch.services.agreements.calendar import aware
from mentormatch.services.agreements.schedule import MAX_LOCATION, MAX_NOTE, is_video_link
from mentormatch.services.agreements.terms import MAX_DAYS, MAX_TOPIC_LENGTH
from mentormatch.web.fields import CheckboxesField, SubmissionKeyField, choices_of, single_line

MAX_OTHER_TOPICS = 5


class TermsForm(FlaskForm):
    frequency = SelectField("How often you will meet", choices=choices_of(domain.MEETING_FREQUENCIES),
                            validators=[DataRequired(message="Choose how often you will meet.")])
    mode = RadioField("How you will meet", choices=choices_of(domain.MEETING_MODES),
                      validators=[DataRequired(message="Choose how you will meet.")])
    start_date = DateField("Start date", validators=[InputRequired(message="Enter the start date.")])
    end_date = DateField("Planned end date", description="Six months after the start unless you agree otherwise.",
                         validators=[InputRequired(message="Enter the planned end date.")])
    specialty_topics = CheckboxesField("Topics: specialties", choices=choices_of(domain.SPECIALTIES))
    goal_topics = CheckboxesField("Topics: career goals", choices=choices_of(domain.CAREER_GOALS))
    other_topics = StringField("Other topics (optional)", validators=[Length(max=320), single_line],
                               description=f"Separate topics with commas: up to {MAX_OTHER_TOPICS}, "
                                           f"each up to {MAX_TOPIC_LENGTH} characters.")
    expectations = TextAreaField("What you expect of each other (optional)", validators=[Length(max=2000)],
                                 description="Up to 2000 characters: preparation, contact between meetings, "
                                             "cancelling.")

    def validate_end_date(self, field) -> None:
        start = self.start_date.data
        if start is None or field.data is None:
            return
        if field.data <= start:
            raise ValidationError("The planned end date must be after the start date.")
        if field.data > start + timedelta(days=MAX_DAYS):
            raise ValidationError("An agreement can run for at most two years.")

    def validate_other_topics(self, field) -> None:
        topics = self.free_topics()
        if len(topics) > MAX_OTHER_TOPICS:
            raise ValidationError(f"Give at most {MAX_OTHER_TOPICS} other topics.")
        if any(len(t) > MAX_TOPIC_LENGTH for t in topics):
            raise ValidationError(f"Each topic can be up to {MAX_TOPIC_LENGTH} characters.")

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if not (self.specialty_topics.data or self.goal_topics.data or self.free_topics()):
            self.specialty_topics.errors = [*self.specialty_topics.errors, "Choose at least one topic."]
            return False
        return valid

    def free_topics(self) -> list[str]:
        return [t.strip() for t in (self.other_topics.data or "").split(",") if t.strip()]

    def to_input(self) -> TermsInput:
        topics = ([f"specialty:{c}" for c in self.specialty_topics.data or []]
                  + [f"goal:{c}" for c in self.goal_topics.data or []]
                  + [f"text:{t}" for t in self.free_topics()])
        return TermsInput(self.frequency.data, self.mode.data, self.start_date.data, self.end_date.data,
                          topics, self.expectations.data or "")

    @staticmethod
    def data_from(terms: TermsInput) -> dict:
        """Form data showing ``terms``."""
        kinds: dict[str, list[str]] = {"specialty": [], "goal": [], "text": []}
        for key in terms.topics:
            kind, _, value = key.partition(":")
            kinds.setdefault(kind, []).append(value)
        return dict(frequency=terms.frequency, mode=terms.mode, start_date=terms.start_date,
                    end_date=terms.end_date, specialty_topics=kinds["specialty"], goal_topics=kinds["goal"],
                    other_topics=", ".join(kinds["text"]), expectations=terms.expectations)


class ConfirmTermsForm(FlaskForm):
    """Confirms the proposal the person read (its number travels with the button)."""

    # ASCII digits, bounded: str.isdigit() also takes "²", and int() refuses 4,301 digits (both were 500s).
    number = HiddenField(validators=[DataRequired(), Regexp(r"\A[0-9]{1,9}\Z")])


class GoalForm(FlaskForm):
    description = StringField("New goal", validators=[DataRequired(message="Describe the goal."), Length(max=300),
                                                    single_line],
                              description="Up to 300 characters, e.g. “Pass the ASCP SH exam”.")
    target_date = DateField("Target date (optional)", validators=[Optional()])
    submission_key = SubmissionKeyField()


class GoalStatusForm(FlaskForm):
    status = SelectField("Status", choices=choices_of(GOAL_STATUSES),
                         validators=[DataRequired(message="Choose a status.")])


class EndForm(FlaskForm):
    reason = RadioField("Why does the agreement end?", choices=choices_of(END_REASONS),
                        validators=[DataRequired(message="Choose why the agreement ends.")])
    note = TextAreaField("Anything to add? (optional)", validators=[Length(max=1000)])


class FeedbackForm(FlaskForm):
    rating = RadioField("How was this mentorship? (1 = poor, 5 = excellent)",
                        choices=[SelectChoice(str(n), str(n)) for n in range(1, 6)],
                        validators=[DataRequired(message="Choose a rating from 1 to 5.")])
    comment = TextAreaField("Comment for the coordinators (optional)", validators=[Length(max=1000)])


class MeetingForm(FlaskForm):
    """A meeting the pair held; ``topics`` choices are set from the agreement's topics."""

    held_on = DateField("Date of the meeting", validators=[InputRequired(message="Enter the date you met.")])
    duration_minutes = IntegerField(
        "Duration in minutes", description="From 5 to 480 minutes.",
        validators=[InputRequired(message="Enter how long you met, in minutes."),
                    NumberRange(5, 480, message="A meeting lasts from 5 to 480 minutes.")])
    mode = RadioField("How you met", choices=choices_of(MEETING_MODES),
                      validators=[DataRequired(message="Say whether you met in person or virtually.")])
    topics = CheckboxesField("Topics covered", choices=[])
    kickoff = BooleanField("This was our kick-off meeting",
                           description="A kick-off meeting can come before the agreed start date and before "
                                       "the terms are confirmed.")
    shared_notes = TextAreaField("Shared notes (optional)", validators=[Length(max=4000)],
                                 description="Both of you can read these. Up to 4000 characters.")
    private_note = TextAreaField("My private note (optional)", validators=[Length(max=4000)],
                                 description="Only you can ever read this: not the other person, "
                                             "not the coordinators.")
    submission_key = SubmissionKeyField()

    def validate_held_on(self, field) -> None:
        if field.data is not None and field.data > today():
            raise ValidationError("A meeting date cannot be in the future.")

    def validate_topics(self, field) -> None:
        if not field.data and not self.kickoff.data and field.choices:  # a kick-off may come before any topic
            raise ValidationError("Choose at least one topic you covered.")

    def to_input(self) -> MeetingInput:
        return MeetingInput(self.held_on.data, self.duration_minutes.data, self.mode.data,
                            list(self.topics.data or []), self.shared_notes.data or "",
                            self.private_note.data or "", self.submission_key.data or None,
                            kickoff=bool(self.kickoff.data))


class PrivateNoteForm(FlaskForm):
    text = TextAreaField("My private note", validators=[Length(max=4000)],
                         description="Only you can ever read this. Leave it empty to delete it.")


class ProposalForm(FlaskForm):
    """A meeting time, entered in the proposer's own zone (``set_zone`` names it on the fields)."""

    day = DateField("Date", validators=[InputRequired(message="Enter the date of the meeting.")])
    start = TimeField("Start time", validators=[InputRequired(message="Enter the start time, e.g. 09:30.")])
    duration_minutes = IntegerField(
        "Duration in minutes", default=60, description="From 5 to 480 minutes.",
        validators=[InputRequired(message="Enter how long the meeting lasts, in minutes."),
                    NumberRange(5, 480, message="A meeting lasts from 5 to 480 minutes.")])
    mode = RadioField("How you will meet", choices=choices_of(MEETING_MODES),
                      validators=[DataRequired(message="Say whether you will meet in person or virtually.")])
    location = StringField("Place or video link (optional)", validators=[Length(max=MAX_LOCATION), single_line],
                           description="In person: the room or address. Virtual: the video link, "
                                       "starting with https://.")
    note = TextAreaField("Note for the other person (optional)", validators=[Length(max=MAX_NOTE)],
                         description=f"Up to {MAX_NOTE} characters, e.g. what to bring or prepare.")
    kickoff = BooleanField("This is our kick-off meeting",
                           description="Your first meeting, where you get to know each other and agree the "
                                       "terms: it can be before the agreed start date.")

    def set_zone(self, zone: ZoneInfo) -> None:
        """Say on the date and time fields which zone they are read in: the proposer's own."""
        self.zone = zone
        self.day.label.text = f"Date ({zone.key} time)"
        self.start.label.text = f"Start time ({zone.key} time)"
        self.start.description = f"In your time zone, {zone.key}, as set in your profile."

    def validate_location(self, field) -> None:
        text = (field.data or "").strip()
        if self.mode.data == "virtual" and text and not is_video_link(text):
            raise ValidationError("A video link starts with https:// (or http://), e.g. https://meet.example.org/abc.")

    def to_input(self) -> ProposalInput:
        """The proposal in UTC (raises AgreementError for a wall time the clocks skip)."""
        return ProposalInput(starts_at_from(self.day.data, self.start.data, self.zone), self.duration_minutes.data,
                             self.mode.data, (self.location.data or "").strip(), self.note.data or "",
                             bool(self.kickoff.data))

    @staticmethod
    def data_from(meeting, zone: ZoneInfo) -> dict:
        """Form data showing a scheduled meeting in ``zone`` (to propose another time from it)."""
        local = aware(meeting.starts_at).astimezone(zone)
        return dict(day=local.date(), start=local.time().replace(second=0, microsecond=0),
                    duration_minutes=meeting.duration_minutes, mode=meeting.mode, location=meeting.location,
                    note=meeting.note, kickoff=meeting.kickoff)


class ScheduleActionForm(FlaskForm):
    """Confirm, cancel or log: the SEQUENCE the person read travels with the button."""

    sequence = HiddenField(validators=[Optional(), Regexp(r"\A[0-9]{1,9}\Z")])
