"""Surveys a program asks its participants: at kick-off, as a pulse (day 30, then every 60 days)
and at closing.

A coordinator writes the questions per program and stage. A participant's
answers to one occasion of one agreement are one response. Aggregates of
fewer than ``MIN_RESPONDENTS`` people are never shown; whether coordinators
may read a named person's answers is the program's
``survey_answers_named`` setting, shown to the participant before answering.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from mentormatch.extensions import db
from mentormatch.models.user import utcnow

MIN_RESPONDENTS = 5  # an aggregate of fewer people than this is never shown
STAGES = ("kickoff", "pulse", "closing")
QUESTION_KINDS = ("scale", "yes_no", "text")


class SurveyQuestion(db.Model):
    __tablename__ = "survey_questions"
    __table_args__ = (
        CheckConstraint("stage IN ('kickoff', 'pulse', 'closing')", name="stage"),
        CheckConstraint("kind IN ('scale', 'yes_no', 'text')", name="kind"),
        Index("ix_survey_questions_program_stage", "program_id", "stage", "position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    kind: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
    retired_at: Mapped[datetime | None]  # no longer asked; kept because answers refer to it
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SurveyResponse(db.Model):
    """One person's answers to one occasion ("kickoff", "pulse-30", "pulse-90", "closing") of one agreement."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        UniqueConstraint("user_id", "agreement_id", "occasion", name="uq_survey_responses_occasion"),
        Index("ix_survey_responses_program", "program_id", "stage"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    program_id: Mapped[int] = mapped_column(ForeignKey("programs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("agreements.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(16))
    occasion: Mapped[str] = mapped_column(String(24))
    role: Mapped[str] = mapped_column(String(16))  # mentee or mentor
    # The rule the person answered under: coordinators may read these answers by name (the program said so then).
    named: Mapped[bool] = mapped_column(default=False)
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)

    answers: Mapped[list[SurveyAnswer]] = relationship(cascade="all, delete-orphan", passive_deletes=True)


class SurveyAnswer(db.Model):
    __tablename__ = "survey_answers"
    __table_args__ = (CheckConstraint("scale IS NULL OR scale BETWEEN 1 AND 5", name="scale"),)

    response_id: Mapped[int] = mapped_column(ForeignKey("survey_responses.id", ondelete="CASCADE"), primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("survey_questions.id", ondelete="CASCADE"), primary_key=True)
    scale: Mapped[int | None]  # 1..5 for a scale question
    yes: Mapped[bool | None]  # a yes/no question
    text: Mapped[str | None] = mapped_column(Text)  # a free-text question
