"""Single sign-on in a real browser: "Sign in with Riverside ID" on the log-in page, the provider's
page (tests/oidc_provider.py, its own process), and back home logged in, with CSRF on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Page, expect

from mentormatch.config import DISCOVERY_PATH, OidcProvider
from mentormatch.extensions import db
from mentormatch.models import User
from tests.oidc_provider import ProviderProcess, running_provider

pytestmark = pytest.mark.browser

CALLBACK = "/auth/sso/riverside/callback"


@pytest.fixture(scope="module")
def provider() -> Iterator[ProviderProcess]:
    with running_provider() as running:
        yield running


@pytest.fixture
def sso(app, live_server, provider):
    """The live app signs in through the provider; its callback is the live server's (BASE_URL)."""
    saved = {key: app.config[key] for key in ("OIDC_PROVIDERS", "BASE_URL")}
    app.config["BASE_URL"] = live_server
    app.config["OIDC_PROVIDERS"] = {"riverside": OidcProvider(
        name="riverside", label="Riverside ID", discovery_url=provider.issuer + DISCOVERY_PATH,
        issuer=provider.issuer, client_id=provider.client_id, client_secret=provider.client_secret,
        domains=("riverside.example.org",))}
    provider.allow_redirect_uri(live_server + CALLBACK)
    provider.sign_in_as("sub-dana", "dana.okafor@riverside.example.org", "Dana Okafor")
    yield
    app.config.update(saved)


def test_a_person_signs_in_with_their_organisation_and_lands_home(page: Page, live_server: str, app, sso):
    page.goto(f"{live_server}/auth/login")
    page.get_by_role("link", name="Sign in with Riverside ID").click()

    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    expect(page.get_by_text("Signing in as Dana Okafor <dana.okafor@riverside.example.org>")).to_be_visible()
    page.get_by_role("button", name="Continue").click()

    page.wait_for_url(f"{live_server}/home")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.goto(f"{live_server}/auth/account")
    expect(page.get_by_text("dana.okafor@riverside.example.org").first).to_be_visible()

    # An ordinary session: logging out works, and the next sign-in finds the same account.
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_text("You are logged out.")).to_be_visible()
    page.goto(f"{live_server}/auth/login")
    page.get_by_role("link", name="Sign in with Riverside ID").click()
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server}/home")
    with app.app_context():
        assert db.session.scalars(db.select(User.email)).all() == ["dana.okafor@riverside.example.org"]
        db.session.remove()
