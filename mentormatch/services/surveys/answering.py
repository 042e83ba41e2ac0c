"""A participant answering one occasion of their agreement's survey, once.

Scale (1-5) and yes/no questions must be answered, text is optional (up to
``MAX_TEXT`` characters). One response per person and occasion; the response
keeps the visibility rule it was given under (``SurveyResponse.named``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from mentormatch.extensions import db
from mentormatch.zones import as_utc
from mentormatch.models import Agreement, SurveyAnswer, SurveyQuestion, SurveyResponse, User
from mentormatch.services.surveys.occasions import MAX_TEXT, SurveyError, is_open, stage_of
from mentormatch.services.surveys.questions import questions_for
from mentormatch.services.transactions import transaction

def agreement_of(user: User, agreement_id: int) -> Agreement | None:
    """The agreement if ``user`` is its mentee or mentor, else None (a 404: coordinators do not answer)."""
    agreement = db.session.get(Agreement, agreement_id)
    return agreement if agreement is not None and agreement.match.involves(user) else None


def response_of(user: User, agreement_id: int, occasion: str) -> SurveyResponse | None:
    return db.session.scalar(db.select(SurveyResponse).where(
        SurveyResponse.user_id == user.id, SurveyResponse.agreement_id == agreement_id,
        SurveyResponse.occasion == occasion))


OPEN, ANSWERED, CLOSED, NOT_ASKED = "open", "answered", "closed", "not_asked"


def occasion_state(agreement: Agreement, user: User, occasion: str, now: datetime) -> str:
    """OPEN, ANSWERED (by ``user``), CLOSED (not open at ``now``) or NOT_ASKED (the stage has no questions)."""
    if response_of(user, agreement.id, occasion) is not None:
        return ANSWERED
    if not is_open(agreement, occasion, now):
        return CLOSED
    if not questions_for(agreement.match.program_id, stage_of(occasion) or ""):
        return NOT_ASKED
    return OPEN


def _answer(question: SurveyQuestion, value) -> SurveyAnswer | None:
    """The checked answer to one question (None for a blank text)."""
    if question.kind == "scale":
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if isinstance(value, bool) or number not in range(1, 6):
            raise SurveyError(f"Choose 1 to 5 for “{question.text}”.", question.id)
        return SurveyAnswer(question_id=question.id, scale=number)
    if question.kind == "yes_no":
        yes = {"yes": True, "no": False, True: True, False: False}.get(value if isinstance(value, bool)
                                                                       else str(value or "").lower())
        if yes is None:
            raise SurveyError(f"Answer yes or no to “{question.text}”.", question.id)
        return SurveyAnswer(question_id=question.id, yes=yes)
    text = str(value or "").strip()
    if len(text) > MAX_TEXT:
        raise SurveyError(f"Answers are limited to {MAX_TEXT} characters (“{question.text}”).", question.id)
    return SurveyAnswer(question_id=question.id, text=text) if text else None


def submit(user: User, agreement_id: int, occasion: str, answers: dict[int, object], now: datetime, *,
           named_seen: bool | None = None) -> SurveyResponse:
    """``user`` answers ``occasion`` of their agreement, once; every scale and yes/no question is required.

    ``answers`` maps question id to 1..5, "yes"/"no" (or a bool) or text. ``named_seen`` is the visibility
    rule the person was shown: if the program changed it since, nothing is saved and they read it again.
    """
    agreement = agreement_of(user, agreement_id)
    stage = stage_of(occasion)
    if agreement is None or stage is None:
        raise SurveyError("Only the mentee and mentor of this agreement answer its surveys.")
    program = agreement.match.program
    if response_of(user, agreement.id, occasion) is not None:
        raise SurveyError("You have already answered this survey; answers cannot be changed.")
    if not is_open(agreement, occasion, now):
        raise SurveyError("This survey is closed.")
    if named_seen is not None and named_seen != program.survey_answers_named:
        raise SurveyError("The program changed who can see survey answers since you opened the page; "
                          "please read the note again before answering.")
    questions = questions_for(program.id, stage)
    if not questions:
        raise SurveyError("This survey has no questions.")
    checked = [a for a in (_answer(q, answers.get(q.id)) for q in questions) if a is not None]
    role = "mentee" if user.id == agreement.match.mentee_id else "mentor"
    try:
        with transaction():
            response = SurveyResponse(program_id=program.id, user_id=user.id, agreement_id=agreement.id,
                                      stage=stage, occasion=occasion, role=role, submitted_at=as_utc(now),
                                      named=program.survey_answers_named,
                                      answers=checked)
            db.session.add(response)
    except IntegrityError:  # the same person's second tab won the race
        raise SurveyError("You have already answered this survey; answers cannot be changed.") from None
    return response
