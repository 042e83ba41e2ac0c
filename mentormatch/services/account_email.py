"""Confirming an email address: at sign-up, and when someone changes theirs.

Links are signed with the app's secret (itsdangerous), expire after a week
and name both the account and the address, so a link for an old address
cannot confirm a new one.
"""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import EmailTaken, find_user_by_email, normalise_email, register
from mentormatch.services.outbox import queue_email
from mentormatch.services.transactions import transaction

CONFIRM_SALT = "confirm-email"
CHANGE_SALT = "change-email"
MAX_AGE = 7 * 24 * 3600


def _link(salt: str, payload: dict, path: str) -> str:
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt).dumps(payload)
    return f"{current_app.config['BASE_URL'].rstrip('/')}{path}/{token}"


def _load(salt: str, token: str) -> dict | None:
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt).loads(token, max_age=MAX_AGE)
    except BadData:
        return None
    return data if isinstance(data, dict) else None


def send_confirmation(user: User) -> None:
    """Email ``user`` a link that confirms their address."""
    link = _link(CONFIRM_SALT, {"user": user.id, "email": user.email}, "/auth/confirm")
    with transaction():
        queue_email(Email(to=user.email, subject="MentorMatch: confirm your email address",
                          body=f"Hello {user.name},\n\nConfirm your email address for MentorMatch:\n\n{link}\n\n"
                               "The link works for seven days.\n\n-- MentorMatch"))


def confirm_email(token: str) -> User | None:
    """Mark the address in a confirmation link as confirmed; None if the link is not valid."""
    data = _load(CONFIRM_SALT, token)
    user = db.session.get(User, data.get("user")) if data else None
    if user is None or user.deleted_at is not None or user.email != data.get("email"):
        return None
    if user.email_confirmed_at is None:
        user.email_confirmed_at = utcnow()
        db.session.commit()
    return user


def request_email_change(user: User, password: str, new_email: str) -> None:
    """Send a confirmation link to the new address; the change happens when it is followed."""
    if not check_password_hash(user.password_hash, password):
        raise PermissionError("That is not your current password.")
    new_email = normalise_email(new_email)
    if find_user_by_email(new_email) is not None:
        raise EmailTaken(new_email)
    link = _link(CHANGE_SALT, {"user": user.id, "old": user.email, "new": new_email}, "/auth/email")
    with transaction():
        queue_email(Email(to=new_email, subject="MentorMatch: confirm your new email address",
                          body=f"Hello {user.name},\n\nFollow this link to use {new_email} for MentorMatch:"
                               f"\n\n{link}\n\nIf you did not ask for this, ignore this email.\n\n-- MentorMatch"))


def change_email(token: str) -> User | None:
    """Switch the account to the new, now confirmed, address; None if the link is not valid."""
    data = _load(CHANGE_SALT, token)
    user = db.session.get(User, data.get("user")) if data else None
    if user is None or user.deleted_at is not None or user.email != data.get("old"):
        return None
    if find_user_by_email(data["new"]) is not None:
        raise EmailTaken(data["new"])
    user.email = data["new"]
    user.email_confirmed_at = utcnow()
    db.session.commit()
    return user


def sign_up(email: str, name: str, password: str, role: str) -> User:
    """Register a mentor or mentee and email them the confirmation link, in one transaction."""
    with transaction():
        user = register(email, name, password, role)
        send_confirmation(user)
    return user
