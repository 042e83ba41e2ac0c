"""Single sign-on against a real OpenID Connect provider (tests/oidc_provider.py, its own process).

The app's Authlib client talks to the provider over loopback HTTP; the test
plays the browser: it follows the app's redirect to the provider, approves
there (a POST, as a person clicking "Continue"), and brings the provider's
redirect back to the app's callback.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
import requests

from mentormatch.app import create_app
from mentormatch.config import DISCOVERY_PATH, ConfigError, OidcProvider, load_config
from mentormatch.extensions import db, limiter
from mentormatch.models import User, UserSession
from mentormatch.models.identity import UserIdentity
from tests.factories import PASSWORD
from tests.oidc_provider import ProviderProcess, running_provider
from tests.outbox import Outbox

LABEL = "Riverside ID"
CALLBACK = "/auth/sso/riverside/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderProcess]:
    with running_provider() as running:
        yield running


def riverside(provider: ProviderProcess, **changes) -> OidcProvider:
    values = dict(name="riverside", label=LABEL, discovery_url=provider.issuer + DISCOVERY_PATH,
                  issuer=provider.issuer, client_id=provider.client_id, client_secret=provider.client_secret,
                  domains=("riverside.example.org",))
    values.update(changes)
    return OidcProvider(**values)


@pytest.fixture
def sso(app, provider):
    """The app configured with the provider as "riverside"; ``sso(**changes)`` reconfigures it."""
    saved = {key: app.config[key] for key in ("OIDC_PROVIDERS", "SSO_ONLY_DOMAINS")}
    provider.allow_redirect_uri(app.config["BASE_URL"].rstrip("/") + CALLBACK)
    provider.sign_in_as("sub-dana", "dana@riverside.example.org", "Dana Okafor")

    def configure(**changes) -> None:
        app.config["OIDC_PROVIDERS"] = {"riverside": riverside(provider, **changes)}

    configure()
    yield configure
    app.config.update(saved)


def to_provider(client, query: str = "") -> str:
    """Press "Sign in with Riverside ID": the provider's authorization URL the app redirects to."""
    response = client.get(f"/auth/sso/riverside{query}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


def approve(authorization_url: str, confirm: bool = True) -> str:
    """Approve at the provider; the app's callback path and query it redirects back to."""
    response = requests.post(authorization_url, data={"confirm": "yes"} if confirm else {},
                             allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    location = urlsplit(response.headers["Location"])
    assert location.path == CALLBACK
    return f"{location.path}?{location.query}"


def sign_in(client, query: str = ""):
    return client.get(approve(to_provider(client, query)))


def count(app, model) -> int:
    with app.app_context():
        found = db.session.scalar(db.select(db.func.count()).select_from(model))
        db.session.remove()
        return found


def user_by_email(app, email: str) -> User | None:
    with app.app_context():
        user = db.session.scalar(db.select(User).where(User.email == email))
        db.session.remove()
        return user


def logged_in(client) -> bool:
    """The log-in page sends a logged-in browser home (and, unlike /home, flashes nothing otherwise)."""
    return client.get("/auth/login").status_code == 302


def assert_refused(response, status: int, *phrases: str) -> None:
    page = response.get_data(as_text=True)
    assert response.status_code == status, page
    assert "You are not signed in" in page and "Traceback" not in page
    for phrase in phrases:
        assert phrase in page


# --- the journey ----------------------------------------------------------------------------------------

def test_the_login_page_offers_the_providers_button(client, sso):
    page = client.get("/auth/login?next=/auth/account").get_data(as_text=True)
    assert f"Sign in with {LABEL}" in page
    assert 'href="/auth/sso/riverside?next=/auth/account"' in page


def test_the_first_sign_in_creates_the_account_and_logs_in_with_a_server_side_session(app, client, sso):
    authorization_url = to_provider(client)
    query = parse_qs(urlsplit(authorization_url).query)
    # PKCE, state and nonce are sent (the provider also refuses a request without S256).
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"]
    assert query["state"] and query["nonce"] and query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == [app.config["BASE_URL"] + CALLBACK]

    response = client.get(approve(authorization_url))
    assert response.status_code == 302 and response.headers["Location"] == "/home"
    dana = user_by_email(app, "dana@riverside.example.org")
    assert dana is not None and dana.name == "Dana Okafor" and dana.email_confirmed_at is not None
    assert count(app, UserSession) == 1 and count(app, UserIdentity) == 1
    assert "Dana Okafor" in client.get("/home").get_data(as_text=True)
    # A normal login: logging out ends the server-side session.
    client.post("/auth/logout")
    assert count(app, UserSession) == 0 and not logged_in(client)
    # No usable password was set.
    assert client.post("/auth/login", data={"email": dana.email, "password": PASSWORD}).status_code == 200


def test_the_sign_in_returns_to_a_safe_next_page_only(client, sso):
    assert sign_in(client, "?next=/auth/account").headers["Location"] == "/auth/account"
    client.post("/auth/logout")
    assert sign_in(client, "?next=https://evil.example.com/").headers["Location"] == "/home"


def test_an_existing_account_with_the_same_verified_address_is_linked(app, client, provider, sso, person):
    grace = person("mentor", email="grace@riverside.example.org")
    provider.sign_in_as("sub-grace", "Grace@Riverside.example.org", "Grace Ho")
    assert sign_in(client).status_code == 302
    assert count(app, User) == 1 and logged_in(client)
    with app.app_context():
        linked = db.session.scalar(db.select(UserIdentity))
        assert (linked.user_id, linked.subject) == (grace.id, "sub-grace")
        db.session.remove()


def test_a_second_sign_in_finds_the_account_by_subject_after_the_address_changed(app, client, provider, sso):
    sign_in(client)
    client.post("/auth/logout")
    provider.sign_in_as("sub-dana", "dana.okafor@riverside.example.org", "Dana Okafor")
    assert sign_in(client).status_code == 302 and logged_in(client)
    assert count(app, User) == 1
    assert user_by_email(app, "dana@riverside.example.org") is not None


# --- refused, with nothing created ----------------------------------------------------------------------

def test_a_wrong_state_is_refused(app, client, sso):
    callback = approve(to_provider(client))
    path, _, query = callback.partition("?")
    params = {k: v[0] for k, v in parse_qs(query).items()}
    forged = f"{path}?{urlencode({**params, 'state': 'not-the-state-we-sent'})}"
    assert_refused(client.get(forged), 400, "did not complete")
    # The real state was for this browser only: another browser cannot use the callback either.
    assert_refused(app.test_client().get(callback), 400)
    assert count(app, User) == 0 and not logged_in(client)


def test_a_callback_is_used_once(app, client, sso):
    callback = approve(to_provider(client))
    assert client.get(callback).status_code == 302
    client.post("/auth/logout")
    assert_refused(client.get(callback), 400)


@pytest.mark.parametrize(("spoil", "logged"), [
    ("wrong_nonce", "InvalidClaimError invalid_claim: Invalid claim: 'nonce'"),
    ("expired", "ExpiredTokenError"),
    ("wrong_key", "BadSignatureError"),
    ("wrong_audience", "InvalidClaimError invalid_claim: Invalid claim: 'aud'"),
])
def test_an_id_token_that_fails_verification_is_refused(app, client, provider, sso, caplog, spoil, logged):
    callback = approve(to_provider(client))
    provider.spoil_next_id_token(spoil)
    with caplog.at_level(logging.WARNING):
        assert_refused(client.get(callback), 400, "could not verify")
    assert logged in caplog.text  # refused for that very reason
    assert count(app, User) == 0 and count(app, UserIdentity) == 0 and not logged_in(client)


def test_an_address_outside_the_allowed_domains_is_refused(app, client, provider, sso):
    provider.sign_in_as("sub-mallory", "mallory@gmail.example.com", "Mallory")
    assert_refused(sign_in(client), 403, "only for addresses at riverside.example.org")
    assert count(app, User) == 0 and count(app, UserIdentity) == 0 and not logged_in(client)


def test_an_unverified_address_is_not_linked(app, client, provider, sso, person):
    person("mentor", email="grace@riverside.example.org")
    provider.sign_in_as("sub-grace", "grace@riverside.example.org", "Grace Ho", email_verified=False)
    assert_refused(sign_in(client), 403, "not verified")
    # No email_verified claim at all is refused too, unless the provider is trusted for it (Entra ID).
    provider.sign_in_as("sub-grace", "grace@riverside.example.org", "Grace Ho", email_verified=None)
    assert_refused(sign_in(client), 403, "not verified")
    assert count(app, UserIdentity) == 0 and not logged_in(client)
    sso(trust_email=True)
    assert sign_in(client).status_code == 302 and logged_in(client)


def test_a_deactivated_account_is_refused(app, client, sso):
    sign_in(client)
    client.post("/auth/logout")
    with app.app_context():
        dana = db.session.scalar(db.select(User))
        dana.active = False
        db.session.commit()
        db.session.remove()
    assert_refused(sign_in(client), 403, "deactivated")
    assert not logged_in(client)


def test_a_deleted_account_cannot_be_reached_by_single_sign_on(app, client, provider, sso, person):
    grace = person("mentor", email="grace@riverside.example.org")
    provider.sign_in_as("sub-grace", "grace@riverside.example.org", "Grace Ho")
    sign_in(client)
    assert client.post("/auth/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302
    assert count(app, UserIdentity) == 0
    sign_in(client)  # a new account, not the deleted one
    with app.app_context():
        assert db.session.get(User, grace.id).deleted_at is not None
        assert db.session.scalar(db.select(UserIdentity)).user_id != grace.id
        db.session.remove()


def test_cancelling_at_the_provider_is_refused_cleanly(app, client, sso):
    assert_refused(client.get(approve(to_provider(client), confirm=False)), 400, "access_denied")
    assert count(app, User) == 0


def test_an_unknown_provider_is_not_found(client, sso):
    assert client.get("/auth/sso/nobody").status_code == 404
    assert client.get("/auth/sso/nobody/callback").status_code == 404


def test_an_unreachable_provider_gives_a_clear_page(client, sso):
    sso(discovery_url="http://127.0.0.1:9/.well-known/openid-configuration", issuer=None)
    assert_refused(client.get("/auth/sso/riverside"), 503, "could not reach")


def test_a_discovery_document_for_another_issuer_is_refused(client, sso):
    sso(issuer="https://id.other.example.com")
    assert_refused(client.get("/auth/sso/riverside"), 503)


@pytest.fixture
def limited_app(app, provider):
    """An app on the test database with the provider configured and rate limits on (3 a minute per address)."""
    built = create_app({
        "MENTORMATCH_ENV": "testing", "SECRET_KEY": "test", "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
        "LOGIN_RATE_LIMIT": "3 per minute", "OIDC_PROVIDERS": {"riverside": riverside(provider)},
    })
    limiter.reset()  # one global limiter and store (as tests/web/test_rate_limits.py does)
    yield built
    limiter.reset()
    limiter.enabled = False
    with built.app_context():
        db.session.remove()
        db.engine.dispose()


def test_single_sign_on_attempts_share_the_login_rate_limit(limited_app):
    client = limited_app.test_client()
    assert [client.get("/auth/sso/riverside").status_code for _ in range(3)] == [302, 302, 302]
    assert client.get("/auth/sso/riverside/callback?code=x&state=y").status_code == 429


# --- single-sign-on-only domains ------------------------------------------------------------------------

def test_a_single_sign_on_only_address_cannot_log_in_or_reset_with_a_password(app, client, sso, person):
    grace = person("mentor", email="grace@riverside.example.org")
    other = person("mentor", email="lee@lab.example.org")
    app.config["SSO_ONLY_DOMAINS"] = frozenset({"riverside.example.org"})
    outbox = Outbox(app, run_queue=True)
    outbox.clear()

    page = client.post("/auth/login", data={"email": grace.email, "password": PASSWORD}).get_data(as_text=True)
    assert f"use the “Sign in with {LABEL}” button" in page and not logged_in(client)

    answers = [client.post("/auth/reset", data={"email": email}, follow_redirects=True).get_data(as_text=True)
               for email in (grace.email, "nobody@riverside.example.org")]
    assert "We sent no email." in answers[0]
    assert answers[0] == answers[1]  # the same answer whether or not the account exists
    assert len(outbox) == 0
    # Other domains log in and reset as before.
    assert client.post("/auth/login", data={"email": other.email, "password": PASSWORD}).status_code == 302
    client.post("/auth/logout")
    client.post("/auth/reset", data={"email": other.email})
    assert [email.to for email in outbox] == [other.email]


# --- configuration --------------------------------------------------------------------------------------

ENV = {"MENTORMATCH_ENV": "testing", "SECRET_KEY": "k" * 40}


def test_providers_are_read_from_the_environment(tmp_path):
    config = load_config(str(tmp_path), {
        **ENV, "MENTORMATCH_OIDC_PROVIDERS": "entra, Okta",
        "MENTORMATCH_OIDC_ENTRA_ISSUER": "https://login.microsoftonline.com/tenant-id/v2.0/",
        "MENTORMATCH_OIDC_ENTRA_CLIENT_ID": "app-id", "MENTORMATCH_OIDC_ENTRA_CLIENT_SECRET": "s1",
        "MENTORMATCH_OIDC_ENTRA_DOMAINS": "Riverside.example.org, @lab.example.org",
        "MENTORMATCH_OIDC_ENTRA_LABEL": "Microsoft", "MENTORMATCH_OIDC_ENTRA_TRUST_EMAIL": "1",
        "MENTORMATCH_OIDC_OKTA_DISCOVERY_URL": "https://riverside.okta.example.com/.well-known/openid-configuration",
        "MENTORMATCH_OIDC_OKTA_CLIENT_ID": "okta-id", "MENTORMATCH_OIDC_OKTA_CLIENT_SECRET": "s2",
        "MENTORMATCH_OIDC_OKTA_DOMAINS": "riverside.example.org", "MENTORMATCH_OIDC_OKTA_NAME_CLAIM": "nickname",
        "MENTORMATCH_SSO_ONLY_DOMAINS": "Riverside.example.org",
    })
    entra, okta = config["OIDC_PROVIDERS"].values()
    assert entra == OidcProvider(
        name="entra", label="Microsoft",
        discovery_url="https://login.microsoftonline.com/tenant-id/v2.0/.well-known/openid-configuration",
        client_id="app-id", client_secret="s1", domains=("riverside.example.org", "lab.example.org"),
        issuer="https://login.microsoftonline.com/tenant-id/v2.0", trust_email=True)
    assert (okta.label, okta.name_claim, okta.scopes, okta.trust_email, okta.issuer) == (
        "Okta", "nickname", "openid email profile", False, None)
    assert config["SSO_ONLY_DOMAINS"] == {"riverside.example.org"}
    assert load_config(str(tmp_path), ENV)["OIDC_PROVIDERS"] == {}


@pytest.mark.parametrize(("changes", "message"), [
    ({"MENTORMATCH_OIDC_OKTA_CLIENT_SECRET": ""}, "'okta' .* incomplete: set MENTORMATCH_OIDC_OKTA_CLIENT_SECRET"),
    ({"MENTORMATCH_OIDC_OKTA_DOMAINS": " , "}, "MENTORMATCH_OIDC_OKTA_DOMAINS"),
    ({"MENTORMATCH_OIDC_OKTA_ISSUER": ""}, r"MENTORMATCH_OIDC_OKTA_DISCOVERY_URL \(or _ISSUER\)"),
    ({"MENTORMATCH_OIDC_OKTA_TRUST_EMAIL": "yes"}, "TRUST_EMAIL must be 0 or 1"),
    ({"MENTORMATCH_OIDC_OKTA_SCOPES": "email profile"}, "must include openid"),
    ({"MENTORMATCH_OIDC_PROVIDERS": "okta,okta"}, "twice"),
    ({"MENTORMATCH_OIDC_PROVIDERS": "ok-ta"}, "not a provider name"),
    ({"MENTORMATCH_ENV": "production", "MENTORMATCH_OIDC_OKTA_ISSUER": "http://okta.example.com"}, "https://"),
])
def test_an_incomplete_or_wrong_provider_stops_the_app_with_a_clear_message(tmp_path, changes, message):
    env = {**ENV, "MENTORMATCH_OIDC_PROVIDERS": "okta", "MENTORMATCH_OIDC_OKTA_ISSUER": "https://okta.example.com",
           "MENTORMATCH_OIDC_OKTA_CLIENT_ID": "id", "MENTORMATCH_OIDC_OKTA_CLIENT_SECRET": "secret",
           "MENTORMATCH_OIDC_OKTA_DOMAINS": "riverside.example.org", **changes}
    with pytest.raises(ConfigError, match=message):
        load_config(str(tmp_path), env)
