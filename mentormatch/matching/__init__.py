"""The matching engine: pure functions over plain records and numpy arrays.

It knows nothing of the web or the database. Typical use::

    scores = score_matrix(mentees, mentors, Weights(), declined=..., excluded=...)
    mentor_index = assign(scores, [m.capacity for m in mentors], method="optimal")
    suggest(mentee, mentors, Weights(), k=10)  # ranked, with reasons
    explain(mentee, mentor)  # one pair's score and sentences

Scores are ``sum(w_k * criterion_k) / sum(w_k)`` over ``CRITERIA``, each
criterion in [0, 1], so every score is in [0, 1]; forbidden pairs are -inf.
"""

from mentormatch.matching.assignment import assign, blocking_pairs
from mentormatch.matching.explain import Explanation, Reason, Suggestion, explain, suggest
from mentormatch.matching.features import CRITERIA, MenteeFeatures, MentorFeatures, Weights
from mentormatch.matching.scoring import score_matrix, score_parts
from mentormatch.matching.unmatched import (
    UNMATCHED_REASONS,
    PairConditions,
    UnmatchedReasons,
    explain_unmatched,
    pair_conditions,
    why_unmatched,
)

__all__ = [
    "CRITERIA",
    "Explanation",
    "MenteeFeatures",
    "MentorFeatures",
    "PairConditions",
    "Reason",
    "Suggestion",
    "UNMATCHED_REASONS",
    "UnmatchedReasons",
    "Weights",
    "assign",
    "blocking_pairs",
    "explain",
    "explain_unmatched",
    "pair_conditions",
    "score_matrix",
    "score_parts",
    "suggest",
    "why_unmatched",
]
