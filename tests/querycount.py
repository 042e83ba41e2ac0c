"""Count the SQL statements a block of code sends (for 'no N+1' tests)."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine


class Statements(list):
    """The SQL sent inside a ``count_statements()`` block."""

    def __str__(self) -> str:
        return "\n".join(self)


@contextmanager
def count_statements() -> Iterator[Statements]:
    """Record every statement any engine executes inside the block (BEGIN/COMMIT excluded)."""
    seen = Statements()

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith(("BEGIN", "COMMIT", "ROLLBACK", "SAVEPOINT", "RELEASE")):
            seen.append(statement)

    event.listen(Engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(Engine, "before_cursor_execute", record)
