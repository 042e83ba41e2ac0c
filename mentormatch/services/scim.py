"""SCIM 2.0 provisioning: an identity provider (Entra ID, Okta) creates, changes and deactivates accounts.

The protocol (routes, validation, PATCH, filter syntax, ``attributes``,
errors, discovery) is scim2-server's and scim2-models'. Here are the rules,
as a ``Storage`` of SCIM Users in the ``users`` table:

- A provider authenticates with a bearer token (only its SHA-256 is kept) and
  sees only the accounts it provisioned (``users.scim_provider``). ``id`` is
  the account's id, ``userName`` its email address, ``displayName`` its name,
  ``externalId`` the provider's own identifier for the person.
- Creating a user whose email already has an account that no provider manages
  takes that account over (a site administrator's excepted: 409), so turning
  provisioning on for people who already have accounts makes no duplicates.
- ``active`` false (PATCH or PUT) logs the person out at once and withdraws
  their open matches, so their places are free: a coordinator's deactivation.
  ``active`` true lets them in again. DELETE deactivates and unlinks: the
  provider gets 404 from then on, the account and its history stay, and
  provisioning the same email again takes the account back.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from typing import Annotated, Any

from email_validator import EmailNotValidError, validate_email
from scim2_models import (
    AuthenticationScheme, Bulk, ChangePassword, ETag, Filter, InvalidFilterException, InvalidValueException, Meta,
    NotFoundException, Pagination, Patch, Required, Resource, ScimPolicy, ScimProvider, ServiceProviderConfig, Sort,
    Uniqueness, UniquenessException, URN,
)
from scim2_models.path.expressions import CompareOperator, Comparison, LogicalExpr, LogicalOperator
from scim2_server.service import ScimService
from scim2_server.storage import ScimStorage, SearchPage
from sqlalchemy import and_, false, func, or_
from sqlalchemy.exc import IntegrityError

from mentormatch.extensions import db
from mentormatch.models import ScimToken, User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import find_user_by_email, normalise_email
from mentormatch.services.console import audit
from mentormatch.services.console.people import deactivate_account
from mentormatch.models.user import NO_PASSWORD
from mentormatch.services.transactions import transaction

PAGE_SIZE = 100
PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"


class ScimUser(Resource[Any]):
    """A MentorMatch account: its email address (userName), name and whether it may sign in."""

    __schema__ = URN(USER_SCHEMA)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    # Required: an account always has a name and is active or not, so neither can be "unassigned".
    display_name: Annotated[str | None, Required.true] = None
    active: Annotated[bool | None, Required.true] = None

    @classmethod
    def to_schema(cls):
        """The schema /Schemas publishes, named as RFC 7643 names the User."""
        return super().to_schema().model_copy(update={"name": "User"})


class Service(ScimService):
    """scim2-server's protocol, answering every PATCH with the patched User."""

    def patch_response(self, base_url, resource, response_parameters):
        """200 with the User, never 204 (RFC 7644 §3.5.2 allows both): Okta reads the answer."""
        return self.replacement_response(base_url, resource, response_parameters)


SERVICE = Service(ScimProvider(
    models=[ScimUser],
    config=ServiceProviderConfig(
        patch=Patch(supported=True), bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=PAGE_SIZE), change_password=ChangePassword(supported=False),
        sort=Sort(supported=False), etag=ETag(supported=False),
        pagination=Pagination(index=True, cursor=False, default_page_size=PAGE_SIZE, max_page_size=PAGE_SIZE),
        authentication_schemes=[AuthenticationScheme(
            type=AuthenticationScheme.Type.oauthbearertoken, name="Bearer token", primary=True,
            description="A token made with: flask scim-token create PROVIDER")]),
    # What Entra ID and Okta send: attributes MentorMatch does not keep (given and family names, phone
    # numbers, the enterprise extension) are dropped rather than refused; Entra's PATCH dialect is read.
    policy=ScimPolicy(unknown=ScimPolicy.Unknown.ignore, remove_value_as_filter=ScimPolicy.RemoveValue.apply,
                      unmatched_path_filter=ScimPolicy.UnmatchedPathFilter.create),
))


# --- tokens ---------------------------------------------------------------------------------------

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def provider_name(name: str) -> str:
    """``name`` as a provider's name (``entra``, ``okta``); ValueError when it is not one."""
    name = name.strip().lower()
    if not PROVIDER_NAME.fullmatch(name):
        raise ValueError("a provider's name is 1 to 64 lowercase letters, digits, '-' or '_'")
    return name


def create_token(provider: str) -> str:
    """A new bearer token for ``provider`` (its earlier tokens keep working until revoked); shown once."""
    token = secrets.token_urlsafe(32)
    with transaction():
        db.session.add(ScimToken(provider=provider_name(provider), token_hash=_hash(token)))
    return token


def revoke_tokens(provider: str) -> int:
    """Revoke every live token of ``provider``; returns how many."""
    with transaction():
        return db.session.execute(db.update(ScimToken).where(
            ScimToken.provider == provider_name(provider), ScimToken.revoked_at.is_(None))
            .values(revoked_at=utcnow())).rowcount


def provider_for_token(token: str) -> str | None:
    """The provider whose live token this is, or None."""
    if not token or len(token) > 200:
        return None
    stale = or_(ScimToken.last_used_at.is_(None), ScimToken.last_used_at < utcnow() - timedelta(minutes=5))
    found = db.session.execute(db.select(ScimToken.id, ScimToken.provider, stale).where(
        ScimToken.token_hash == _hash(token), ScimToken.revoked_at.is_(None))).first()
    if found is None:
        return None
    token_id, provider, last_use_is_old = found
    if last_use_is_old:  # noted every few minutes, not written by every request
        with transaction():
            db.session.execute(db.update(ScimToken).where(ScimToken.id == token_id).values(last_used_at=utcnow()))
    return provider


# --- users ----------------------------------------------------------------------------------------

def _account_id(value: Any) -> int | None:
    """An account id from a SCIM id (a string of digits), or None when it cannot be one."""
    text = str(value)
    return int(text) if re.fullmatch(r"[0-9]{1,10}", text) and int(text) < 2**31 else None


def _email(user_name: str | None) -> str:
    email = normalise_email(user_name or "")
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError:
        raise InvalidValueException(detail="userName must be the person's email address.") from None
    return email


def _name(display_name: str | None) -> str:
    name = " ".join((display_name or "").split())[:User.name.type.length]
    if not name:
        raise InvalidValueException(detail="displayName must not be empty.")
    return name


def to_resource(user: User) -> ScimUser:
    """The SCIM User of an account."""
    version = hashlib.sha256(repr((user.email, user.name, user.active, user.scim_external_id)).encode())
    return ScimUser(id=str(user.id), external_id=user.scim_external_id, user_name=user.email,
                    display_name=user.name, active=user.active,
                    meta=Meta(resource_type="User", created=user.created_at,
                              version=f'W/"{version.hexdigest()[:16]}"'))


# Attributes a filter may compare with ``eq``: the column, and the value as the column holds it.
_FILTERABLE = {
    "username": (User.email, lambda value: normalise_email(str(value))),
    "externalid": (User.scim_external_id, str),
    "id": (User.id, _account_id),
    "active": (User.active, lambda value: value if isinstance(value, bool) else None),
}


def _condition(node: Any):
    """The SQL condition of a filter's syntax tree (``eq`` on a few attributes, ``and``, ``or``)."""
    if isinstance(node, LogicalExpr):
        terms = [_condition(term) for term in node.terms]
        return and_(*terms) if node.op == LogicalOperator.and_ else or_(*terms)
    if (isinstance(node, Comparison) and node.op == CompareOperator.eq and node.attr_path.sub_attr is None
            and node.attr_path.uri in (None, USER_SCHEMA) and node.attr_path.attr.lower() in _FILTERABLE):
        column, convert = _FILTERABLE[node.attr_path.attr.lower()]
        value = convert(node.value)
        return false() if value is None else column == value
    raise InvalidFilterException(
        detail="Filters compare userName, externalId, id or active with eq, joined by and / or.")


@contextmanager
def _saving() -> Iterator[None]:
    """The transaction of one change; a unique value that another account holds answers 409."""
    try:
        with transaction():
            yield
    except IntegrityError:
        raise UniquenessException(detail="That userName or externalId is another account's.") from None


class Storage(ScimStorage):
    """The accounts one identity provider provisioned, as SCIM Users."""

    def __init__(self, provider: str) -> None:
        self.provider = provider
        self.actor = f"SCIM ({provider})"  # how the audit log names the provider

    def _owned(self):
        return User.scim_provider == self.provider, User.deleted_at.is_(None)

    def _user(self, resource_id: str | None) -> User:
        account_id = _account_id(resource_id)
        user = (db.session.scalar(db.select(User).where(User.id == account_id, *self._owned()))
                if account_id is not None else None)
        if user is None:
            raise NotFoundException(detail=f"No User {resource_id}")
        return user

    def get(self, resource_type, resource_id, *, response_parameters=None) -> ScimUser:
        """The User ``resource_id``, if this provider manages it (else 404)."""
        return to_resource(self._user(resource_id))

    def search(self, resource_types, search_request, *, position=None) -> SearchPage:
        """One page of this provider's Users that match the filter, in id order."""
        conditions = [*self._owned()]
        if search_request.filter is not None:
            conditions.append(_condition(search_request.filter.ast))
        total = db.session.scalar(db.select(func.count()).select_from(User).where(*conditions))
        found = db.session.scalars(db.select(User).where(*conditions).order_by(User.id)
                                   .offset(max(search_request.start_index or 1, 1) - 1)
                                   .limit(search_request.count)).all() if search_request.count != 0 else []
        return SearchPage(total=total, resources=[to_resource(user) for user in found])

    def create(self, resource_type, resource) -> ScimUser:
        """A new account, or the unmanaged account with that email taken over."""
        email, name = _email(resource.user_name), _name(resource.display_name)
        user = find_user_by_email(email)
        if user is not None and (user.scim_provider is not None or user.deleted_at is not None or user.is_admin):
            raise UniquenessException(detail=f"An account with userName {email} exists already.")
        with _saving():
            if user is None:  # a new account: the provider vouches for the address; no password, SSO signs in
                user = User(email=email, name=name, password_hash=NO_PASSWORD, active=bool(resource.active),
                            email_confirmed_at=utcnow())
                db.session.add(user)
            user.scim_provider = self.provider
            self._apply(user, resource)
        return to_resource(user)

    def update(self, resource_type, resource, *, expected_version=None) -> ScimUser:
        """Write the User that a PUT or a PATCH made (scim2-server applied it to the stored one)."""
        user = self._user(resource.id)
        with _saving():
            self._apply(user, resource)
        return to_resource(user)

    def delete(self, resource_type, resource_id, *, expected_version=None) -> None:
        """Deactivate the account and unlink it from the provider; it stays, with its history."""
        user = self._user(resource_id)
        with _saving():
            self._set_active(user, False)
            user.scim_provider = user.scim_external_id = None

    def _apply(self, user: User, resource: ScimUser) -> None:
        """Write a whole User resource to ``user`` (inside the caller's transaction)."""
        email = _email(resource.user_name)
        if email != user.email:
            if find_user_by_email(email) is not None:
                raise UniquenessException(detail=f"An account with userName {email} exists already.")
            user.email = email
            user.password_link_nonce = user.email_change_nonce = None  # links sent to the old address die
        user.name = _name(resource.display_name)
        external_id = resource.external_id or None
        if external_id is not None and len(external_id) > User.scim_external_id.type.length:
            raise InvalidValueException(
                detail=f"externalId is longer than {User.scim_external_id.type.length} characters.")
        if external_id is not None:  # a deleted account keeps none: the provider may give it to someone new
            db.session.execute(db.update(User).where(
                User.scim_provider == self.provider, User.scim_external_id == external_id,
                User.deleted_at.is_not(None)).values(scim_provider=None, scim_external_id=None))
        user.scim_external_id = external_id
        self._set_active(user, resource.active)

    def _set_active(self, user: User, active: bool | None) -> None:
        programs = [m.program_id for m in user.memberships] or [None]
        if active is False and user.active:
            deactivate_account(user, None, programs, actor_name=self.actor)
        elif active and not user.active:
            user.active = True
            for program in programs:
                audit.record(None, "reactivated", f"Reactivated {user.name} ({user.email})", target=user,
                             program=program, before={"active": False}, after={"active": True},
                             actor_name=self.actor)
