"""Program surveys: the occasions an agreement opens and who owes which (``occasions``), answering them
(``answering``), the questions coordinators write (``questions``) and what coordinators may read of the
answers (``reading``): no aggregate of fewer than ``MIN_RESPONDENTS`` people, and names only where the
program said so when the person answered."""

from mentormatch.models.survey import MIN_RESPONDENTS
from mentormatch.services.surveys.answering import (
    ANSWERED, CLOSED, NOT_ASKED, OPEN, agreement_of, occasion_state, response_of, submit,
)
from mentormatch.services.surveys.occasions import (
    CLOSING_OPEN_DAYS, HIDDEN, KIND_LABELS, MAX_QUESTION, MAX_QUESTIONS, MAX_TEXT, PULSE_EVERY_DAYS,
    PULSE_FIRST_DAY, STAGE_LABELS, DueSurvey, SurveyError, due, due_for, is_open, occasion_label, open_occasions,
    path_for, stage_of, start_of, title_for,
)
from mentormatch.services.surveys.questions import (
    add_question, all_questions, answered_question_ids, delete_question, edit_question, get_question, move_question,
    questions_for, retire_question, set_named,
)
from mentormatch.services.surveys.reading import NamedResponse, QuestionResult, named_answers, occasions_answered, results

__all__ = [
    "ANSWERED", "CLOSED", "CLOSING_OPEN_DAYS", "HIDDEN", "KIND_LABELS", "MAX_QUESTION", "MAX_QUESTIONS", "MAX_TEXT",
    "MIN_RESPONDENTS", "NOT_ASKED", "OPEN", "PULSE_EVERY_DAYS", "PULSE_FIRST_DAY", "STAGE_LABELS", "DueSurvey",
    "NamedResponse", "QuestionResult", "SurveyError", "add_question", "agreement_of", "all_questions",
    "answered_question_ids", "delete_question", "due", "due_for", "edit_question", "get_question", "is_open",
    "move_question", "named_answers", "occasion_label", "occasion_state", "occasions_answered", "open_occasions",
    "path_for", "questions_for", "response_of", "results", "retire_question", "set_named", "stage_of", "start_of",
    "submit", "title_for",
]
