"""Logged-in sessions that the server can end: one ``user_sessions`` row per browser.

The session cookie (and the remember-me cookie) carry a random token as
Flask-Login's user id (``User.get_id``); the row keeps its SHA-256. A cookie
logs in only while its row exists and has not expired, so logging out, a
password change or reset, an email change, a deactivation and "log out of
all other sessions" take effect on the very next request of every browser
they concern.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import bindparam
from sqlalchemy.orm import joinedload

from mentormatch.extensions import db
from mentormatch.models import Membership, Profile, User, UserSession
from mentormatch.models.user import utcnow
from mentormatch.services.transactions import transaction

USER_AGENT_LENGTH = 200


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, remember: bool = False, user_agent: str = "") -> str:
    """Open a session for ``user`` and return its token (what the cookie carries)."""
    hours = current_app.config["REMEMBER_DAYS"] * 24 if remember else current_app.config["SESSION_HOURS"]
    token = secrets.token_urlsafe(32)
    with transaction():
        db.session.add(UserSession(user_id=user.id, token_hash=_hash(token),
                                   expires_at=utcnow() + timedelta(hours=hours),
                                   user_agent=user_agent[:USER_AGENT_LENGTH]))
    user.session_token = token
    return token


# Every request runs this: built once (about 0.4 ms of CPU a request less than building it each time).
# One statement: the person, their profile and tags, their memberships with programs, the programs they run.
_USER_FOR_TOKEN = (
    db.select(User).join(UserSession, UserSession.user_id == User.id)
    .where(UserSession.token_hash == bindparam("token_hash"), UserSession.expires_at > bindparam("now"),
           User.active.is_(True))
    .options(joinedload(User.profile).joinedload(Profile.tags),
             # the navigation's program switcher and the access checks read these on every page
             joinedload(User.memberships).joinedload(Membership.program),
             joinedload(User.coordinated_programs)))


def user_for_token(token: str) -> User | None:
    """The active user whose live session ``token`` names (with profile and tags: most pages show them)."""
    if not token or len(token) > 100:
        return None
    user = db.session.execute(_USER_FOR_TOKEN, {"token_hash": _hash(token), "now": utcnow()}
                              ).unique().scalar_one_or_none()
    if user is not None:
        user.session_token = token
    return user


def end_session(token: str | None) -> None:
    """Log this one browser out, for good."""
    if token:
        with transaction():
            db.session.execute(db.delete(UserSession).where(UserSession.token_hash == _hash(token)))


def end_other_sessions(user: User, keep: str | None = None) -> int:
    """End every session of ``user`` but the one ``keep`` names (every one when None); returns how many."""
    query = db.delete(UserSession).where(UserSession.user_id == user.id)
    if keep:
        query = query.where(UserSession.token_hash != _hash(keep))
    with transaction():
        return db.session.execute(query).rowcount


def sessions_of(user: User) -> list[UserSession]:
    """``user``'s live sessions, newest first (the account page lists them)."""
    return list(db.session.scalars(db.select(UserSession).where(
        UserSession.user_id == user.id, UserSession.expires_at > utcnow()).order_by(UserSession.id.desc())))


def is_current(session_row: UserSession, token: str | None) -> bool:
    return token is not None and session_row.token_hash == _hash(token)


def prune_expired() -> int:
    """Delete sessions past their end (a scheduled job)."""
    with transaction():
        return db.session.execute(db.delete(UserSession).where(UserSession.expires_at <= utcnow())).rowcount
