"""Stamps: a cheap answer to "has anything this person's pages show changed?".

After every flush, ``record_view_changes`` appends one ``view_changes`` row
for each person whose pages the flush changed: the person behind a changed
user row or profile (and everyone they were ever matched with, who sees
their name), both sides of a changed match, and both sides of the match
behind a changed agreement, version, goal, meeting or feedback. The rows are
written in the flush's own transaction, so a reader sees the new stamp
exactly when it sees the new data.

``stamp_of`` reads, in one statement, what a cached page is keyed by: whether
the account is active, its newest stamp and its unread notifications (counted
live, so notifications need no stamp). On PostgreSQL, triggers also announce
new stamp rows and notification changes to each process's change feed
(``services.change_feed``), which then answers without a round trip.
Statements that bypass the ORM's unit of work (the bulk inserts of
``services.rounds``) write no stamp: they create proposals, which no cached
page shows, and notifications, which are counted as above.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import Engine, bindparam, event, func, literal, or_, select, union
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementFeedback, AgreementGoal, AgreementVersion, Match, Meeting, Profile, ProfileTag, User,
    ViewChange,
)
from mentormatch.models.user import utcnow
from mentormatch.services.notifications import unread_select
from mentormatch.services.transactions import transaction

_BY_AGREEMENT = (AgreementVersion, AgreementGoal, AgreementFeedback, Meeting)


@dataclass(frozen=True)
class Stamp:
    active: bool
    change: int | None  # id of the person's newest view_changes row; None before their first change
    unread: int


def _changed_ids(session: Session) -> tuple[set[int], set[int], set[int], set[int]]:
    """(user ids, profile ids, match ids, agreement ids) behind the objects this flush wrote."""
    users, profiles, matches, agreements = set(), set(), set(), set()
    for obj in (*session.new, *session.dirty, *session.deleted):
        if isinstance(obj, User):
            users.add(obj.id)
        elif isinstance(obj, Profile):
            users.add(obj.user_id)
        elif isinstance(obj, ProfileTag):
            profiles.add(obj.profile_id)
        elif isinstance(obj, Match):
            users.update((obj.mentee_id, obj.mentor_id))
        elif isinstance(obj, Agreement):
            matches.add(obj.match_id)
        elif isinstance(obj, _BY_AGREEMENT):
            agreements.add(obj.agreement_id)
    return users - {None}, profiles - {None}, matches - {None}, agreements - {None}


def _affected(users: set[int], profiles: set[int], matches: set[int], agreements: set[int]):
    """A SELECT of every person whose pages show one of the changed rows."""
    parts = []
    if users:
        parts.append(select(User.id).where(User.id.in_(users)))
        # People matched with a changed person see their name.
        parts.append(select(Match.mentor_id).where(Match.mentee_id.in_(users)))
        parts.append(select(Match.mentee_id).where(Match.mentor_id.in_(users)))
    if profiles:
        parts.append(select(Profile.user_id).where(Profile.id.in_(profiles)))
    match_filter = []
    if matches:
        match_filter.append(Match.id.in_(matches))
    if agreements:
        match_filter.append(Match.id.in_(select(Agreement.match_id).where(Agreement.id.in_(agreements))))
    if match_filter:
        parts.append(select(Match.mentee_id).where(or_(*match_filter)))
        parts.append(select(Match.mentor_id).where(or_(*match_filter)))
    return union(*parts) if parts else None


def record_view_changes(session: Session, _flush_context) -> None:
    """``after_flush`` listener: append a stamp row for everyone the flush affected (one INSERT)."""
    affected = _affected(*_changed_ids(session))
    if affected is None:
        return
    people = affected.subquery()
    session.connection().execute(
        ViewChange.__table__.insert().from_select(
            ["user_id", "changed_at"],
            # Joined with users: a person deleted in this very flush gets no row (the foreign key).
            select(User.id, literal(utcnow(), ViewChange.changed_at.type))
            .where(User.id.in_(select(people.c[0]))),
        )
    )


def track_view_changes() -> None:
    """Register the listener on the app's session (once, however many apps are built)."""
    if not event.contains(db.session, "after_flush", record_view_changes):
        event.listen(db.session, "after_flush", record_view_changes)


def _stamp_statement():
    users = User.__table__
    return select(
        users.c.active,
        select(func.max(ViewChange.id)).where(ViewChange.user_id == users.c.id).scalar_subquery(),
        unread_select(users.c.id).scalar_subquery(),
    ).where(users.c.id == bindparam("user_id"))


STAMP = _stamp_statement()  # built once: this runs on every cached page view
_POSTGRES_SQL: dict[Engine, str] = {}


def stamp_of(user_id: int) -> Stamp | None:
    """The key of ``user_id``'s cached pages; None for no such account."""
    engine = db.engine
    row = _stamp_row_postgres(engine, user_id) if engine.dialect.name == "postgresql" else \
        db.session.execute(STAMP, {"user_id": user_id}).first()
    return Stamp(bool(row[0]), row[1], row[2]) if row else None


def _stamp_row_postgres(engine: Engine, user_id: int) -> tuple | None:
    """One round trip: the statement on a pooled psycopg connection put in autocommit.

    This runs on every cached page view, so it skips what SQLAlchemy adds
    around a statement (a transaction's BEGIN and ROLLBACK round trips, the
    execution context: about 0.2 ms, most of a cached page's cost). A
    connection found dead (the database restarted) is discarded and the
    statement tried once more on a fresh one.
    """
    sql = _POSTGRES_SQL.get(engine)
    if sql is None:
        sql = _POSTGRES_SQL[engine] = str(STAMP.compile(dialect=engine.dialect))
    dbapi_error = engine.dialect.loaded_dbapi.OperationalError
    for attempt in (1, 2):
        try:
            pooled = engine.raw_connection()
        except dbapi_error as error:  # the database cannot be reached at all
            raise OperationalError(sql, {"user_id": user_id}, error) from error
        try:
            pooled.driver_connection.autocommit = True
            try:
                with pooled.driver_connection.cursor() as cursor:
                    return cursor.execute(sql, {"user_id": user_id}).fetchone()
            finally:
                if not pooled.driver_connection.closed:
                    pooled.driver_connection.autocommit = False
        except dbapi_error as error:
            lost = engine.dialect.is_disconnect(error, pooled.dbapi_connection, None)
            if lost:
                pooled.invalidate(error)
            if attempt == 2 or not lost:
                # As SQLAlchemy would raise it, so the error page knows the database is away.
                raise OperationalError(sql, {"user_id": user_id}, error, connection_invalidated=lost) from error
        finally:
            pooled.close()
    raise AssertionError("unreachable")


def prune_view_changes(older_than: timedelta = timedelta(days=1)) -> int:
    """Delete stamp rows older than ``older_than`` except each person's newest; returns how many.

    Keeping the newest row keeps every stamp as it was, so no cached page
    is wrongly taken for current.
    """
    newest = select(func.max(ViewChange.id)).group_by(ViewChange.user_id)
    with transaction():
        done = db.session.execute(
            ViewChange.__table__.delete()
            .where(ViewChange.changed_at < utcnow() - older_than, ViewChange.id.not_in(newest))
        )
    return done.rowcount
