"""Confirming an email address: at sign-up, and when someone changes theirs.

Links are signed with the app's secret (itsdangerous). A confirmation link
names the account and the address it confirms and works for a week. An
email-change link works for 24 hours and only while the change is pending:
it names the old and the new address, the current password and a nonce
that a cancel from the old address, a password change or a reset clears.
The request itself answers the same whatever the new address: the worker
(``tasks.accounts``) checks whether it is taken and, if so, tells its owner.
"""

from __future__ import annotations

import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from werkzeug.security import check_password_hash

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import User
from mentormatch.models.user import utcnow
from mentormatch.services import sessions
from mentormatch.services.accounts import SIGN_OFF, find_user_by_email, normalise_email, password_fingerprint
from mentormatch.services.outbox import queue_email
from mentormatch.services.transactions import transaction

CONFIRM_SALT, CHANGE_SALT, CANCEL_SALT = "confirm-email", "change-email", "cancel-email-change"
CONFIRM_MAX_AGE = 7 * 24 * 3600
CHANGE_MAX_AGE = 24 * 3600


def _link(salt: str, payload: dict, path: str) -> str:
    token = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt).dumps(payload)
    return f"{current_app.config['BASE_URL'].rstrip('/')}{path}/{token}"


def _load(salt: str, token: str, max_age: int) -> dict | None:
    try:
        data = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt).loads(token, max_age=max_age)
    except BadData:
        return None
    return data if isinstance(data, dict) else None


def confirmation_email(user: User) -> Email:
    """The email with the link that confirms ``user``'s address."""
    link = _link(CONFIRM_SALT, {"user": user.id, "email": user.email}, "/auth/confirm")
    return Email(user.email, "MentorMatch: confirm your email address",
                 f"Hello {user.name},\n\nConfirm your email address for MentorMatch:\n\n{link}\n\n"
                 "The link works for seven days. Until then you can fill in your profile, but not ask for "
                 "or accept a match." + SIGN_OFF)


def send_confirmation(user: User) -> None:
    """Email ``user`` a new link that confirms their address."""
    with transaction():
        queue_email(confirmation_email(user))


def confirm_email(token: str) -> User | None:
    """Mark the address in a confirmation link as confirmed; None if the link is not valid."""
    data = _load(CONFIRM_SALT, token, CONFIRM_MAX_AGE)
    user = db.session.get(User, data.get("user")) if data else None
    if user is None or user.deleted_at is not None or user.email != data.get("email"):
        return None
    if user.email_confirmed_at is None:
        with transaction():
            user.email_confirmed_at = utcnow()
    return user


def request_email_change(user: User, password: str, new_email: str) -> str:
    """Check the password; the links go out from the worker. Returns the normalised new address."""
    if not check_password_hash(user.password_hash, password):
        raise PermissionError("That is not your current password.")
    return normalise_email(new_email)


def send_email_change_links(user_id: int, new_email: str) -> bool:
    """Email the link to the new address and a notice with a cancel link to the old one (worker).

    When another account uses the new address, its owner is told instead and
    nothing changes. Returns whether the change links were sent.
    """
    with transaction():
        user = db.session.get(User, user_id)
        if user is None or not user.active:
            return False
        owner = find_user_by_email(new_email)
        if owner is not None:
            if owner.id != user.id:
                queue_email(Email(owner.email, "MentorMatch: someone tried to use your address",
                                  f"Hello {owner.name},\n\nSomeone asked to move another MentorMatch account to "
                                  "this address, which already has an account of its own. Nothing was changed, "
                                  "and you need not do anything." + SIGN_OFF))
            return False
        user.email_change_nonce = secrets.token_hex(16)
        payload = {"user": user.id, "old": user.email, "new": new_email, "nonce": user.email_change_nonce,
                   "pw": password_fingerprint(user)}
        queue_email(Email(new_email, "MentorMatch: confirm your new email address",
                          f"Hello {user.name},\n\nFollow this link within 24 hours to use {new_email} for "
                          f"MentorMatch:\n\n{_link(CHANGE_SALT, payload, '/auth/email')}\n\n"
                          "If you did not ask for this, ignore this email." + SIGN_OFF))
        cancel = _link(CANCEL_SALT, {"user": user.id, "nonce": user.email_change_nonce}, "/auth/email/cancel")
        queue_email(Email(user.email, "MentorMatch: a change of your email address was requested",
                          f"Hello {user.name},\n\nSomeone logged in to your account asked to change its email "
                          f"address to {new_email}. It changes only if the link sent there is followed within "
                          f"24 hours.\n\nIf this was not you, cancel it here and change your password:\n\n{cancel}"
                          + SIGN_OFF))
    return True


def _pending(user: User | None, data: dict | None) -> bool:
    return (user is not None and user.deleted_at is None and user.active and bool(user.email_change_nonce)
            and secrets.compare_digest(str(data.get("nonce")), user.email_change_nonce))


def change_email(token: str, keep_session: str | None = None) -> User | None:
    """Switch the account to the new, now confirmed, address; None if the link is not valid (any more).

    Every other session of the account is logged out; ``keep_session`` (the
    browser that followed the link, when it is the account's own) stays.
    """
    data = _load(CHANGE_SALT, token, CHANGE_MAX_AGE)
    with transaction():
        user = db.session.get(User, data.get("user")) if data else None
        if (not _pending(user, data) or user.email != data.get("old")
                or data.get("pw") != password_fingerprint(user) or find_user_by_email(data["new"]) is not None):
            return None
        user.email = data["new"]
        user.email_confirmed_at = utcnow()
        user.email_change_nonce = None
        sessions.end_other_sessions(user, keep=keep_session)
    return user


def cancel_email_change(token: str) -> bool:
    """Void a pending change from the link sent to the old address; False if none was pending."""
    data = _load(CANCEL_SALT, token, CHANGE_MAX_AGE)
    with transaction():
        user = db.session.get(User, data.get("user")) if data else None
        if not _pending(user, data):
            return False
        user.email_change_nonce = None
    return True
