"""Single sign-on with OpenID Connect: "Sign in with <label>" on the log-in page.

Authlib's Flask client does the protocol: the authorization code flow with
PKCE (S256), a random ``state`` and ``nonce`` kept in the signed session
cookie, and the ID token's signature (the provider's JWKS), issuer,
audience, expiry and nonce checked before anything here reads a claim.
``services.identity`` decides whom the token signs in; the login itself is
the app's usual one (``views.log_in``: a server-side session row).

GET /auth/sso/<provider> only sends the browser to the provider, so it needs
no CSRF token; the callback is bound to this browser by ``state``.
"""

from __future__ import annotations

import time

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError

from mentormatch.config import OidcProvider
from mentormatch.extensions import limiter
from mentormatch.services import identity
from mentormatch.web.auth.views import log_in
from mentormatch.web.security import safe_next_url

bp = Blueprint("sso", __name__, url_prefix="/sso")

NEXT_KEY = "sso_next"
HTTP_TIMEOUT = 10  # seconds for each call to the provider (discovery, keys, token)
METADATA_MAX_AGE = 3600  # re-read the discovery document hourly (new endpoints; keys also on an unknown kid)
_CLIENTS = "mentormatch.oidc_clients"

login_attempts = limiter.shared_limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], scope="sso")


def _provider(name: str) -> OidcProvider:
    provider = current_app.config.get("OIDC_PROVIDERS", {}).get(name)
    if provider is None:
        abort(404)
    return provider


def _client(provider: OidcProvider) -> FlaskOAuth2App:
    """The provider's Authlib client, kept per configuration (it caches the discovery document and keys)."""
    clients = current_app.extensions.setdefault(_CLIENTS, {})
    client = clients.get(provider)
    loaded_at = client.server_metadata.get("_loaded_at") if client is not None else None
    if client is None or (loaded_at is not None and time.time() - loaded_at > METADATA_MAX_AGE):
        client = FlaskOAuth2App(
            FlaskIntegration(f"sso_{provider.name}"), name=f"sso_{provider.name}",
            client_id=provider.client_id, client_secret=provider.client_secret,
            server_metadata_url=provider.discovery_url,
            client_kwargs={"scope": provider.scopes, "code_challenge_method": "S256",
                           "default_timeout": HTTP_TIMEOUT})
        clients[provider] = client
    return client


def _redirect_uri(provider: OidcProvider) -> str:
    """The callback registered at the provider: BASE_URL, never the Host header, names this site."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for("auth.sso.callback", provider=provider.name)


def _metadata(provider: OidcProvider, client: FlaskOAuth2App) -> dict:
    metadata = client.load_server_metadata()
    if not metadata.get("issuer"):
        raise _Misconfigured("the discovery document names no issuer")
    if provider.issuer and metadata.get("issuer") != provider.issuer:
        raise _Misconfigured(f"the discovery document names issuer {metadata.get('issuer')!r}")
    return metadata


class _Misconfigured(Exception):
    """The provider's discovery document disagrees with the configuration."""


def refused(provider: OidcProvider, message: str, status: int, reason: str):
    """The sign-in did not happen: say why on a page of its own, log the reason (no token, no claim)."""
    current_app.logger.warning("single sign-on with %s refused: %s", provider.name, reason)
    return render_template("auth/sso_error.html", provider=provider, message=message), status


@bp.get("/<provider>")
@login_attempts
def start(provider: str):
    config = _provider(provider)
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    client = _client(config)
    try:
        _metadata(config, client)
        session[NEXT_KEY] = safe_next_url(request.args.get("next"))
        return client.authorize_redirect(_redirect_uri(config))
    except (requests.RequestException, ValueError, RuntimeError, _Misconfigured) as error:
        return refused(config, f"We could not reach {config.label} just now. Try again in a moment, or log in "
                               "with your password if you have one.", 503, f"provider unavailable: {error}")


@bp.get("/<provider>/callback")
@login_attempts
def callback(provider: str):
    config = _provider(provider)
    client = _client(config)
    try:
        metadata = _metadata(config, client)
        token = client.authorize_access_token(claims_options={
            "iss": {"essential": True, "value": metadata["issuer"]},
            "aud": {"essential": True, "value": config.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
        })
    except OAuthError as error:  # a wrong or reused state, the provider's error, a refused code
        return refused(config, f"The sign-in with {config.label} did not complete ({error.error or 'error'}). "
                               "Start again from the log-in page.", 400, f"protocol: {error.error}")
    except JoseError as error:  # the ID token's signature, issuer, audience, expiry or nonce is wrong
        return refused(config, f"{config.label} sent a sign-in we could not verify. Start again from the log-in "
                               "page.", 400, f"id token: {type(error).__name__} {error}")
    except (requests.RequestException, ValueError, RuntimeError, _Misconfigured) as error:
        return refused(config, f"We could not reach {config.label} just now. Try again in a moment.", 503,
                       f"provider unavailable: {type(error).__name__}")
    claims = token.get("userinfo")
    if not claims:  # no ID token: nothing proves who signed in
        return refused(config, f"{config.label} sent no ID token. Start again from the log-in page.", 400,
                       "no id token")
    try:
        user = identity.sign_in(config, claims)
    except identity.SignInRefused as refusal:
        return refused(config, str(refusal), 403, refusal.reason)
    next_url = safe_next_url(session.get(NEXT_KEY))
    log_in(user, remember=False)
    return redirect(next_url or url_for("main.home"))
