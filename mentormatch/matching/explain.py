"""Per-pair breakdowns as sentences, and ranked suggestions for one mentee."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from mentormatch import domain
from mentormatch.matching import scoring
from mentormatch.matching.features import CRITERIA, MenteeFeatures, MentorFeatures, Weights


@dataclass(frozen=True)
class Reason:
    """One criterion of a pair: its value in [0, 1], its share of the score, a sentence."""

    criterion: str
    value: float
    weight: float  # normalised weight: contribution = weight * value
    sentence: str

    @property
    def contribution(self) -> float:
        """Return the points this criterion adds to the pair score."""
        return self.weight * self.value

    def __str__(self) -> str:
        return self.sentence


@dataclass(frozen=True)
class Explanation:
    """A pair's score (None if forbidden), why it is forbidden, and its reasons."""

    mentee_id: int
    mentor_id: int
    score: float | None
    forbidden: str | None
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Suggestion:
    """A ranked mentor for a mentee: id, score and reasons (strongest first)."""

    mentor_id: int
    score: float
    reasons: tuple[Reason, ...]


def _short(choices: domain.Choices, code: str) -> str:
    """Return a label without its parenthesised gloss, e.g. "ASCP SM"."""
    return domain.label(choices, code).split(" (")[0]


def _lower(label: str) -> str:
    """Lower-case a label for use mid-sentence, keeping acronyms (MLT, ASCP)."""
    head = label.split(" ")[0]
    return label if head.isupper() else label[:1].lower() + label[1:]


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _plural(count: float, unit: str) -> str:
    number = f"{count:g}"
    return f"{number} {unit}" if number == "1" else f"{number} {unit}s"


def _ordered(codes: Iterable[str], choices: domain.Choices) -> list[str]:
    order = domain.codes(choices)
    return sorted(set(codes), key=lambda c: order.index(c) if c in order else len(order))


def _specialty(e: MenteeFeatures, o: MentorFeatures) -> str:
    shared = _ordered(set(e.specialties) & set(o.specialties), domain.SPECIALTIES)
    if shared:
        return "You both work in " + _listing([_lower(domain.label(domain.SPECIALTIES, c)) for c in shared])
    return "No specialty in common" if e.specialties else "You listed no specialty"


def _goals(e: MenteeFeatures, o: MentorFeatures) -> str:
    helped = _ordered(set(e.goals) & scoring.mentor_help_codes(o), domain.CAREER_GOALS)
    if helped:
        return "Can help with " + _listing([_lower(domain.label(domain.CAREER_GOALS, c)) for c in helped])
    return "Has not listed your goals" if e.goals else "You listed no career goal"


def _credentials(e: MenteeFeatures, o: MentorFeatures) -> str:
    sought = {domain.same_credential(c) for c in e.credentials_sought}
    held = _ordered({c for c in o.credentials if domain.same_credential(c) in sought}, domain.CREDENTIALS)
    if held:
        names = _listing([_short(domain.CREDENTIALS, c) for c in held])
        return f"Holds {names}, which you are working toward"
    return "Holds none of the credentials you seek" if e.credentials_sought else "You seek no credential"


def _experience(e: MenteeFeatures, o: MentorFeatures) -> str:
    if e.years_experience is None or o.years_experience is None:
        return "Years of experience not given"
    gap = round(o.years_experience - e.years_experience, 1)
    if gap > 0:
        return f"{_plural(gap, 'more year')} in the lab"
    if gap == 0:
        return "Same years in the lab as you"
    return "Fewer years in the lab than you"


def _schedule(e: MenteeFeatures, o: MentorFeatures) -> str:
    a, b = scoring.utc_offset_hours(e.time_zone), scoring.utc_offset_hours(o.time_zone)
    if math.isnan(a) or math.isnan(b):
        zone = "Time zone not given"
    else:
        hours = abs(a - b) % 24
        hours = round(min(hours, 24 - hours), 1)
        zone = "Same time zone" if hours == 0 else f"{_plural(hours, 'hour')} apart"
    if e.shift and e.shift == o.shift:
        shift = f"you both work {_shift_words(e.shift)}"
    elif e.shift and o.shift:
        shift = f"works {_shift_words(o.shift)}, you work {_shift_words(e.shift)}"
    else:
        shift = "shift not given"
    return f"{zone}; {shift}"


# How a shift reads after "work": "day shifts", "12-hour nights", "per diem (PRN)".
_SHIFT_WORDS = {"weekend": "weekends", "day_12h": "12-hour days", "night_12h": "12-hour nights",
                "per_diem": "per diem (PRN)"}


def _shift_words(code: str) -> str:
    return _SHIFT_WORDS.get(code) or f"{_lower(domain.label(domain.SHIFTS, code))} shifts"


def _mode(e: MenteeFeatures, o: MentorFeatures) -> str:
    if not e.meeting_mode or not o.meeting_mode:
        return "Meeting preference not given"
    if e.meeting_mode == o.meeting_mode:
        if e.meeting_mode == "either":
            return "You are both open to in-person or virtual meetings"
        return f"You both prefer {_lower(domain.label(domain.MEETING_MODES, e.meeting_mode))} meetings"
    if o.meeting_mode == "either":
        return "Happy to meet in person or virtually"
    return f"Prefers {_lower(domain.label(domain.MEETING_MODES, o.meeting_mode))} meetings"


def _frequency(e: MenteeFeatures, o: MentorFeatures) -> str:
    if not e.frequency or not o.frequency:
        return "Meeting frequency not given"
    theirs = _lower(domain.label(domain.MEETING_FREQUENCIES, o.frequency))
    if e.frequency == o.frequency:
        return f"You both prefer meeting {theirs}"
    return f"Prefers meeting {theirs}"


_SENTENCES = {
    "specialty": _specialty,
    "goals": _goals,
    "credentials": _credentials,
    "experience": _experience,
    "schedule": _schedule,
    "meeting_mode": _mode,
    "frequency": _frequency,
}


def _reasons(e: MenteeFeatures, o: MentorFeatures, parts: np.ndarray, weights: Weights) -> tuple[Reason, ...]:
    reasons = [
        Reason(name, float(value), w, _SENTENCES[name](e, o))
        for name, value, w in zip(CRITERIA, parts.tolist(), weights.normalised())
    ]
    # Strongest first; the criterion order breaks ties so output is stable.
    return tuple(sorted(reasons, key=lambda r: -r.contribution))


def explain(
    mentee: MenteeFeatures,
    mentor: MentorFeatures,
    weights: Weights | None = None,
    *,
    declined: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> Explanation:
    """Return one pair's score and per-criterion reasons (strongest first)."""
    weights = weights or Weights()
    parts = scoring.score_parts([mentee], [mentor], weights)[:, 0, 0]
    why_not = scoring.forbidden_reason(mentee, mentor, weights, declined=declined, excluded=excluded)
    total = min(1.0, float(np.dot(np.array(weights.normalised()), parts.astype(np.float64))))
    return Explanation(
        mentee_id=mentee.id,
        mentor_id=mentor.id,
        score=None if why_not else total,
        forbidden=why_not,
        reasons=_reasons(mentee, mentor, parts, weights),
    )


def suggest(
    mentee: MenteeFeatures,
    mentors: Sequence[MentorFeatures],
    weights: Weights | None = None,
    k: int = 10,
    *,
    declined: Iterable[tuple[int, int]] = (),
    excluded: Iterable[tuple[int, int]] = (),
) -> list[Suggestion]:
    """Return the mentee's top-k allowed mentors, best first (ties: list order)."""
    weights = weights or Weights()
    if not mentors or k <= 0:
        return []
    scores = scoring.score_matrix([mentee], mentors, weights, declined=declined, excluded=excluded)[0]
    allowed = np.flatnonzero(np.isfinite(scores))
    order = allowed[np.lexsort((allowed, -scores[allowed].astype(np.float64)))][:k]
    parts = scoring.score_parts([mentee], [mentors[j] for j in order.tolist()], weights)[:, 0, :]
    return [
        Suggestion(mentors[j].id, float(scores[j]), _reasons(mentee, mentors[j], parts[:, col], weights))
        for col, j in enumerate(order.tolist())
    ]
