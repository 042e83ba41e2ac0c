"""Publishing a round (every pair proposed, both sides told) and withdrawing one nobody has answered.

Publishing reads the pool again inside a transaction no other bulk proposal
of the program can interleave with. When the pool and the settings are those
of a recent preview (the same ``previews.pool_digest``), it proposes that
preview's pairs without running the engine; otherwise it runs the engine
again. Either way, if the pairs differ from those the coordinator saw (the
digest the form carries), it refuses with ``RoundChanged`` and the new preview.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import func, text
from sqlalchemy.exc import IntegrityError

from mentormatch.extensions import db
from mentormatch.matching import CRITERIA
from mentormatch.models import Match, MatchingRound, Program, User
from mentormatch.models.match import RoundStatus
from mentormatch.models.user import utcnow
from mentormatch.services.console import audit
from mentormatch.services.matches import expiry_for
from mentormatch.services.rounds import previews, writes
from mentormatch.services.rounds.errors import RoundChanged, RoundError
from mentormatch.services.rounds.listing import ANSWERED
from mentormatch.services.rounds.params import RoundParams
from mentormatch.services.rounds.running import describe, pairs_digest, proposed_pairs, run_engine, sorted_pool
from mentormatch.services.transactions import transaction

ROUND_LOCK_KEY = 7_340_021  # PostgreSQL advisory lock (with the program's id) for what proposes in bulk


@dataclass(frozen=True)
class PublishResult:
    round: MatchingRound
    timings: dict[str, float]
    reused: bool = False  # the pairs came from a preview of the same pool and settings; the engine did not run


def _begin_exclusive(program_id: int) -> None:
    """Start a transaction in which no other bulk proposal in the program can interleave.

    PostgreSQL: a transaction-scoped advisory lock on (ROUND_LOCK_KEY, program
    id), so rounds of different programs do not wait for each other. SQLite:
    BEGIN IMMEDIATE. Acceptances lock their pair's memberships
    (services.transactions), so capacity stays honest either way; this keeps
    two coordinators from publishing the same pool twice.
    """
    if db.session().in_transaction():
        db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_immediate": True})
    else:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key, :program)"),
                           {"key": ROUND_LOCK_KEY, "program": program_id})


def _check_coordinator(program_id: int, coordinator: User) -> None:
    if not coordinator.coordinates(program_id):
        raise RoundError("Only a coordinator of this program can do that.")


def publish_round(program: Program, params: RoundParams, coordinator: User,
                  expected_digest: str | None = None) -> PublishResult:
    """Propose every pair of the previewed round over the program's pool, telling both sides.

    The pairs are those of a preview of the same pool and settings if one is
    kept, else the engine's. Raises ``RoundChanged`` when ``expected_digest``
    no longer matches them, and ``RoundError`` when nobody would be matched.
    """
    _check_coordinator(program.id, coordinator)
    timings: dict[str, float] = {}
    try:
        with transaction():
            _begin_exclusive(program.id)
            started = time.perf_counter()
            pool = sorted_pool(program.id)
            read = time.perf_counter()
            key = previews.pool_digest(pool, params)
            found = previews.recall(program.id, key)
            timings["read"], timings["recall"] = read - started, time.perf_counter() - read
            reused = found is not None and (expected_digest is None or pairs_digest(found) == expected_digest)
            if not reused:
                run = run_engine(pool, params, timings)
                found = proposed_pairs(run)
                if expected_digest is not None and pairs_digest(found) != expected_digest:
                    raise RoundChanged(describe(run, params, timings, key))
            if not found:
                raise RoundError("Nothing to publish: this round would not match anybody.")
            started = time.perf_counter()
            now = utcnow()
            matching_round = MatchingRound(
                program_id=program.id, created_by_id=coordinator.id, method=params.method, status=RoundStatus.PUBLISHED,
                weights={name: getattr(params.weights, name) for name in CRITERIA},
                excluded_pairs=sorted([e, o] for e, o in params.excluded),
                proposals=len(found), total_score=float(sum(s for _, _, s in found)), created_at=now)
            db.session.add(matching_round)
            db.session.flush()
            writes.propose(matching_round, found, now, expiry_for(program))
            audit.record(coordinator, "round_published",
                         f"Published round {matching_round.id}: {len(found)} proposals", target=matching_round,
                         program=program,
                         after={"method": params.method, "proposals": len(found),
                                "total_score": round(matching_round.total_score, 4),
                                "weights": matching_round.weights, "excluded_pairs": len(params.excluded)})
            timings["write"] = time.perf_counter() - started
    except RoundChanged as changed:  # keep what the coordinator is shown now, for their next try
        previews.remember(program.id, key, changed.preview.engine_pairs())
        raise
    except IntegrityError as error:
        raise RoundError("Someone's matches changed while publishing; nothing was published. "
                         "Preview again.") from error
    return PublishResult(matching_round, timings, reused)


def withdraw_round(matching_round: MatchingRound, coordinator: User) -> int:
    """Withdraw every proposal of a round nobody has answered yet; returns how many.

    The round's program is the one worked on: ``coordinator`` must run it.
    """
    _check_coordinator(matching_round.program_id, coordinator)
    with transaction():
        _begin_exclusive(matching_round.program_id)
        db.session.refresh(matching_round)
        if matching_round.status != RoundStatus.PUBLISHED:
            raise RoundError("This round was withdrawn already.")
        answered = db.session.scalar(db.select(func.count()).select_from(Match).where(
            Match.round_id == matching_round.id, Match.status.in_(ANSWERED)))
        if answered:
            raise RoundError(
                f"{answered} {'proposal has' if answered == 1 else 'proposals have'} already been answered, "
                f"so this round can no longer be withdrawn as a whole. End the open proposals one by one "
                f"from the list of pending proposals instead.")
        withdrawn = writes.withdraw_proposals(matching_round, coordinator)
        matching_round.status = RoundStatus.WITHDRAWN
        audit.record(coordinator, "round_withdrawn", f"Withdrew round {matching_round.id}: {withdrawn} proposals",
                     target=matching_round, program=matching_round.program_id,
                     before={"status": RoundStatus.PUBLISHED.value},
                     after={"status": RoundStatus.WITHDRAWN.value, "withdrawn_proposals": withdrawn})
    return withdrawn
