"""A real OpenID Connect provider on loopback, for the single sign-on tests.

Built from Authlib's server components: the authorization code grant with
OpenID Connect (``OpenIDCode``, nonce required) and PKCE (``CodeChallenge``;
this provider also refuses an authorization request without an S256
challenge), a JWKS endpoint with an RSA key and a discovery document. It
runs in its own process (``python -m tests.oidc_provider``), binds a free
port, and prints ``PORT <n>`` once it serves.

Its sign-in page is a simple form ("Continue as ..."): who signs in is set by
the test through ``POST /_control`` (JSON), which also registers redirect
URIs and spoils the next ID token on demand:

- ``{"user": {"sub": ..., "email": ..., "email_verified": true, "name": ...}}``
  (leave ``email_verified`` out to send none, as Entra ID does);
- ``{"redirect_uris": [...]}`` adds callback URLs the client may use;
- ``{"spoil_next": "wrong_nonce" | "expired" | "wrong_key" | "wrong_audience"}``.

``ProviderProcess`` starts and controls it from a test.
"""

from __future__ import annotations

import argparse
import hmac
import html
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SCOPES = ("openid", "email", "profile")
KID = "test-key-1"
SPOILS = ("wrong_nonce", "expired", "wrong_key", "wrong_audience")


# --- the provider process ---------------------------------------------------------------------------

def build_app(client_id: str, client_secret: str):
    """The provider's Flask app (its issuer is set once the server knows its port)."""
    from authlib.integrations.flask_oauth2 import AuthorizationServer
    from authlib.oauth2 import OAuth2Error
    from authlib.oauth2.rfc6749 import ClientMixin, grants
    from authlib.oauth2.rfc7636 import CodeChallenge
    from authlib.oidc.core import AuthorizationCodeMixin, OpenIDCode, UserInfo
    from flask import Flask, abort, jsonify, request
    from joserfc.jwk import KeySet, RSAKey

    app = Flask("test_oidc_provider")
    signing_key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
    # Same kid, other key: only the signature check can tell.
    impostor_key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
    state = {"issuer": "", "user": {}, "redirect_uris": set(), "spoil": None, "codes": {}, "nonces": set()}
    lock = threading.Lock()

    class Client(ClientMixin):
        def get_client_id(self):
            return client_id

        def get_default_redirect_uri(self):
            return None

        def get_allowed_scope(self, scope):
            return " ".join(s for s in (scope or "").split() if s in SCOPES)

        def check_redirect_uri(self, redirect_uri):
            return redirect_uri in state["redirect_uris"]

        def check_client_secret(self, secret):
            return hmac.compare_digest(secret, client_secret)

        def check_endpoint_auth_method(self, method, endpoint):
            return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

        def check_response_type(self, response_type):
            return response_type == "code"

        def check_grant_type(self, grant_type):
            return grant_type == "authorization_code"

    @dataclass
    class Code(AuthorizationCodeMixin):
        code: str
        redirect_uri: str
        scope: str
        nonce: str | None
        code_challenge: str | None
        code_challenge_method: str | None
        user: dict
        auth_time: int = field(default_factory=lambda: int(time.time()))

        def get_redirect_uri(self):
            return self.redirect_uri

        def get_scope(self):
            return self.scope

        def get_nonce(self):
            return self.nonce

        def get_auth_time(self):
            return self.auth_time

    class CodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            state["codes"][code] = Code(code, request.payload.redirect_uri, request.scope, data.get("nonce"),
                                        data.get("code_challenge"), data.get("code_challenge_method"),
                                        dict(request.user))
            state["nonces"].add(data.get("nonce"))

        def query_authorization_code(self, code, client):
            return state["codes"].get(code)

        def delete_authorization_code(self, authorization_code):
            state["codes"].pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class SpoilableOpenIDCode(OpenIDCode):
        spoil: str | None = None

        def exists_nonce(self, nonce, request):
            return nonce in state["nonces"]

        def resolve_client_private_key(self, client):
            return impostor_key if self.spoil == "wrong_key" else signing_key

        def get_encode_header(self, client):
            return {"alg": "RS256", "kid": KID}

        def get_client_claims(self, client):
            claims = {"iss": state["issuer"], "aud": [client_id]}
            if self.spoil == "wrong_audience":
                claims["aud"] = ["another-client"]
            if self.spoil == "expired":
                now = int(time.time())
                claims.update(iat=now - 7200, exp=now - 3600)
            return claims

        def get_authorization_code_claims(self, authorization_code):
            claims = super().get_authorization_code_claims(authorization_code)
            if self.spoil == "wrong_nonce":
                claims["nonce"] = "not-the-nonce-the-client-sent"
            return claims

        def generate_user_info(self, user, scope):
            info = UserInfo(sub=user["sub"])
            for claim in ("email", "email_verified", "name", "preferred_username"):
                if claim in user:
                    info[claim] = user[claim]
            return info

        def process_token(self, grant, response):
            with lock:
                self.spoil, state["spoil"] = state["spoil"], None
                try:
                    return super().process_token(grant, response)
                finally:
                    self.spoil = None

    server = AuthorizationServer(app, query_client=lambda cid: Client() if cid == client_id else None,
                                 save_token=lambda token, request: None)
    server.register_grant(CodeGrant, [SpoilableOpenIDCode(require_nonce=True), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        issuer = state["issuer"]
        return jsonify(issuer=issuer, authorization_endpoint=f"{issuer}/authorize", token_endpoint=f"{issuer}/token",
                       jwks_uri=f"{issuer}/jwks", response_types_supported=["code"], subject_types_supported=["public"],
                       id_token_signing_alg_values_supported=["RS256"], scopes_supported=list(SCOPES),
                       code_challenge_methods_supported=["S256"],
                       token_endpoint_auth_methods_supported=["client_secret_basic", "client_secret_post"])

    @app.get("/jwks")
    def jwks():
        return jsonify(KeySet([signing_key]).as_dict(private=False))

    @app.route("/authorize", methods=["GET", "POST"])
    def authorize():
        if request.args.get("code_challenge_method") != "S256" or not request.args.get("code_challenge"):
            abort(400, "this provider requires PKCE with S256")
        user = state["user"]
        try:
            grant = server.get_consent_grant(end_user=user)
        except OAuth2Error as error:  # a client, redirect URI or scope it refuses
            abort(400, f"{error.error}: {error.description}")
        if request.method == "POST":
            return server.create_authorization_response(grant_user=user if request.form.get("confirm") else None,
                                                        grant=grant)
        who = html.escape(f"{user.get('name', '')} <{user.get('email', '')}>")
        return (f"<!doctype html><html lang='en'><head><title>Test identity provider</title></head><body>"
                f"<h1>Test identity provider</h1><p>Signing in as {who}</p>"
                f"<form method='post'><input type='hidden' name='confirm' value='yes'>"
                f"<button type='submit'>Continue</button></form></body></html>")

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.post("/_control")
    def control():
        body = request.get_json(force=True)
        with lock:
            if "user" in body:
                state["user"] = dict(body["user"])
            state["redirect_uris"].update(body.get("redirect_uris", ()))
            if "spoil_next" in body:
                if body["spoil_next"] not in SPOILS:
                    abort(400, f"spoil_next must be one of {SPOILS}")
                state["spoil"] = body["spoil_next"]
        return jsonify(ok=True)

    return app, state


def main(argv: list[str] | None = None) -> None:
    import logging

    from werkzeug.serving import make_server

    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request in the test output

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", required=True)
    args = parser.parse_args(argv)
    app, state = build_app(args.client_id, args.client_secret)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    state["issuer"] = f"http://127.0.0.1:{server.server_port}"
    print(f"PORT {server.server_port}", flush=True)
    server.serve_forever()


# --- driving it from a test --------------------------------------------------------------------------

@dataclass
class ProviderProcess:
    """A running provider: its issuer URL and the test-control calls."""

    issuer: str
    client_id: str
    client_secret: str

    def _control(self, **body) -> None:
        import requests

        requests.post(f"{self.issuer}/_control", json=body, timeout=5).raise_for_status()

    def sign_in_as(self, sub: str, email: str, name: str = "Dana Okafor", email_verified: bool | None = True) -> None:
        """Who the next sign-ins at the provider are (``email_verified=None`` sends no such claim)."""
        user = {"sub": sub, "email": email, "name": name}
        if email_verified is not None:
            user["email_verified"] = email_verified
        self._control(user=user)

    def allow_redirect_uri(self, uri: str) -> None:
        self._control(redirect_uris=[uri])

    def spoil_next_id_token(self, how: str) -> None:
        """The next ID token is issued wrong: ``wrong_nonce``, ``expired``, ``wrong_key`` or ``wrong_audience``."""
        self._control(spoil_next=how)


@contextmanager
def running_provider(client_id: str = "mentormatch", client_secret: str = "provider-test-secret",
                     timeout: float = 20) -> Iterator[ProviderProcess]:
    """Start the provider in a subprocess on a free loopback port; wait until it serves; stop it afterwards."""
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.oidc_provider", "--client-id", client_id, "--client-secret", client_secret],
        cwd=Path(__file__).resolve().parent.parent, stdout=subprocess.PIPE, text=True)
    try:
        port = _read_port(process, timeout)
        yield ProviderProcess(f"http://127.0.0.1:{port}", client_id, client_secret)
    finally:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stdout.close()


def _read_port(process: subprocess.Popen, timeout: float) -> int:
    found: list[int] = []

    def read() -> None:
        line = process.stdout.readline()
        if line.startswith("PORT "):
            found.append(int(line.split()[1]))

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    reader.join(timeout)
    if not found:
        raise RuntimeError(f"the test OpenID Connect provider did not start (exit code {process.poll()})")
    return found[0]


if __name__ == "__main__":
    main()
