"""Plain input records of the matching engine: people's features and weights."""

from __future__ import annotations

from dataclasses import dataclass, fields

# Order of the criteria everywhere: weights, score parts, breakdowns.
CRITERIA: tuple[str, ...] = (
    "specialty",
    "goals",
    "credentials",
    "experience",
    "schedule",
    "meeting_mode",
    "frequency",
)


@dataclass(frozen=True)
class MenteeFeatures:
    """What the engine knows about a mentee (codes from ``mentormatch.domain``)."""

    id: int
    specialties: frozenset[str] = frozenset()
    goals: frozenset[str] = frozenset()
    credentials: frozenset[str] = frozenset()
    credentials_sought: frozenset[str] = frozenset()
    years_experience: float | None = None
    time_zone: str | None = None
    shift: str | None = None
    meeting_mode: str | None = None
    frequency: str | None = None


@dataclass(frozen=True)
class MentorFeatures:
    """What the engine knows about a mentor; ``capacity`` is the number of free places."""

    id: int
    specialties: frozenset[str] = frozenset()
    goals_supported: frozenset[str] = frozenset()
    credentials: frozenset[str] = frozenset()
    years_experience: float | None = None
    time_zone: str | None = None
    shift: str | None = None
    meeting_mode: str | None = None
    frequency: str | None = None
    capacity: int = 1


@dataclass(frozen=True)
class Weights:
    """Relative importance of each criterion, plus program rules.

    The pair score is ``sum(weight_k * criterion_k) / sum(weight_k)``; every
    criterion is in [0, 1], so the score is in [0, 1] whatever the weights'
    scale. The defaults favour what matters most in a laboratory career:
    shared bench specialty, goals and credentials first, logistics after.
    """

    specialty: float = 3.0
    goals: float = 3.0
    credentials: float = 2.0
    experience: float = 1.5
    schedule: float = 1.0
    meeting_mode: float = 1.0
    frequency: float = 0.5
    # The program forbids in-person-only with virtual-only pairs.
    strict_meeting_mode: bool = True
    # Years a mentor should be ahead for full experience credit.
    useful_experience_gap: float = 5.0

    def __post_init__(self) -> None:
        values = self.as_tuple()
        if any(not (w >= 0) for w in values) or sum(values) <= 0:
            raise ValueError("weights must be non-negative and not all zero")
        if not self.useful_experience_gap > 0:
            raise ValueError("useful_experience_gap must be positive")

    def as_tuple(self) -> tuple[float, ...]:
        """Return the criterion weights in ``CRITERIA`` order."""
        return tuple(float(getattr(self, name)) for name in CRITERIA)

    def normalised(self) -> tuple[float, ...]:
        """Return the criterion weights scaled to sum to one."""
        values = self.as_tuple()
        total = sum(values)
        return tuple(w / total for w in values)


assert tuple(f.name for f in fields(Weights))[: len(CRITERIA)] == CRITERIA
