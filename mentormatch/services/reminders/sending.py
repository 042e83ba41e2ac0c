"""Writing reminders once, in the app at once, and by email in one daily digest per person.

``raise_due`` writes each due reminder (``rules``) under its idempotency key
with ``INSERT … ON CONFLICT DO NOTHING``; only the call whose insert wrote the
row adds the in-app notification, so two workers or a restarted scheduler
never remind twice. ``send_digests`` emails each person, at most once a day
(key ``digest:<person>:<their local date>``) and only in their daytime
(``zones.is_daytime``), the reminders no digest has carried yet, leaving out
the kinds they turned off. Reminders raised after today's digest wait for
tomorrow's.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from mentormatch import zones
from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import Notification, Profile, Reminder, User
from mentormatch.services.bulk import insert_once
from mentormatch.services.notifications import Kind
from mentormatch.services.outbox import queue_email_once
from mentormatch.services.reminders import preferences, rules
from mentormatch.services.reminders.kinds import KINDS, label
from mentormatch.services.transactions import transaction

CHUNK = 200  # reminders written per transaction
KEY = ["user_id", "kind", "subject", "period"]


def _written(items: list[rules.Due]) -> set[tuple]:
    """The keys among ``items`` that are already written (one query per thousand people)."""
    users = sorted({item.user_id for item in items})
    found = set()
    for start in range(0, len(users), 1000):
        rows = db.session.execute(db.select(Reminder.user_id, Reminder.kind, Reminder.subject, Reminder.period)
                                  .where(Reminder.user_id.in_(users[start:start + 1000])))
        found.update(tuple(row) for row in rows)
    return found


def raise_due(now: datetime) -> int:
    """Write the reminders due at ``now`` that were never written, each with its in-app notification."""
    items = rules.due(now)
    written = _written(items)
    fresh = list({item.key: item for item in items if item.key not in written}.values())
    raised = 0
    for start in range(0, len(fresh), CHUNK):
        with transaction():
            for item in fresh[start:start + CHUNK]:
                row = {"user_id": item.user_id, "program_id": item.program_id, "kind": item.kind,
                       "subject": item.subject, "period": item.period, "text": item.text, "path": item.path,
                       "created_at": now}
                if insert_once(Reminder.__table__, row, KEY):  # another worker may have written it meanwhile
                    db.session.add(Notification(user_id=item.user_id, kind=Kind.REMINDER, text=item.text,
                                                path=item.path, created_at=now))
                    raised += 1
    return raised


def _waiting_people() -> list:
    return db.session.execute(
        db.select(User.id, Profile.time_zone).outerjoin(Profile, Profile.user_id == User.id)
        .where(User.id.in_(db.select(Reminder.user_id).where(Reminder.digested_at.is_(None)).distinct()))).all()


def send_digests(now: datetime) -> int:
    """Email each person whose day it is their waiting reminders, once a day; how many digests were queued."""
    sent = 0
    for user_id, time_zone in _waiting_people():
        zone = zones.zone_named(time_zone)
        if zones.is_daytime(now, zone):
            sent += _send_digest(user_id, now, zones.local_date(now, zone).isoformat())
    return sent


def digest_key(user_id: int, day: str) -> str:
    return f"digest:{user_id}:{day}"


def _mark(ids: list[int], now: datetime, key: str) -> None:
    if ids:
        db.session.execute(db.update(Reminder).where(Reminder.id.in_(ids), Reminder.digested_at.is_(None))
                           .values(digested_at=now, digest_key=key).execution_options(synchronize_session=False))


def _send_digest(user_id: int, now: datetime, day: str) -> int:
    with transaction():
        user = db.session.get(User, user_id)
        waiting = list(db.session.scalars(db.select(Reminder).where(
            Reminder.user_id == user_id, Reminder.digested_at.is_(None)).order_by(Reminder.created_at, Reminder.id)))
        off = preferences.opted_out(user_id)
        if user is None or not user.active or user.deleted_at is not None:
            off = set(KINDS) | {r.kind for r in waiting}
        wanted = [r for r in waiting if r.kind not in off]
        _mark([r.id for r in waiting if r.kind in off], now, "")  # seen in the app; not wanted by email
        if not wanted:
            return 0
        key = digest_key(user_id, day)
        if not queue_email_once(digest_email(user, wanted), key):
            return 0  # today's digest went already: these wait for tomorrow's
        _mark([r.id for r in wanted], now, key)
    return 1


def digest_email(user: User, reminders: list[Reminder]) -> Email:
    """One email with every reminder, a link to stop each kind, and RFC 8058 one-click unsubscribe headers.

    The headers' link turns off the kinds this email carries, and nothing else.
    """
    base = current_app.config["BASE_URL"].rstrip("/")
    kinds = [kind for kind in KINDS if any(r.kind == kind for r in reminders)]
    count = len(reminders)
    lines = [f"Hello {user.name},", "", "Here is what is waiting for you in MentorMatch:", ""]
    for reminder in reminders:
        lines.append(f"- {reminder.text}")
        if reminder.path:
            lines.append(f"  {base}{reminder.path}")
    lines += ["", "You get one email like this a day at most, and only in your daytime.",
              "To stop emails about one kind of reminder (you still see them in the app), open its link:"]
    lines += [f"  {label(kind)}: {base}/unsubscribe/{preferences.unsubscribe_token(user.id, [kind])}"
              for kind in kinds]
    lines += [f"Choose which reminders you get by email: {base}/reminders/preferences", "", "-- MentorMatch"]
    every = f"{base}/unsubscribe/{preferences.unsubscribe_token(user.id, kinds)}"
    return Email(to=user.email, subject=f"MentorMatch: {count} reminder{'s' if count != 1 else ''} for you",
                 body="\n".join(lines),
                 headers=(("List-Unsubscribe", f"<{every}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")))
