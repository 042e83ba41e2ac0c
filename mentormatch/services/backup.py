"""Back up and restore the database.

SQLite: the online backup API copies a consistent snapshot while the app
keeps serving. PostgreSQL: pg_dump's custom format, restored with
pg_restore --clean (both must be on PATH, at least the server's version).
"""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url

from mentormatch.extensions import db


class BackupError(RuntimeError):
    """The backup or restore could not be done; the message says why."""


def _url():
    return make_url(db.engine.url.render_as_string(hide_password=False))


def _libpq_url() -> str:
    return _url().set(drivername="postgresql").render_as_string(hide_password=False)


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} is not on PATH; install the PostgreSQL client (apt-get install postgresql-client)")
    return path


def backup(target: Path) -> Path:
    """Write a consistent copy of the database to ``target``."""
    url = _url()
    target.parent.mkdir(parents=True, exist_ok=True)
    if url.get_backend_name() == "sqlite":
        db.session.remove()
        with sqlite3.connect(url.database) as source, sqlite3.connect(target) as copy:
            source.backup(copy)
        return target
    if url.get_backend_name() == "postgresql":
        _run([_tool("pg_dump"), "--format=custom", "--no-owner", f"--file={target}", f"--dbname={_libpq_url()}"])
        return target
    raise BackupError(f"no backup method for {url.get_backend_name()}")


def restore(source: Path) -> None:
    """Replace the database's contents with the backup in ``source``. Stop the app first."""
    if not source.is_file():
        raise BackupError(f"{source} does not exist")
    url = _url()
    db.session.remove()
    db.engine.dispose()  # no pooled connection may hold a lock on what is replaced
    if url.get_backend_name() == "sqlite":
        with sqlite3.connect(source) as backup_db, sqlite3.connect(url.database) as live:
            backup_db.backup(live)
        return
    if url.get_backend_name() == "postgresql":
        _run([_tool("pg_restore"), "--clean", "--if-exists", "--no-owner", "--single-transaction",
              f"--dbname={_libpq_url()}", str(source)])
        return
    raise BackupError(f"no restore method for {url.get_backend_name()}")


def _run(command: list[str]) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=3600)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{Path(command[0]).name} failed")
