"""Flask extensions, created unbound and bound to the app in the factory."""

from datetime import datetime

from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
import sqlite3

from mentormatch.tasks.queue import TaskQueue

from sqlalchemy import DateTime, MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, registry


class Base(DeclarativeBase):
    """Declarative base: named constraints (so migrations can alter them) and
    timezone-aware datetimes everywhere."""

    registry = registry(
        metadata=MetaData(
            naming_convention={
                "ix": "ix_%(column_0_label)s",
                "uq": "uq_%(table_name)s_%(column_0_name)s",
                "ck": "ck_%(table_name)s_%(constraint_name)s",
                "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
                "pk": "pk_%(table_name)s",
            }
        ),
        type_annotation_map={datetime: DateTime(timezone=True)},
    )


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
# Storage comes from RATELIMIT_STORAGE_URI (memory:// for one process; redis://… to share).
limiter = Limiter(key_func=get_remote_address)
# The Huey task queue; each app's storage comes from its QUEUE_URL.
queue = TaskQueue()


def _sqlite_on_connect(dbapi_connection, _record) -> None:
    if isinstance(dbapi_connection, sqlite3.Connection):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        cursor.execute("PRAGMA busy_timeout = 10000")
        if cursor.execute("PRAGMA journal_mode").fetchone()[0] != "memory":
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()


def _sqlite_on_begin(connection) -> None:
    if connection.dialect.name == "sqlite":
        immediate = connection.get_execution_options().get("sqlite_immediate")
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def configure_sqlite() -> None:
    """Let SQLAlchemy, not the sqlite3 driver, begin SQLite transactions.

    The driver's own handling starts a transaction only before a write, so a
    read-then-write (counting a mentor's mentees, then accepting) is not
    atomic. With this, every transaction starts with BEGIN, and one that asks
    for ``execution_options(sqlite_immediate=True)`` takes the write lock at
    once with BEGIN IMMEDIATE (see services.transactions). Foreign keys are
    enforced and WAL lets readers proceed while one writer works.
    """
    for name, listener in (("connect", _sqlite_on_connect), ("begin", _sqlite_on_begin)):
        if not event.contains(Engine, name, listener):
            event.listen(Engine, name, listener)
