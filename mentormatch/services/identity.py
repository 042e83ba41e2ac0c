"""Single sign-on: who an OpenID Connect provider's verified ID token names on MentorMatch.

The protocol (state, nonce, PKCE, the token's signature, issuer, audience and
expiry) is checked by Authlib in ``web.auth.oidc`` before these rules see the
claims. Here: the first sign-in of a provider's user links the account with
the same verified email or creates one; later sign-ins find the account by
(provider, ``sub``) whatever the email says then. Only addresses at the
provider's allowed domains get in, and only active accounts.

Addresses at ``SSO_ONLY_DOMAINS`` have no MentorMatch password: password login
and password reset refuse them (``password_refusal``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask import current_app
from sqlalchemy.exc import IntegrityError

from mentormatch.config import OidcProvider
from mentormatch.extensions import db
from mentormatch.models import User
from mentormatch.models.identity import UserIdentity
from mentormatch.models.user import NO_PASSWORD, utcnow
from mentormatch.services.transactions import transaction

NAME_LENGTH, EMAIL_LENGTH, SUBJECT_LENGTH = 120, 254, 255


class SignInRefused(Exception):
    """The provider signed someone in whom MentorMatch will not let in; ``str()`` tells them why."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason  # a short word for the log, without personal data


def _domain(email: str) -> str:
    return email.rpartition("@")[2]


def _normalise(email: str) -> str:
    return email.strip().lower()


def _email_verified(provider: OidcProvider, claims: Mapping[str, Any]) -> bool:
    """``email_verified`` true; or absent where the provider is trusted to send only verified addresses."""
    value = claims.get("email_verified")
    if value is None:
        return provider.trust_email
    return value is True or (isinstance(value, str) and value.lower() == "true")


def sign_in(provider: OidcProvider, claims: Mapping[str, Any]) -> User:
    """The account ``claims`` (a verified ID token from ``provider``) signs in to: found, linked or created.

    Raises SignInRefused, having saved nothing, for an address outside the
    provider's domains, an unverified address where none is linked yet, and
    an account that is deactivated or deleted.
    """
    subject = str(claims.get("sub") or "")
    email = _normalise(str(claims.get("email") or ""))
    if not subject or len(subject) > SUBJECT_LENGTH:
        raise SignInRefused("subject", f"{provider.label} did not say who signed in. Try again, or ask your "
                                       "administrator to check the single sign-on set-up.")
    if "@" not in email or len(email) > EMAIL_LENGTH:
        raise SignInRefused("no-email", f"{provider.label} did not give us your email address, so we cannot "
                                        "sign you in. Ask your administrator to release the email claim.")
    if _domain(email) not in provider.domains:
        raise SignInRefused("domain", f"{provider.label} signed you in as {email}, but MentorMatch accepts "
                                      f"{provider.label} sign-ins only for addresses at "
                                      f"{', '.join(provider.domains)}. Nothing was created.")
    try:
        return _sign_in(provider, subject, email, claims)
    except IntegrityError:
        # Two first sign-ins of one person at the same moment: the other made the rows; use them.
        return _sign_in(provider, subject, email, claims)


def _sign_in(provider: OidcProvider, subject: str, email: str, claims: Mapping[str, Any]) -> User:
    with transaction():
        identity = db.session.scalar(db.select(UserIdentity).where(
            UserIdentity.provider == provider.name, UserIdentity.subject == subject))
        if identity is not None:
            user = db.session.get(User, identity.user_id)
        else:
            if not _email_verified(provider, claims):
                raise SignInRefused("unverified", f"{provider.label} has not verified your email address "
                                                  f"{email}, so we cannot link it to an account or create one. "
                                                  f"Verify it at {provider.label} and try again.")
            user = db.session.scalar(db.select(User).where(User.email == email))
            if user is None:
                user = User(email=email, name=_display_name(provider, claims, email), password_hash=NO_PASSWORD,
                            email_confirmed_at=utcnow())
                db.session.add(user)
                db.session.flush()
            elif _linked_elsewhere(provider, user):
                raise SignInRefused("linked", f"The MentorMatch account for {email} is already linked to another "
                                              f"{provider.label} user. Ask your program coordinator for help.")
            identity = UserIdentity(user_id=user.id, provider=provider.name, subject=subject, email=email)
            db.session.add(identity)
        if user is None or user.deleted_at is not None or not user.active:
            raise SignInRefused("inactive", "This MentorMatch account is deactivated or deleted, so it cannot "
                                            "sign in. Ask your program coordinator if you think it should not be.")
        if user.email_confirmed_at is None and user.email == email:
            user.email_confirmed_at = utcnow()  # the provider verified the very address the account uses
        identity.email = email
        identity.last_used_at = utcnow()
        db.session.flush()
    return user


def _display_name(provider: OidcProvider, claims: Mapping[str, Any], email: str) -> str:
    name = str(claims.get(provider.name_claim) or "").strip()
    return (name or email.partition("@")[0])[:NAME_LENGTH]


def _linked_elsewhere(provider: OidcProvider, user: User) -> bool:
    """Whether ``user`` already signs in as another of ``provider``'s users (the address moved to someone else)."""
    return db.session.scalar(db.select(UserIdentity.id).where(
        UserIdentity.user_id == user.id, UserIdentity.provider == provider.name).limit(1)) is not None


def remove_identities(user: User) -> None:
    """Forget every provider account that signs in to ``user`` (deleting the account; inside its transaction)."""
    db.session.execute(db.delete(UserIdentity).where(UserIdentity.user_id == user.id))


# --- addresses that have no password --------------------------------------------------------------

def is_sso_only(email: str) -> bool:
    """Whether ``email`` is at a domain whose people sign in only through single sign-on."""
    return _domain(_normalise(email)) in current_app.config.get("SSO_ONLY_DOMAINS", frozenset())


def password_refusal(email: str) -> str | None:
    """Why ``email`` may not log in or reset a password (its domain signs in only with a provider), or None.

    Depends on the domain alone, so it tells nothing about whether an account exists.
    """
    if not is_sso_only(email):
        return None
    domain = _domain(_normalise(email))
    labels = [p.label for p in current_app.config.get("OIDC_PROVIDERS", {}).values() if domain in p.domains]
    how = (" or ".join(f"“Sign in with {label}”" for label in labels) + " button") if labels else "single sign-on"
    return f"Addresses at {domain} have no MentorMatch password: use the {how} on the log-in page."
