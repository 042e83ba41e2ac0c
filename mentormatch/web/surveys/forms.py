"""Survey forms: a participant's answers (built from the stage's questions) and the coordinator's question forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from mentormatch.models import SurveyQuestion
from mentormatch.services.surveys import KIND_LABELS, MAX_QUESTION, MAX_TEXT
from mentormatch.web.fields import single_line

SCALE = [SelectChoice("1", "1 (low)"), SelectChoice("2", "2"), SelectChoice("3", "3"), SelectChoice("4", "4"),
         SelectChoice("5", "5 (high)")]
YES_NO = [SelectChoice("yes", "Yes"), SelectChoice("no", "No")]
NAMED, TOTALS = "named", "totals"


class AnswersForm(FlaskForm):
    """The rule the person was shown rides along, so a change made meanwhile is read before answering."""

    rule_seen = HiddenField()

    def named_seen(self) -> bool | None:
        return {NAMED: True, TOTALS: False}.get(self.rule_seen.data or "")


def _field_for(question: SurveyQuestion):
    if question.kind == "scale":
        return RadioField(question.text, choices=SCALE, validators=[InputRequired(message="Choose 1 to 5.")])
    if question.kind == "yes_no":
        return RadioField(question.text, choices=YES_NO, validators=[InputRequired(message="Answer yes or no.")])
    return TextAreaField(question.text, validators=[Optional(), Length(max=MAX_TEXT)],
                         description=f"Optional; up to {MAX_TEXT} characters.")


def answers_form(questions: list[SurveyQuestion], named: bool) -> AnswersForm:
    """A form with one field per question (``q<id>``), in order; ``form.asked`` pairs each question with its field."""

    class Form(AnswersForm):
        pass

    for question in questions:
        setattr(Form, f"q{question.id}", _field_for(question))
    form = Form()
    if not form.is_submitted():
        form.rule_seen.data = NAMED if named else TOTALS
    form.asked = [(question, form[f"q{question.id}"]) for question in questions]
    return form


def answers_of(form: AnswersForm) -> dict[int, object]:
    """The answers by question id, as the service takes them."""
    return {question.id: field.data for question, field in form.asked}


class QuestionForm(FlaskForm):
    kind = SelectField("Answer", choices=[SelectChoice(k, v) for k, v in KIND_LABELS.items()],
                       validators=[DataRequired(message="Choose the kind of answer.")])
    text = StringField("Question", validators=[DataRequired(message="Write the question."),
                                               Length(max=MAX_QUESTION), single_line])


class QuestionTextForm(FlaskForm):
    text = StringField("Question", validators=[DataRequired(message="Write the question."),
                                               Length(max=MAX_QUESTION), single_line])


class VisibilityForm(FlaskForm):
    named = RadioField("What coordinators may read", choices=[
        SelectChoice(TOTALS, "Only totals of 5 or more people (no names)"),
        SelectChoice(NAMED, "Each person's answers with their name, and the totals")],
        validators=[DataRequired(message="Choose what coordinators may read.")])


class MoveForm(FlaskForm):
    direction = RadioField(choices=[SelectChoice("up", "Up"), SelectChoice("down", "Down")],
                           validators=[DataRequired()])
