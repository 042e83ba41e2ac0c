"""One row per logged-in browser: what makes a session cookie (or remember-me cookie) valid.

The cookie carries a random token; the row keeps only its SHA-256, so a copy
of the database logs nobody in. Logging out deletes the row; a password
change, a reset, an email change, a deactivation or "log out of all other
sessions" deletes the person's other rows (or all of them), and every cookie
that named them stops working on its next request.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class UserSession(db.Model):
    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    user_agent: Mapped[str] = mapped_column(String(200), default="")
