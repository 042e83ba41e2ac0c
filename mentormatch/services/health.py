"""Whether the app can do its work."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from mentormatch.extensions import db

log = logging.getLogger(__name__)


def database_ok() -> bool:
    """Run a trivial query; False (and a log line) when the database is unreachable."""
    try:
        db.session.execute(text("SELECT 1"))
        return True
    except SQLAlchemyError:
        log.warning("health check: database unreachable", exc_info=True)
        db.session.rollback()
        return False
    finally:
        db.session.remove()
