"""One unit of work per use case, and the lock that keeps capacity honest."""

from __future__ import annotations

import logging
from contextlib import contextmanager
from functools import wraps
from typing import Callable, Iterator, ParamSpec, TypeVar

from sqlalchemy.exc import DBAPIError

from mentormatch.extensions import db
from mentormatch.models import Membership

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")

DEPTH = "transaction_depth"


@contextmanager
def transaction() -> Iterator[None]:
    """Commit what the block did; on error roll back all of it.

    Emails the block queued are outbox rows in the same transaction
    (``services.outbox``): they go when it commits and vanish with a rollback.

    Blocks nest: a use case that calls others (deleting an account ends its
    agreements) runs them inside its own block, and only the outermost one
    commits, so the whole is saved or nothing is.
    """
    depth = db.session.info.get(DEPTH, 0)
    if depth == 0:
        _begin_writing()
    db.session.info[DEPTH] = depth + 1
    try:
        yield
        if depth == 0:
            db.session.commit()
    except BaseException:
        if depth == 0:
            db.session.rollback()
        raise
    finally:
        db.session.info[DEPTH] = depth


def _unsaved_changes() -> bool:
    session = db.session()
    return bool(session.new or session.dirty or session.deleted)


def _begin_writing() -> None:
    """SQLite: make the use case's transaction take the write lock when it begins (BEGIN IMMEDIATE).

    A transaction that read first and writes later cannot take the lock once
    another connection (the worker marking emails sent, say) committed in
    between: SQLite refuses at once with "database is locked". So what the
    request read before the block is committed (only reads: changes not yet
    flushed stay for the block) and the block begins anew, holding the lock.
    PostgreSQL needs none of this: row locks and READ COMMITTED do the job.
    """
    session = db.session()
    if session.get_bind().dialect.name != "sqlite" or _unsaved_changes():
        return
    if session.in_transaction():
        if session.connection().get_execution_options().get("sqlite_immediate"):
            return  # already holds the lock (begin_locked_for_pair)
        session.commit()
    session.connection(execution_options={"sqlite_immediate": True})


def lock(*rows: db.Model) -> None:
    """Inside ``transaction()``: make every other block that locks one of these rows wait for this one to end.

    For rules that read and then write (at most three open requests, the next
    version number, one note per author): the second racer waits, then reads
    what the first committed and refuses or updates instead of breaking the rule.
    PostgreSQL: SELECT ... FOR NO KEY UPDATE of each row, in a fixed order (so two
    blocks cannot wait for each other), then loaded objects are expired so the
    block reads them afresh, as SQLite's block does. SQLite: nothing to do, the
    block began with BEGIN IMMEDIATE (only one writer at a time) on fresh reads.
    """
    session = db.session()
    if session.get_bind().dialect.name == "sqlite":
        return
    # Views pass current_user, a proxy: lock the user it stands for.
    rows = tuple(getattr(row, "_get_current_object", lambda row=row: row)() for row in rows)
    for row in sorted(rows, key=lambda r: (type(r).__tablename__, r.id)):
        model = type(row)
        # NO KEY UPDATE: foreign-key checks of rows that point at this one (FOR KEY SHARE) still pass.
        session.execute(db.select(model.id).where(model.id == row.id).with_for_update(key_share=True))
    if not _unsaved_changes():
        session.expire_all()


def begin_locked_for_pair(program_id: int, mentor_id: int, mentee_id: int) -> None:
    """Start a transaction that no other one changing this mentor's or this mentee's matches in
    ``program_id`` can interleave with.

    PostgreSQL: lock both people's membership rows in the program (SELECT ...
    FOR NO KEY UPDATE), so two acceptances for one mentor (the membership's
    capacity) or for one mentee (one active match per program) run one after
    the other, while acceptances in another program do not wait; rows are
    locked in id order, the same in every transaction, so two acceptances
    cannot wait for each other. SQLite: BEGIN IMMEDIATE takes the database
    write lock before anything is read. Must be the first statement of its
    transaction, so whatever the session was reading is committed first.
    """
    if db.session().in_transaction():
        db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_immediate": True})
    else:
        # FOR NO KEY UPDATE: acceptances for one mentor still wait for each other, but
        # the FOR KEY SHARE locks that foreign-key checks take (a notification to
        # another mentor) pass, so two mentors accepting at once cannot deadlock.
        db.session.execute(db.select(Membership.id).where(
            Membership.program_id == program_id, Membership.user_id.in_((mentor_id, mentee_id)))
            .order_by(Membership.id).with_for_update(key_share=True))


# PostgreSQL's codes for "try the transaction again": deadlock_detected, serialization_failure.
RETRYABLE = {"40P01", "40001"}


def retry_on_conflict(use_case: Callable[P, R], attempts: int = 3) -> Callable[P, R]:
    """Run a use case again when the database aborted it for a deadlock or a serialization conflict."""

    @wraps(use_case)
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in range(1, attempts + 1):
            try:
                return use_case(*args, **kwargs)
            except DBAPIError as error:
                code = getattr(error.orig, "sqlstate", None) or getattr(error.orig, "pgcode", None)
                if code not in RETRYABLE or attempt == attempts:
                    raise
                db.session.rollback()
                log.warning("retrying %s after %s (attempt %d)", use_case.__name__, code, attempt)
        raise AssertionError("unreachable")

    return run
