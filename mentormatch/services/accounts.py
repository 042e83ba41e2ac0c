"""Signing up, logging in and creating coordinators."""

from __future__ import annotations

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import Role, User
from mentormatch.services.outbox import queue_email
from mentormatch.services.transactions import transaction

# Checked against when the email is unknown, so a login takes as long
# whether or not the account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


class EmailTaken(ValueError):
    """An account with this email already exists."""


def normalise_email(email: str) -> str:
    """Emails compare case-insensitively and without surrounding space."""
    return email.strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The account with this email, if any."""
    return db.session.scalar(db.select(User).where(User.email == normalise_email(email)))


def hash_password(password: str) -> str:
    """Hash with the configured method (scrypt unless the config says otherwise)."""
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _create_user(email: str, name: str, password: str, role: Role) -> User:
    user = User(
        email=normalise_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        role=role,
    )
    with transaction():
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError as exc:  # two sign-ups racing for one address; the transaction rolls back
            raise EmailTaken(email) from exc
    return user


def register(email: str, name: str, password: str, role: Role | str) -> User:
    """Sign up a mentor or a mentee; coordinators are never self-registered."""
    role = Role(role)
    if role == Role.COORDINATOR:
        raise ValueError("coordinators are created by another coordinator or the CLI")
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    return _create_user(email, name, password, role)


def create_coordinator(email: str, name: str, password: str) -> User:
    """Create a program coordinator account."""
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    return _create_user(email, name, password, Role.COORDINATOR)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; never says which part was wrong."""
    user = find_user_by_email(email)
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


# --- password reset and change ------------------------------------------------

RESET_SALT = "password-reset"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=RESET_SALT)


def _fingerprint(user: User) -> str:
    # Part of the current hash: once the password changes, old links stop working.
    return user.password_hash[-16:]


def reset_link_email(user: User) -> Email:
    """The email with a link that lets ``user`` choose a new password (or a first one, when invited)."""
    token = _serializer().dumps({"user": user.id, "fp": _fingerprint(user)})
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/auth/reset/{token}"
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    return Email(to=user.email, subject="MentorMatch: reset your password",
                 body=f"Hello {user.name},\n\nUse this link within {minutes} minutes to choose a new "
                      f"password:\n\n{link}\n\nIf you did not ask for this, ignore this email.\n\n-- MentorMatch")


def email_reset_link(email: str) -> bool:
    """Email a reset link if the address has an active account; returns whether it did.

    Runs in the worker (``tasks.accounts``): the request only queues the
    address, so it does the same work whether or not the account exists.
    """
    user = find_user_by_email(email)
    if user is None or not user.active:
        return False
    with transaction():
        queue_email(reset_link_email(user))
    return True


def user_for_reset_token(token: str) -> User | None:
    """The user a reset link belongs to, or None if it is forged, expired or already used."""
    try:
        data = _serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except BadData:
        return None
    user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
    if user is None or not user.active or data.get("fp") != _fingerprint(user):
        return None
    return user


def reset_password(token: str, new_password: str) -> User | None:
    """Set a new password through a reset link; None if the link is not valid (any more)."""
    user = user_for_reset_token(token)
    if user is None:
        return None
    user.password_hash = hash_password(new_password)
    db.session.commit()
    return user


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Change the password if ``current_password`` is right."""
    if not check_password_hash(user.password_hash, current_password):
        return False
    user.password_hash = hash_password(new_password)
    db.session.commit()
    return True
