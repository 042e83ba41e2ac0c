"""What a coordinator chooses for a round, and the program's defaults for the next ones."""

from __future__ import annotations

from dataclasses import dataclass, field, fields

from mentormatch.matching import Weights
from mentormatch.models import Program, User
from mentormatch.services.console import audit
from mentormatch.services.rounds.errors import RoundError
from mentormatch.services.transactions import transaction

METHODS = ("optimal", "stable")


@dataclass(frozen=True)
class RoundParams:
    """What a coordinator chose: method, weights and pairs never to propose."""

    method: str = "optimal"
    weights: Weights = field(default_factory=Weights)
    excluded: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")


def default_params(program: Program) -> RoundParams:
    """The round form's starting point: the program's matching method and weights ({} = the engine's defaults)."""
    names = {f.name for f in fields(Weights)}
    known = {name: value for name, value in (program.weights or {}).items() if name in names}
    try:
        weights = Weights(**known)
    except (TypeError, ValueError):
        weights = Weights()
    method = program.matching_method if program.matching_method in METHODS else "optimal"
    return RoundParams(method=method, weights=weights)


def save_defaults(program: Program, params: RoundParams, coordinator: User) -> None:
    """Make ``params``' method and weights where the program's next rounds start (``default_params``)."""
    if not coordinator.coordinates(program.id):
        raise RoundError("Only a coordinator of this program can change its round defaults.")
    weights = {f.name: getattr(params.weights, f.name) for f in fields(Weights)}
    with transaction():
        before = {"method": program.matching_method, "weights": dict(program.weights or {})}
        program.matching_method, program.weights = params.method, weights
        audit.record(coordinator, "round_defaults_saved", f"Saved the round defaults of {program.name}",
                     target=program, program=program, before=before, after={"method": params.method,
                                                                            "weights": weights})
