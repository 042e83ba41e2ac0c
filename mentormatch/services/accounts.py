"""Signing up, logging in and creating coordinators."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from mentormatch.extensions import db
from mentormatch.models import Role, User

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
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as exc:  # two sign-ups racing for one address
        db.session.rollback()
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
