"""Who a verified ID token signs in (services.identity), and what single-sign-on-only domains refuse.

The claims here are what Authlib hands over after checking the token
(tests/web/test_oidc.py runs the whole protocol against a real provider).
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from mentormatch.config import OidcProvider
from mentormatch.extensions import db
from mentormatch.models import User
from mentormatch.models.identity import UserIdentity
from mentormatch.services import account_deletion, accounts, identity
from mentormatch.services.identity import SignInRefused
from tests.factories import PASSWORD, make_user

RIVERSIDE = OidcProvider(name="riverside", label="Riverside ID", discovery_url="https://id.riverside.example.org",
                         client_id="mentormatch", client_secret="secret",
                         domains=("riverside.example.org", "lab.riverside.example.org"))
ENTRA = OidcProvider(name="entra", label="Microsoft", discovery_url="https://login.example.com",
                     client_id="mentormatch", client_secret="secret", domains=("riverside.example.org",),
                     trust_email=True)


def claims(sub: str = "sub-dana", email: str = "dana@riverside.example.org", **extra) -> dict:
    values = {"sub": sub, "email": email, "email_verified": True, "name": "Dana Okafor"}
    values.update(extra)
    return {k: v for k, v in values.items() if v is not None}


def counts() -> tuple[int, int]:
    return (db.session.scalar(db.select(db.func.count()).select_from(User)),
            db.session.scalar(db.select(db.func.count()).select_from(UserIdentity)))


def identities_of(user: User) -> list[tuple[str, str, str]]:
    return [(i.provider, i.subject, i.email) for i in db.session.scalars(
        db.select(UserIdentity).where(UserIdentity.user_id == user.id).order_by(UserIdentity.id))]


def test_a_first_sign_in_creates_a_confirmed_account_with_no_usable_password(app_ctx):
    user = identity.sign_in(RIVERSIDE, claims(email="Dana@Riverside.Example.org"))
    assert (user.email, user.name) == ("dana@riverside.example.org", "Dana Okafor")
    assert user.email_confirmed_at is not None and user.active
    assert accounts.authenticate(user.email, PASSWORD) is None
    assert accounts.authenticate(user.email, "!") is None
    assert identities_of(user) == [("riverside", "sub-dana", "dana@riverside.example.org")]


def test_the_display_name_comes_from_the_configured_claim_or_else_the_address(app_ctx):
    custom = replace(RIVERSIDE, name_claim="displayName")
    assert identity.sign_in(custom, claims(displayName="Dr. Dana Okafor")).name == "Dr. Dana Okafor"
    unnamed = identity.sign_in(RIVERSIDE, claims(sub="sub-lee", email="lee@riverside.example.org", name=None))
    assert unnamed.name == "lee"
    long = identity.sign_in(RIVERSIDE, claims(sub="sub-long", email="long@riverside.example.org", name="x" * 300))
    assert len(long.name) == 120


def test_a_verified_address_links_the_existing_account_and_confirms_it(app_ctx):
    grace = make_user("mentor", email="grace@riverside.example.org", confirmed=False)
    signed_in = identity.sign_in(RIVERSIDE, claims(sub="sub-grace", email="grace@riverside.example.org"))
    assert signed_in.id == grace.id
    assert counts() == (1, 1)
    assert grace.email_confirmed_at is not None
    # The password still works: the domain is not single-sign-on-only.
    assert accounts.authenticate("grace@riverside.example.org", PASSWORD).id == grace.id


def test_later_sign_ins_find_the_account_by_subject_even_after_the_address_changed(app_ctx):
    first = identity.sign_in(RIVERSIDE, claims())
    again = identity.sign_in(RIVERSIDE, claims(email="dana.okafor@lab.riverside.example.org", email_verified=None))
    assert again.id == first.id
    assert counts() == (1, 1)
    assert identities_of(again) == [("riverside", "sub-dana", "dana.okafor@lab.riverside.example.org")]
    assert again.email == "dana@riverside.example.org"  # the account's own address changes only in MentorMatch


@pytest.mark.parametrize("verified", [False, "false", None])
def test_an_unverified_address_is_neither_linked_nor_used_for_a_new_account(app_ctx, verified):
    grace = make_user("mentor", email="grace@riverside.example.org")
    for who in (claims(sub="sub-grace", email="grace@riverside.example.org", email_verified=verified),
                claims(sub="sub-new", email="new@riverside.example.org", email_verified=verified)):
        with pytest.raises(SignInRefused, match="not verified") as refused:
            identity.sign_in(RIVERSIDE, who)
        assert refused.value.reason == "unverified"
    assert counts() == (1, 0)
    assert identities_of(grace) == []


def test_a_provider_trusted_for_its_addresses_links_without_email_verified_but_never_against_false(app_ctx):
    grace = make_user("mentor", email="grace@riverside.example.org")
    with pytest.raises(SignInRefused):
        identity.sign_in(ENTRA, claims(sub="oid-grace", email="grace@riverside.example.org", email_verified=False))
    assert identity.sign_in(ENTRA, claims(sub="oid-grace", email="grace@riverside.example.org",
                                          email_verified=None)).id == grace.id


@pytest.mark.parametrize("email", ["dana@gmail.example.com", "dana@evil-riverside.example.org",
                                   "dana@sub.lab.riverside.example.org", "", "no-at-sign"])
def test_an_address_outside_the_providers_domains_is_refused_and_nothing_is_created(app_ctx, email):
    with pytest.raises(SignInRefused) as refused:
        identity.sign_in(RIVERSIDE, claims(email=email or None))
    assert refused.value.reason in ("domain", "no-email")
    assert counts() == (0, 0)


def test_a_linked_person_whose_address_moved_to_a_disallowed_domain_is_refused(app_ctx):
    identity.sign_in(RIVERSIDE, claims())
    with pytest.raises(SignInRefused, match="riverside.example.org"):
        identity.sign_in(RIVERSIDE, claims(email="dana@gmail.example.com"))


def test_a_token_without_a_subject_is_refused(app_ctx):
    with pytest.raises(SignInRefused):
        identity.sign_in(RIVERSIDE, claims(sub=None))
    assert counts() == (0, 0)


def test_an_account_linked_to_one_provider_user_is_not_taken_over_by_another_with_the_same_address(app_ctx):
    dana = identity.sign_in(RIVERSIDE, claims())
    with pytest.raises(SignInRefused, match="already linked"):
        identity.sign_in(RIVERSIDE, claims(sub="sub-someone-else"))
    assert identities_of(dana) == [("riverside", "sub-dana", "dana@riverside.example.org")]
    # Another provider may link the same account.
    assert identity.sign_in(ENTRA, claims(sub="oid-dana")).id == dana.id


def test_a_deactivated_account_cannot_sign_in_by_subject_or_by_address(app_ctx):
    dana = identity.sign_in(RIVERSIDE, claims())
    grace = make_user("mentor", email="grace@riverside.example.org", active=False)
    dana.active = False
    db.session.commit()
    with pytest.raises(SignInRefused, match="deactivated") as refused:
        identity.sign_in(RIVERSIDE, claims())
    assert refused.value.reason == "inactive"
    with pytest.raises(SignInRefused, match="deactivated"):
        identity.sign_in(RIVERSIDE, claims(sub="sub-grace", email="grace@riverside.example.org"))
    assert identities_of(grace) == []  # the refused link was not saved


def test_deleting_an_account_removes_its_identities_so_a_new_sign_in_starts_a_new_account(app_ctx):
    grace = make_user("mentor", email="grace@riverside.example.org")
    identity.sign_in(RIVERSIDE, claims(sub="sub-grace", email="grace@riverside.example.org"))
    assert account_deletion.delete_account(grace, PASSWORD)
    assert identities_of(grace) == []
    fresh = identity.sign_in(RIVERSIDE, claims(sub="sub-grace", email="grace@riverside.example.org"))
    assert fresh.id != grace.id
    assert db.session.get(User, grace.id).deleted_at is not None


@pytest.fixture
def sso_only(app):
    saved = app.config["SSO_ONLY_DOMAINS"], app.config["OIDC_PROVIDERS"]
    app.config["SSO_ONLY_DOMAINS"] = frozenset({"riverside.example.org"})
    app.config["OIDC_PROVIDERS"] = {"riverside": RIVERSIDE}
    yield
    app.config["SSO_ONLY_DOMAINS"], app.config["OIDC_PROVIDERS"] = saved


def test_a_single_sign_on_only_address_cannot_log_in_with_its_password_or_reset_it(app_ctx, sso_only, outbox):
    grace = make_user("mentor", email="grace@riverside.example.org")
    other = make_user("mentor", email="lee@lab.example.org")
    outbox.clear()
    assert accounts.authenticate("Grace@riverside.example.org", PASSWORD) is None
    assert accounts.email_reset_link(grace.email) is False
    assert len(outbox) == 0
    # Other domains are untouched.
    assert accounts.authenticate(other.email, PASSWORD).id == other.id
    assert accounts.email_reset_link(other.email) is True


def test_the_refusal_names_the_providers_button_and_depends_on_the_domain_alone(app_ctx, sso_only):
    make_user("mentor", email="grace@riverside.example.org")
    known = identity.password_refusal("grace@riverside.example.org")
    assert known == identity.password_refusal("nobody@riverside.example.org")
    assert "“Sign in with Riverside ID” button" in known
    assert identity.password_refusal("grace@lab.riverside.example.org") is None
    assert identity.password_refusal("lee@lab.example.org") is None
