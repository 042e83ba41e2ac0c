"""A program's membership questions: the side, then goals for mentees or capacity for mentors."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, HiddenField, IntegerField, RadioField, SelectField, StringField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from mentormatch import domain
from mentormatch.models import ProgramRole, TagKind
from mentormatch.services.exam_plans import RESULTS, ExamPlanInput
from mentormatch.services.programs import MembershipInput
from mentormatch.web.fields import CheckboxesField, choices_of, single_line

SIDES = {ProgramRole.MENTEE: "A mentee: I want guidance", ProgramRole.MENTOR: "A mentor: I want to guide others"}


class MembershipForm(FlaskForm):
    """Joining (``sides`` given: the person picks one) or editing (``role`` given: the side stays)."""

    role = RadioField("I join this program as", validators=[DataRequired(message="Choose mentor or mentee.")])
    goals = CheckboxesField("Career goals you seek in this program", choices=choices_of(domain.CAREER_GOALS),
                            description="Mentees: what a mentor should help you toward.")
    credentials_sought = CheckboxesField("Credentials you are working toward", choices=choices_of(domain.CREDENTIALS))
    capacity = IntegerField(
        "How many mentees can you take at once in this program?", default=2,
        validators=[Optional(), NumberRange(min=domain.MIN_CAPACITY, max=domain.MAX_CAPACITY,
                                            message="Enter a number from 1 to 10.")],
        description="Mentors: from 1 to 10.")
    accepting_mentees = BooleanField("I can take new mentees now", default=True)

    def __init__(self, *args, sides: list[str] | None = None, role: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fixed_role = role
        if role is not None:
            del self.role
        else:
            self.role.choices = [SelectChoice(side, SIDES[ProgramRole(side)]) for side in sides or []]
            if len(self.role.choices) == 1 and not self.role.data:
                self.role.data = self.role.choices[0].value

    @property
    def chosen_role(self) -> str | None:
        return self.fixed_role or self.role.data

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if self.chosen_role == ProgramRole.MENTEE and not self.goals.data:
            self.goals.errors = [*self.goals.errors, "Choose at least one career goal."]
            ok = False
        if self.chosen_role == ProgramRole.MENTOR and self.capacity.data is None and not self.capacity.errors:
            self.capacity.errors = [*self.capacity.errors, "Enter a number from 1 to 10."]
            ok = False
        return ok

    def to_input(self) -> MembershipInput:
        role = self.chosen_role
        if role == ProgramRole.MENTEE:
            return MembershipInput(role=role, goals=self.goals.data or [],
                                   credentials_sought=self.credentials_sought.data or [])
        return MembershipInput(role=role, capacity=self.capacity.data,
                               accepting_mentees=bool(self.accepting_mentees.data))


def membership_data(membership) -> dict:
    """Pre-fill values for editing a membership."""
    return {"goals": membership.codes(TagKind.GOAL), "credentials_sought": membership.codes(TagKind.CREDENTIAL_SOUGHT),
            "capacity": membership.capacity if membership.capacity is not None else 2,
            "accepting_mentees": membership.accepting_mentees if membership.capacity is not None else True}


class SwitchForm(FlaskForm):
    """The navigation's program switcher (and the "work in this program" buttons)."""

    program_id = IntegerField("Program", validators=[DataRequired()])
    next = HiddenField()


# Suggestions only: the person may type any category or route (ASCP's Board of Certification lists them per exam).
CATEGORY_SUGGESTIONS = (
    "Medical Laboratory Scientist (MLS)", "Medical Laboratory Technician (MLT)",
    "Specialist in Blood Banking (SBB)", "Technologist in Blood Banking (BB)", "Specialist in Hematology (SH)",
    "Technologist in Hematology (H)", "Specialist in Microbiology (SM)", "Technologist in Microbiology (M)",
    "Specialist in Chemistry (SC)", "Technologist in Chemistry (C)", "Specialist in Molecular Biology (SMB)",
    "Technologist in Molecular Biology (MB)", "Cytotechnologist (CT)", "Histotechnologist (HTL)",
    "Diplomate in Laboratory Management (DLM)",
)
ROUTE_SUGGESTIONS = (
    "Graduate of an accredited (NAACLS) program", "Current certification plus a degree and experience",
    "Degree and clinical laboratory experience", "Military medical laboratory training",
    "Degree from abroad, evaluated, plus experience",
)


class ExamPlanForm(FlaskForm):
    """One exam plan; ``codes`` are the credentials a new plan may aim at (None: editing a plan, credential fixed)."""

    credential = SelectField("Credential", validators=[DataRequired(message="Choose the credential.")])
    category = StringField("Exam category (optional)", validators=[Length(max=80), single_line],
                           description="For example: Specialist in Blood Banking (SBB).")
    eligibility_route = StringField("Eligibility route (optional)", validators=[Length(max=120), single_line],
                                    description="The route you qualify by, as the certifying body words it "
                                                "(for example: ASCP route 2).")
    planned_on = DateField("Planned exam date (optional)", validators=[Optional()])
    result = SelectField("Result", choices=choices_of(RESULTS), default="planned")
    result_on = DateField("Result date (optional)", validators=[Optional()],
                          description="When you have a result. “Passed” adds the credential to the ones you hold.")

    def __init__(self, *args, codes: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if codes is None:
            del self.credential
        else:
            self.credential.choices = [SelectChoice("", "Choose a credential"),
                                       *(SelectChoice(c, domain.label(domain.CREDENTIALS, c)) for c in codes)]

    def to_input(self, credential: str | None = None) -> ExamPlanInput:
        """The validated values, for the exam plans service (``credential`` when editing a plan)."""
        return ExamPlanInput(credential=credential or self.credential.data, category=self.category.data or "",
                             eligibility_route=self.eligibility_route.data or "", planned_on=self.planned_on.data,
                             result=self.result.data, result_on=self.result_on.data)


class RemovePlanForm(FlaskForm):
    credential = HiddenField(validators=[DataRequired()])
