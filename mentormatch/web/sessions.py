"""Flask's signed-cookie sessions, with the signer built once instead of on every request."""

from __future__ import annotations

from flask import Flask
from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer


class CookieSessionInterface(SecureCookieSessionInterface):
    """Same cookies, same checks as Flask's default; only the serializer is reused.

    Flask builds a new ``URLSafeTimedSerializer`` for every request that
    opens or saves a session, about a tenth of a cached page's cost. It
    depends only on the secret keys, so it is kept per set of keys (a
    rotated key gets a serializer of its own).
    """

    def __init__(self) -> None:
        self._serializers: dict[tuple, URLSafeTimedSerializer | None] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        if keys not in self._serializers:
            self._serializers[keys] = super().get_signing_serializer(app)
        return self._serializers[keys]
