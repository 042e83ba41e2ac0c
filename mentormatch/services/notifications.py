"""In-app notifications, mirrored by email."""

from __future__ import annotations

from enum import StrEnum

from flask import current_app
from sqlalchemy import bindparam, func

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import Notification, User
from mentormatch.models.user import utcnow
from mentormatch.services.outbox import queue_email
from mentormatch.services.paging import Page, bounds
from mentormatch.services.transactions import transaction


class Kind(StrEnum):
    REQUEST = "request"
    PROPOSAL = "proposal"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    AGREEMENT = "agreement"  # terms proposed or confirmed, a meeting logged, the agreement ended
    REMINDER = "reminder"  # written by the scheduler (services.reminders), emailed in a daily digest


SUBJECTS = {
    Kind.REQUEST: "A mentee asked you to be their mentor",
    Kind.PROPOSAL: "You have a new mentoring match proposal",
    Kind.ACCEPTED: "Your mentoring match is confirmed",
    Kind.DECLINED: "A mentoring match was declined",
    Kind.EXPIRED: "A mentoring match expired",
    Kind.WITHDRAWN: "A mentoring match was withdrawn",
    Kind.AGREEMENT: "News about your mentorship agreement",
    Kind.REMINDER: "A reminder",
}


def is_app_path(path: str | None) -> bool:
    """Whether ``path`` is a path of this app ("/agreements/7#schedule"), not a link to another site."""
    return (bool(path) and len(path) <= 300 and path.startswith("/") and not path.startswith("//")
            and "\\" not in path and path.isprintable() and " " not in path)


def target_path(path: str | None, match_id: int | None) -> str | None:
    """The app path a notification is about: its own path, else its match's page, else none."""
    if is_app_path(path):
        return path
    return f"/matches/{match_id}" if match_id else None


def notification_email(email: str, name: str, kind: Kind, text: str, match_id: int | None,
                       path: str | None = None) -> Email:
    """The email that mirrors an in-app notification."""
    base = current_app.config["BASE_URL"].rstrip("/")
    link = base + (target_path(path, match_id) or "")
    return Email(to=email, subject=f"MentorMatch: {SUBJECTS[kind]}",
                 body=f"Hello {name},\n\n{text}\n\n{link}\n\n-- MentorMatch")


def notify(user: User, kind: Kind, text: str, match_id: int | None = None, path: str | None = None) -> None:
    """Tell ``user`` in the app, and by email once the transaction commits.

    ``path`` is the app page the notification is about ("/agreements/7#schedule") when it is not the
    match's page; opening the notification leads there.
    """
    if path is not None and not is_app_path(path):
        raise ValueError(f"a notification links to a path of this app, not {path!r}")
    db.session.add(Notification(user_id=user.id, kind=kind, text=text, match_id=match_id, path=path))
    queue_email(notification_email(user.email, user.name, kind, text, match_id, path))


def unread_select(user_id):
    """SELECT count of the unread notifications of ``user_id`` (a value or a correlated column)."""
    return (db.select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)))


# Every page's navigation runs this: built once, so a request neither rebuilds it nor recomputes its cache key.
UNREAD = unread_select(bindparam("user_id"))


def unread_count(user: User) -> int:
    """How many notifications ``user`` has not read."""
    return db.session.scalar(UNREAD, {"user_id": user.id})


def notifications_page(user: User, page: int, per_page: int) -> Page:
    """One page of ``user``'s notifications, newest first."""
    total = db.session.scalar(db.select(func.count()).select_from(Notification)
                              .where(Notification.user_id == user.id))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        db.select(Notification).where(Notification.user_id == user.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, pages, total)


def open_notification(user: User, notification_id: int) -> str | None:
    """Mark ``user``'s notification read and give the path it is about ("" when it is about no page);
    None when ``user`` has no such notification."""
    with transaction():
        found = db.session.scalar(db.select(Notification).where(Notification.id == notification_id,
                                                                Notification.user_id == user.id))
        if found is None:
            return None
        if found.read_at is None:
            found.read_at = utcnow()
        return target_path(found.path, found.match_id) or ""


def mark_all_read(user: User) -> None:
    """Mark every notification of ``user`` as read."""
    with transaction():
        db.session.execute(
            db.update(Notification)
            .where(Notification.user_id == user.id, Notification.read_at.is_(None))
            .values(read_at=utcnow())
        )
