"""What coordinators may read of the answers.

``results`` aggregates a stage per question and hides any question fewer
than ``MIN_RESPONDENTS`` people answered. ``named_answers`` lists who
answered what only while the program's ``survey_answers_named`` is on, and
only responses given under that rule (``SurveyResponse.named``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func

from mentormatch.extensions import db
from mentormatch.zones import as_utc
from mentormatch.models import Program, SurveyAnswer, SurveyQuestion, SurveyResponse, User
from mentormatch.models.survey import MIN_RESPONDENTS
from mentormatch.services.paging import Page, bounds
from mentormatch.services.surveys.occasions import HIDDEN, SurveyError

@dataclass
class QuestionResult:
    """One question's aggregate; ``shown`` is False (and every figure empty) below MIN_RESPONDENTS people."""

    question: SurveyQuestion
    respondents: int  # distinct people who answered it
    shown: bool
    answers: int = 0  # a person answering several pulses counts once per pulse
    mean: float | None = None  # scale
    distribution: dict[int, int] = field(default_factory=dict)  # scale: 1..5 -> answers
    yes: int = 0  # yes/no
    share_yes: float | None = None
    texts: list[str] = field(default_factory=list)  # free text, sorted, without names

    @property
    def note(self) -> str:
        return "" if self.shown else HIDDEN


def results(program: Program, stage: str, occasion: str | None = None) -> list[QuestionResult]:
    """Per question of the stage (retired ones too), the aggregate of its answers, hidden below
    MIN_RESPONDENTS people; ``occasion`` narrows pulse results to one pulse. Four queries."""
    questions = list(db.session.scalars(
        db.select(SurveyQuestion).where(SurveyQuestion.program_id == program.id, SurveyQuestion.stage == stage)
        .order_by(SurveyQuestion.retired_at.is_not(None), SurveyQuestion.position, SurveyQuestion.id)))
    if not questions:
        return []
    ids = [q.id for q in questions]
    where = [SurveyAnswer.question_id.in_(ids), SurveyResponse.program_id == program.id]
    if occasion:
        where.append(SurveyResponse.occasion == occasion)

    def joined(*columns):
        return db.select(*columns).join(SurveyResponse, SurveyResponse.id == SurveyAnswer.response_id)

    people = dict(db.session.execute(joined(SurveyAnswer.question_id, func.count(func.distinct(SurveyResponse.user_id)))
                                     .where(*where).group_by(SurveyAnswer.question_id)).all())
    shown = {qid for qid, count in people.items() if count >= MIN_RESPONDENTS}
    counts: dict[int, list] = defaultdict(list)
    texts: dict[int, list[str]] = defaultdict(list)
    if shown:
        for qid, scale, yes, number in db.session.execute(
                joined(SurveyAnswer.question_id, SurveyAnswer.scale, SurveyAnswer.yes, func.count())
                .where(*where, SurveyAnswer.question_id.in_(shown), SurveyAnswer.text.is_(None))
                .group_by(SurveyAnswer.question_id, SurveyAnswer.scale, SurveyAnswer.yes)):
            counts[qid].append((scale, yes, number))
        for qid, text in db.session.execute(joined(SurveyAnswer.question_id, SurveyAnswer.text)
                                            .where(*where, SurveyAnswer.question_id.in_(shown),
                                                   SurveyAnswer.text.is_not(None))):
            texts[qid].append(text)
    found = []
    for question in questions:
        result = QuestionResult(question, people.get(question.id, 0), question.id in shown)
        if result.shown:
            rows = counts[question.id]
            if question.kind == "scale":
                result.distribution = {n: 0 for n in range(1, 6)}
                for scale, _, number in rows:
                    result.distribution[scale] = number
                result.answers = sum(result.distribution.values())
                result.mean = sum(n * c for n, c in result.distribution.items()) / result.answers
            elif question.kind == "yes_no":
                result.answers = sum(number for _, _, number in rows)
                result.yes = sum(number for _, yes, number in rows if yes)
                result.share_yes = result.yes / result.answers
            else:
                # Sorted, not in the order given: the order of arrival could tell who wrote what.
                result.texts = sorted(texts[question.id], key=str.casefold)
                result.answers = len(result.texts)
        found.append(result)
    return found


def occasions_answered(program: Program, stage: str) -> list[str]:
    """The occasions of a stage someone in the program has answered (for the results page's pulse filter)."""
    found = db.session.scalars(db.select(SurveyResponse.occasion).where(
        SurveyResponse.program_id == program.id, SurveyResponse.stage == stage).distinct())
    return sorted(found, key=lambda o: (len(o), o))


@dataclass(frozen=True)
class NamedResponse:
    name: str
    role: str
    occasion: str
    submitted_at: datetime
    answers: list[tuple[SurveyQuestion, str]]  # in question order; the answer written out


def _written(question: SurveyQuestion, answer: SurveyAnswer) -> str:
    if question.kind == "scale":
        return str(answer.scale)
    if question.kind == "yes_no":
        return "Yes" if answer.yes else "No"
    return answer.text or ""


def named_answers(program: Program, stage: str, page: int, per_page: int, occasion: str | None = None) -> Page:
    """Who answered what, newest first, only while the program allows it (else SurveyError).

    Only responses given under that rule (``SurveyResponse.named``): each person was told the rule in
    force when they answered, and answers given as totals-only stay that way.
    """
    if not program.survey_answers_named:
        raise SurveyError("This program shows survey answers only as totals of "
                          f"{MIN_RESPONDENTS} or more people.")
    where = [SurveyResponse.program_id == program.id, SurveyResponse.stage == stage, SurveyResponse.named.is_(True)]
    if occasion:
        where.append(SurveyResponse.occasion == occasion)
    total = db.session.scalar(db.select(func.count()).select_from(SurveyResponse).where(*where))
    page, pages = bounds(total, page, per_page)
    rows = db.session.execute(
        db.select(SurveyResponse, User.name).join(User, User.id == SurveyResponse.user_id).where(*where)
        .order_by(SurveyResponse.submitted_at.desc(), SurveyResponse.id.desc())
        .offset((page - 1) * per_page).limit(per_page)).all()
    ids = [response.id for response, _ in rows]
    given: dict[int, list[tuple[SurveyQuestion, SurveyAnswer]]] = defaultdict(list)
    if ids:
        for answer, question in db.session.execute(
                db.select(SurveyAnswer, SurveyQuestion).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
                .where(SurveyAnswer.response_id.in_(ids)).order_by(SurveyQuestion.position, SurveyQuestion.id)):
            given[answer.response_id].append((question, answer))
    items = [NamedResponse(name, response.role, response.occasion, as_utc(response.submitted_at),
                           [(q, _written(q, a)) for q, a in given[response.id]]) for response, name in rows]
    return Page(items, page, pages, total, {"stage": stage, **({"occasion": occasion} if occasion else {})})
