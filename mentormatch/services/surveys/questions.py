"""A program's survey questions, written by its coordinators: added, reworded, moved, retired or deleted,
and whether coordinators may read answers by name."""

from __future__ import annotations

from datetime import datetime

from mentormatch.extensions import db
from mentormatch.zones import as_utc
from mentormatch.models import Program, SurveyAnswer, SurveyQuestion, User
from mentormatch.models.survey import QUESTION_KINDS, STAGES
from mentormatch.services.console import audit
from mentormatch.services.surveys.occasions import (
    MAX_QUESTION, MAX_QUESTIONS, NAMED_OFF, NAMED_ON, STAGE_LABELS, SurveyError,
)
from mentormatch.services.transactions import transaction

def questions_for(program_id: int, stage: str) -> list[SurveyQuestion]:
    """The questions a stage asks now, in order."""
    return list(db.session.scalars(
        db.select(SurveyQuestion).where(SurveyQuestion.program_id == program_id, SurveyQuestion.stage == stage,
                                        SurveyQuestion.retired_at.is_(None))
        .order_by(SurveyQuestion.position, SurveyQuestion.id)))


def _require_coordinator(program: Program, user: User) -> None:
    if not user.coordinates(program.id):
        raise SurveyError("Only the program's coordinators change its surveys.")


def _checked_text(text: str) -> str:
    text = " ".join((text or "").split())
    if not text:
        raise SurveyError("Write the question.")
    if len(text) > MAX_QUESTION:
        raise SurveyError(f"A question is limited to {MAX_QUESTION} characters.")
    return text


def get_question(program: Program, question_id: int) -> SurveyQuestion | None:
    """The question if it belongs to ``program`` (else None: a 404)."""
    question = db.session.get(SurveyQuestion, question_id)
    return question if question is not None and question.program_id == program.id else None


def all_questions(program: Program) -> dict[str, list[SurveyQuestion]]:
    """Every question of the program per stage, asked ones first in order, then retired ones."""
    found: dict[str, list[SurveyQuestion]] = {stage: [] for stage in STAGES}
    for question in db.session.scalars(
            db.select(SurveyQuestion).where(SurveyQuestion.program_id == program.id)
            .order_by(SurveyQuestion.retired_at.is_not(None), SurveyQuestion.position, SurveyQuestion.id)):
        found[question.stage].append(question)
    return found


def answered_question_ids(program: Program) -> set[int]:
    """The program's questions someone has answered (these are retired, never deleted)."""
    return set(db.session.scalars(
        db.select(SurveyAnswer.question_id).join(SurveyQuestion, SurveyQuestion.id == SurveyAnswer.question_id)
        .where(SurveyQuestion.program_id == program.id).distinct()))


def add_question(program: Program, coordinator: User, stage: str, kind: str, text: str) -> SurveyQuestion:
    """Add a question at the end of a stage."""
    _require_coordinator(program, coordinator)
    if stage not in STAGES:
        raise SurveyError("Choose the stage: kick-off, pulse or closing.")
    if kind not in QUESTION_KINDS:
        raise SurveyError("Choose the kind of answer: scale, yes/no or text.")
    text = _checked_text(text)
    asked = questions_for(program.id, stage)
    if len(asked) >= MAX_QUESTIONS:
        raise SurveyError(f"A stage asks at most {MAX_QUESTIONS} questions; retire one first.")
    with transaction():
        question = SurveyQuestion(program_id=program.id, stage=stage, kind=kind, text=text,
                                  position=max((q.position for q in asked), default=0) + 1)
        db.session.add(question)
        db.session.flush()
        audit.record(coordinator, "program_changed", f"Survey question added ({STAGE_LABELS[stage]}): {text}",
                     target=question, program=program, after={"stage": stage, "kind": kind, "text": text})
    return question


def edit_question(question: SurveyQuestion, coordinator: User, text: str) -> SurveyQuestion:
    """Change a question's wording (its kind and stage stay)."""
    program = db.session.get(Program, question.program_id)
    _require_coordinator(program, coordinator)
    text = _checked_text(text)
    if question.retired_at is not None:
        raise SurveyError("This question is retired; add a new one instead.")
    with transaction():
        before, question.text = question.text, text
        audit.record(coordinator, "program_changed", f"Survey question edited: {text}", target=question,
                     program=program, before={"text": before}, after={"text": text})
    return question


def move_question(question: SurveyQuestion, coordinator: User, step: int) -> None:
    """Move a question one place up (step -1) or down (+1) among its stage's asked questions."""
    program = db.session.get(Program, question.program_id)
    _require_coordinator(program, coordinator)
    order = questions_for(program.id, question.stage)
    if question not in order:
        raise SurveyError("A retired question has no place in the survey.")
    at = order.index(question)
    to = min(max(at + (1 if step > 0 else -1), 0), len(order) - 1)
    order.insert(to, order.pop(at))
    with transaction():
        for number, each in enumerate(order, start=1):
            each.position = number


def retire_question(question: SurveyQuestion, coordinator: User, now: datetime) -> None:
    """Stop asking a question; its answers stay in the results."""
    program = db.session.get(Program, question.program_id)
    _require_coordinator(program, coordinator)
    if question.retired_at is not None:
        raise SurveyError("This question is retired already.")
    with transaction():
        question.retired_at = as_utc(now)
        audit.record(coordinator, "program_changed", f"Survey question retired: {question.text}",
                     target=question, program=program)


def delete_question(question: SurveyQuestion, coordinator: User) -> None:
    """Delete a question nobody has answered; one with answers is retired instead."""
    program = db.session.get(Program, question.program_id)
    _require_coordinator(program, coordinator)
    if db.session.scalar(db.select(SurveyAnswer.question_id).where(SurveyAnswer.question_id == question.id)
                         .limit(1)) is not None:
        raise SurveyError("This question has answers, so it cannot be deleted; retire it instead.")
    with transaction():
        audit.record(coordinator, "program_changed", f"Survey question deleted: {question.text}",
                     program=program, before={"stage": question.stage, "kind": question.kind,
                                              "text": question.text})
        db.session.delete(question)


def set_named(program: Program, value: bool, coordinator: User) -> None:
    """Whether coordinators may read each person's answers (shown to participants before they answer).

    Each response keeps the rule it was given under (``SurveyResponse.named``): switching this on later
    never names people who answered as totals only.
    """
    _require_coordinator(program, coordinator)
    if program.survey_answers_named == value:
        return
    with transaction():
        program.survey_answers_named = value
        audit.record(coordinator, "program_changed", NAMED_ON if value else NAMED_OFF, target=program,
                     program=program, before={"survey_answers_named": not value},
                     after={"survey_answers_named": value})
