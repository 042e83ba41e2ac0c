"""Previews kept for publishing: each assignment under a digest of everything the engine read.

The engine's result depends only on the pool in id order (every mentee's and
mentor's record, a mentor's free places, the pairs declined before) and the
settings (excluded pairs, weights, method). A preview keeps its pairs in
``round_previews`` under a digest of exactly these; publishing reads the pool
again inside its exclusive transaction and, when its digest is one kept,
proposes the kept pairs instead of running the engine again. The table is
shared by every process and host; a program keeps its ``KEPT`` newest
previews, none older than ``MAX_AGE`` (nor used once that old).
"""

from __future__ import annotations

import hashlib
from dataclasses import astuple, fields
from datetime import timedelta
from typing import Any, Iterable, Sequence

from sqlalchemy import delete, or_
from sqlalchemy.exc import IntegrityError

from mentormatch.extensions import db
from mentormatch.models import StoredPreview
from mentormatch.models.user import utcnow
from mentormatch.services.pool import Pool
from mentormatch.services.rounds.params import RoundParams
from mentormatch.services.transactions import transaction

KEPT = 5  # previews kept per program: a coordinator compares a few settings, then publishes one
MAX_AGE = timedelta(days=1)


def _plain(value: Any) -> Any:
    """``value`` with the same repr in every process: sets are sorted (their order depends on the hash seed)."""
    return tuple(sorted(value)) if isinstance(value, (set, frozenset)) else value


def _records(side: Sequence[Any]) -> str:
    """The repr of one side's engine records, field by field, in the pool's order."""
    if not side:
        return "[]"
    names = [f.name for f in fields(side[0])]
    return repr((names, [tuple(_plain(getattr(record, name)) for name in names) for record in side]))


def pool_digest(pool: Pool, params: RoundParams) -> str:
    """A digest of what the engine reads for this round: the same digest means the same assignment.

    ``pool`` must be in id order (``running.sorted_pool``).
    """
    digest = hashlib.sha256()
    settings = (params.method, astuple(params.weights), sorted(params.excluded), sorted(pool.declined))
    for part in (repr(settings), _records(pool.mentees), _records(pool.mentors)):
        digest.update(part.encode())
        digest.update(b"\x00")
    return digest.hexdigest()


def remember(program_id: int, digest: str, pairs: Iterable[tuple[int, int, float]]) -> None:
    """Keep a preview's pairs under ``digest`` and forget the program's stale ones; commits."""
    now = utcnow()
    rows = [[mentee_id, mentor_id, score] for mentee_id, mentor_id, score in pairs]
    try:
        with transaction():
            kept = StoredPreview.program_id == program_id
            db.session.execute(delete(StoredPreview).where(
                kept, or_(StoredPreview.digest == digest, StoredPreview.created_at < now - MAX_AGE)))
            older = db.session.scalars(db.select(StoredPreview.id).where(kept)
                                       .order_by(StoredPreview.created_at.desc(), StoredPreview.id.desc())
                                       .offset(KEPT - 1)).all()
            if older:
                db.session.execute(delete(StoredPreview).where(StoredPreview.id.in_(older)))
            db.session.add(StoredPreview(program_id=program_id, digest=digest, pairs=rows, created_at=now))
    except IntegrityError:
        pass  # a concurrent preview of the same pool kept the same pairs first


def recall(program_id: int, digest: str) -> list[tuple[int, int, float]] | None:
    """The pairs a recent preview of the program kept under ``digest``; None if none did."""
    rows = db.session.scalar(db.select(StoredPreview.pairs).where(
        StoredPreview.program_id == program_id, StoredPreview.digest == digest,
        StoredPreview.created_at >= utcnow() - MAX_AGE))
    if rows is None:
        return None
    return [(int(mentee_id), int(mentor_id), float(score)) for mentee_id, mentor_id, score in rows]
