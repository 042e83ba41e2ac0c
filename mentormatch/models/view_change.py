"""A row per change to what a person's pages show: the key of the page cache.

Every flush that touches someone's user row, profile, matches, agreements or
meetings appends one row per person affected (services.view_stamps). A
person's *stamp* is the id of their newest row, so a cached page keyed by the
stamp is stale exactly when a newer row exists. Rows are only inserted, never
updated, so writers never wait on each other's locks here; old rows are
pruned (keeping each person's newest) by ``flask expire-matches``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer
from sqlalchemy.orm import Mapped, mapped_column

from mentormatch.extensions import db
from mentormatch.models.user import utcnow


class ViewChange(db.Model):
    __tablename__ = "view_changes"
    __table_args__ = (Index("ix_view_changes_user_id_id", "user_id", "id"),)

    # BIGINT on PostgreSQL (a busy program passes 2**31 changes); INTEGER on
    # SQLite, where only "INTEGER PRIMARY KEY" numbers rows by itself.
    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
