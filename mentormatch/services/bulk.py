"""Inserting many rows at once, for use cases that write thousands (a matching round)."""

from __future__ import annotations

from sqlalchemy import Table, insert
from sqlalchemy.dialects import postgresql, sqlite

from mentormatch.extensions import db


def insert_rows(table: Table, rows: list[dict]) -> None:
    """Insert many rows at once, with no ORM objects, inside the session's transaction.

    PostgreSQL gets ``COPY ... FROM STDIN`` on the session's own connection:
    at 20,000 rows several times faster than one ``INSERT ... SELECT FROM
    unnest(arrays)``, whose cost was psycopg adapting the Python lists to
    arrays. Other databases get SQLAlchemy's executemany. Column names come
    from our own dictionaries, never from input.
    """
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(table), rows)
        return
    columns = list(rows[0])
    quoted = ", ".join(connection.dialect.identifier_preparer.quote(name) for name in columns)
    cursor = connection.connection.dbapi_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({quoted}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row[name] for name in columns])


def insert_once(table: Table, row: dict, key: list[str]) -> bool:
    """Insert ``row`` unless a row with the same values in the unique columns ``key`` exists; whether it did.

    ``INSERT ... ON CONFLICT DO NOTHING``: the idempotency of scheduled work
    (reminders, digests). Concurrent inserts of one key on PostgreSQL wait for
    each other, and all but the first find the row and insert nothing.
    """
    dialect = db.session.connection().dialect.name
    make = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = make(table).values(**row).on_conflict_do_nothing(index_elements=key).returning(table.c[key[0]])
    return db.session.execute(statement).first() is not None  # RETURNING: rowcount is not reliable here
