"""Signing up, logging in, passwords and the links that set them.

Nothing a request answers tells whether an address has an account: sign-up
and reset requests hash and queue the same way for every address, and the
worker (``tasks.accounts``) decides what to email.
"""

from __future__ import annotations

import hashlib
import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import Program, User
from mentormatch.models.user import utcnow
from mentormatch.services import programs, sessions
from mentormatch.services.outbox import queue_email
from mentormatch.services.transactions import transaction

# Checked against when the email is unknown, so a login takes as long
# whether or not the account exists.
_DUMMY_HASH = generate_password_hash("not-a-real-password")
INVITE_MAX_AGE = 7 * 24 * 3600
SIGN_OFF = "\n\n-- MentorMatch"


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


def _link(path: str) -> str:
    return f"{current_app.config['BASE_URL'].rstrip('/')}{path}"


def _create_user(email: str, name: str, password_hash: str, is_admin: bool = False) -> User:
    user = User(email=normalise_email(email), name=name.strip(), password_hash=password_hash, is_admin=is_admin)
    with transaction():
        db.session.add(user)
        try:
            db.session.flush()
        except IntegrityError as exc:  # two sign-ups racing for one address; the transaction rolls back
            raise EmailTaken(email) from exc
    return user


def register(email: str, name: str, password: str, role: str | None = None, program: Program | None = None) -> User:
    """Create an account at once (tests, imports, the demo), enrolled in ``program`` as ``role`` when both are given.

    People sign up through ``complete_sign_up``.
    """
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    with transaction():
        user = _create_user(email, name, hash_password(password))
        if role is not None and program is not None:
            programs.enrol(user, program, programs.MembershipInput(role=role))
    return user


def create_coordinator(email: str, name: str, password: str, program: Program | None = None) -> User:
    """Create an account that coordinates ``program`` (when given)."""
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    with transaction():
        user = _create_user(email, name, hash_password(password))
        if program is not None:
            programs.appoint_coordinator(program, user)
    return user


def create_admin(email: str, name: str, password: str) -> User:
    """Create a site administrator (``flask create-admin``): creates programs and appoints coordinators."""
    if find_user_by_email(email) is not None:
        raise EmailTaken(email)
    return _create_user(email, name, hash_password(password), is_admin=True)


def authenticate(email: str, password: str) -> User | None:
    """The active user with these credentials, or None; never says which part was wrong."""
    from mentormatch.services.identity import is_sso_only

    user = None if is_sso_only(email) else find_user_by_email(email)  # those sign in through their provider
    if user is None:
        check_password_hash(_DUMMY_HASH, password)
        return None
    if not check_password_hash(user.password_hash, password) or not user.active:
        return None
    return user


# --- confirmed addresses -----------------------------------------------------------------------

CONFIRM_FIRST = ("Confirm your email address first: follow the link we emailed you "
                 "(My account has a button to send it again).")


def must_confirm(user: User) -> bool:
    """Whether ``user`` may not ask, accept or be proposed yet: their address is unconfirmed."""
    return current_app.config["REQUIRE_CONFIRMED_EMAIL"] and user.email_confirmed_at is None


def matchable_accounts():
    """The SQL condition on ``User`` for accounts that may be suggested, proposed or paired."""
    condition = User.active.is_(True)
    if current_app.config["REQUIRE_CONFIRMED_EMAIL"]:
        condition = condition & User.email_confirmed_at.is_not(None)
    return condition


# --- sign-up, decided by the worker -----------------------------------------------------------

def complete_sign_up(email: str, name: str, password_hash: str, role: str | None = None) -> User | None:
    """Create the account and email its confirmation link; if the address is taken, tell its owner instead.

    Where exactly one program is open to newcomers, ``role`` (mentee or mentor)
    enrols the person in it at once ("one program stays simple"); otherwise they
    join programs from the Programs page.

    Runs in the worker: the request hashed the password and queued this, the
    same for every address, so its answer and timing reveal nothing.
    """
    from mentormatch.services.account_email import confirmation_email

    if role is not None and role not in ("mentee", "mentor"):
        raise ValueError("people sign up as mentees or mentors; coordinators are appointed")
    owner = find_user_by_email(email)
    if owner is None:
        try:
            with transaction():
                user = _create_user(email, name, password_hash)
                program = programs.only_open_program()
                if role and program is not None and program.is_open_to(role, utcnow().date()):
                    programs.enrol(user, program, programs.MembershipInput(role=role))
                queue_email(confirmation_email(user))
            return user
        except EmailTaken:  # a second sign-up for the address got there first
            owner = find_user_by_email(email)
    if owner is not None and owner.deleted_at is None:
        with transaction():
            queue_email(Email(owner.email, "MentorMatch: someone tried to sign up with your address",
                              f"Hello {owner.name},\n\nSomeone tried to create a MentorMatch account with this "
                              f"address, which already has one. If it was you, log in:\n\n{_link('/auth/login')}\n\n"
                              f"Forgot your password? Choose a new one here:\n\n{_link('/auth/reset')}\n\n"
                              "If it was not you, you need not do anything." + SIGN_OFF))
    return None


# --- password-set links: reset and invitation --------------------------------------------------

RESET_SALT, INVITE_SALT = "password-reset", "invitation"


def _serializer(salt: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=salt)


def _password_link(user: User, salt: str, path: str) -> str:
    """A new single-use link for ``user``; it makes every earlier reset or invitation link void."""
    user.password_link_nonce = secrets.token_hex(16)
    token = _serializer(salt).dumps({"user": user.id, "nonce": user.password_link_nonce})
    return _link(f"{path}/{token}")


def reset_link_email(user: User) -> Email:
    """The email that lets ``user`` choose a new password (call inside a transaction: it records the link)."""
    link = _password_link(user, RESET_SALT, "/auth/reset")
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    return Email(user.email, "MentorMatch: reset your password",
                 f"Hello {user.name},\n\nUse this link within {minutes} minutes to choose a new password:\n\n"
                 f"{link}\n\nIf you did not ask for this, ignore this email." + SIGN_OFF)


def invitation_email(user: User, program: Program, role: str) -> Email:
    """The welcome email of someone a coordinator imported into ``program`` as ``role``: a link to choose
    their first password (call inside a transaction: it records the link)."""
    link = _password_link(user, INVITE_SALT, "/auth/welcome")
    return Email(user.email, f"Welcome to {program.name} on MentorMatch",
                 f"Hello {user.name},\n\nYour laboratory's program coordinator has added you to {program.name} "
                 f"on MentorMatch as a {role}. Choose your password within seven days to log in:\n\n"
                 f"{link}\n\nQuestions? Reply to your program coordinator." + SIGN_OFF)


def email_reset_link(email: str) -> bool:
    """Email a reset link if the address has an active account; returns whether it did.

    Runs in the worker (``tasks.accounts``): the request only queues the
    address, so it does the same work whether or not the account exists.
    """
    from mentormatch.services.identity import is_sso_only

    if is_sso_only(email):  # no password to reset: they sign in through their provider
        return False
    with transaction():
        user = find_user_by_email(email)
        if user is None or not user.active:
            return False
        queue_email(reset_link_email(user))
    return True


def user_for_reset_token(token: str) -> User | None:
    """The user a reset or invitation link belongs to, or None if it is forged, expired or used."""
    for salt, max_age in ((RESET_SALT, current_app.config["PASSWORD_RESET_MAX_AGE"]), (INVITE_SALT, INVITE_MAX_AGE)):
        try:
            data = _serializer(salt).loads(token, max_age=max_age)
        except BadData:
            continue
        user = db.session.get(User, data.get("user")) if isinstance(data, dict) else None
        if (user is not None and user.active and user.password_link_nonce
                and secrets.compare_digest(str(data.get("nonce")), user.password_link_nonce)):
            return user
        return None
    return None


def _password_changed(user: User, new_password: str) -> None:
    """The new hash; every pending link dies, and the owner hears of it."""
    user.password_hash = hash_password(new_password)
    user.password_link_nonce = None
    user.email_change_nonce = None
    queue_email(Email(user.email, "MentorMatch: your password was changed",
                      f"Hello {user.name},\n\nThe password of your MentorMatch account was just changed, and every "
                      "other browser logged in to it was logged out.\n\nIf this was not you, choose a new password "
                      f"at once:\n\n{_link('/auth/reset')}\n\nand tell your program coordinator." + SIGN_OFF))


def reset_password(token: str, new_password: str) -> User | None:
    """Set a new password through a reset link and log out every session; None if the link is not valid."""
    with transaction():
        user = user_for_reset_token(token)
        if user is None:
            return None
        _password_changed(user, new_password)
        sessions.end_other_sessions(user)
    return user


def change_password(user: User, current_password: str, new_password: str) -> bool:
    """Change the password if ``current_password`` is right; other sessions are logged out."""
    if not check_password_hash(user.password_hash, current_password):
        return False
    with transaction():
        _password_changed(user, new_password)
        sessions.end_other_sessions(user, keep=user.session_token)
    return True


def password_fingerprint(user: User) -> str:
    """Changes with the password hash: links bound to it die with a password change."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]
