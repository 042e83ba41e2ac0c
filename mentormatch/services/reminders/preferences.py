"""Which reminders a person wants by email, and the signed unsubscribe links in reminder emails.

In the app a person always sees every reminder; by email they get the
kinds they have not turned off (``ReminderOptOut``). An unsubscribe link
carries the person and the kinds it turns off, signed with the app's secret
and without expiry (an old email's link still works); it needs no login and
changes nothing else.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadData, URLSafeSerializer

from mentormatch.extensions import db
from mentormatch.models import ReminderOptOut, User
from mentormatch.models.user import utcnow
from mentormatch.services.bulk import insert_once
from mentormatch.services.reminders.kinds import KINDS
from mentormatch.services.transactions import transaction

SALT = "reminders-unsubscribe"


def opted_out(user_id: int) -> set[str]:
    """The kinds ``user_id`` does not want by email."""
    return set(db.session.scalars(db.select(ReminderOptOut.kind).where(ReminderOptOut.user_id == user_id)))


def emailed_kinds(user: User) -> set[str]:
    return set(KINDS) - opted_out(user.id)


def set_emailed_kinds(user: User, wanted: set[str]) -> None:
    """Email ``user`` the kinds in ``wanted`` and no other (unknown codes are ignored)."""
    off = set(KINDS) - wanted
    with transaction():
        db.session.execute(db.delete(ReminderOptOut).where(ReminderOptOut.user_id == user.id,
                                                           ReminderOptOut.kind.not_in(off)))
        for kind in sorted(off):
            insert_once(ReminderOptOut.__table__, {"user_id": user.id, "kind": kind, "created_at": utcnow()},
                        ["user_id", "kind"])


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unsubscribe_token(user_id: int, kinds: list[str]) -> str:
    return _serializer().dumps([user_id, sorted(set(kinds))])


@dataclass(frozen=True)
class Unsubscribe:
    user: User
    kinds: list[str]  # in KINDS order


def read_token(token: str) -> Unsubscribe | None:
    """What an unsubscribe link turns off, or None when the link is not ours or its account is gone."""
    try:
        user_id, kinds = _serializer().loads(token)
    except (BadData, TypeError, ValueError):
        return None
    if not isinstance(user_id, int) or not isinstance(kinds, list):
        return None
    user = db.session.get(User, user_id)
    known = [kind for kind in KINDS if kind in kinds]
    if user is None or user.deleted_at is not None or not known:
        return None
    return Unsubscribe(user, known)


def unsubscribe(token: str) -> Unsubscribe | None:
    """Turn off the link's kinds for its person (again is harmless); None when the link is not valid."""
    found = read_token(token)
    if found is None:
        return None
    with transaction():
        for kind in found.kinds:
            insert_once(ReminderOptOut.__table__, {"user_id": found.user.id, "kind": kind, "created_at": utcnow()},
                        ["user_id", "kind"])
    return found
