"""Settings read from the environment.

``MENTORMATCH_ENV`` is ``production`` (the default), ``development`` or
``testing``. Production refuses to start without ``SECRET_KEY``; development
keeps a generated key in the instance folder so sessions survive restarts.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

ENVIRONMENTS = ("production", "development", "testing")
MIN_SECRET_BYTES = 32


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _normalise_database_url(url: str) -> str:
    """Point plain PostgreSQL URLs at psycopg 3, the driver we install."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _count(env, name: str) -> int:
    """A whole number of 0 or more from ``name`` (0 when unset)."""
    raw = env.get(name, "0").strip() or "0"
    if not raw.isdecimal():
        raise ConfigError(f"{name} must be a whole number of 0 or more, not {raw!r}")
    return int(raw)


@dataclass(frozen=True)
class OidcProvider:
    """One OpenID Connect identity provider people may sign in with (``MENTORMATCH_OIDC_<NAME>_*``)."""

    name: str  # in the URLs (/auth/sso/<name>) and in user_identities.provider
    label: str  # the button says "Sign in with <label>"
    discovery_url: str
    client_id: str
    client_secret: str
    domains: tuple[str, ...]  # email domains allowed to sign in through it
    issuer: str | None = None  # when given, the discovery document must name this issuer
    name_claim: str = "name"
    scopes: str = "openid email profile"
    # Entra ID sends no email_verified: trust its email claim as verified (never when the claim says false).
    trust_email: bool = False


_PROVIDER_NAME = re.compile(r"[a-z][a-z0-9]{0,31}")
DISCOVERY_PATH = "/.well-known/openid-configuration"


def _clock(env, production: bool) -> datetime | None:
    raw = env.get("MENTORMATCH_CLOCK", "").strip()
    if not raw:
        return None
    if production:
        raise ConfigError("MENTORMATCH_CLOCK stops the scheduler's clock: not in production")
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"MENTORMATCH_CLOCK must be an ISO time with its offset, not {raw!r}") from None
    if moment.tzinfo is None:
        raise ConfigError(f"MENTORMATCH_CLOCK must say its UTC offset (…+00:00), not {raw!r}")
    return moment.astimezone(timezone.utc)


def _domains(raw: str) -> tuple[str, ...]:
    """A comma list of email domains, lowercased, without a leading "@"."""
    return tuple(dict.fromkeys(d.strip().lower().lstrip("@") for d in raw.split(",") if d.strip().lstrip("@")))


def _oidc_provider(env, name: str, production: bool) -> OidcProvider:
    prefix = f"MENTORMATCH_OIDC_{name.upper()}_"

    def setting(key: str, default: str = "") -> str:
        return env.get(prefix + key, default).strip()

    issuer = setting("ISSUER").rstrip("/") or None
    discovery_url = setting("DISCOVERY_URL") or (issuer + DISCOVERY_PATH if issuer else "")
    missing = [prefix + key for key, value in (("DISCOVERY_URL (or _ISSUER)", discovery_url),
                                              ("CLIENT_ID", setting("CLIENT_ID")),
                                              ("CLIENT_SECRET", setting("CLIENT_SECRET")),
                                              ("DOMAINS", _domains(setting("DOMAINS")))) if not value]
    if missing:
        raise ConfigError(f"The OpenID Connect provider {name!r} (MENTORMATCH_OIDC_PROVIDERS) is incomplete: "
                          f"set {', '.join(missing)}.")
    if production and not discovery_url.startswith("https://"):
        raise ConfigError(f"{prefix}DISCOVERY_URL must be an https:// address in production, not {discovery_url!r}.")
    scopes = setting("SCOPES", "openid email profile")
    if "openid" not in scopes.split():
        raise ConfigError(f"{prefix}SCOPES must include openid (the ID token is what proves who signed in).")
    trust = setting("TRUST_EMAIL", "0")
    if trust not in ("0", "1"):
        raise ConfigError(f"{prefix}TRUST_EMAIL must be 0 or 1, not {trust!r}")
    return OidcProvider(name=name, label=setting("LABEL") or name.title(), discovery_url=discovery_url,
                        client_id=setting("CLIENT_ID"), client_secret=setting("CLIENT_SECRET"),
                        domains=_domains(setting("DOMAINS")), issuer=issuer,
                        name_claim=setting("NAME_CLAIM") or "name", scopes=scopes, trust_email=trust == "1")


def _oidc_providers(env, production: bool) -> dict[str, OidcProvider]:
    """The providers ``MENTORMATCH_OIDC_PROVIDERS`` names ("entra,okta"), in that order."""
    providers: dict[str, OidcProvider] = {}
    for name in (n.strip().lower() for n in env.get("MENTORMATCH_OIDC_PROVIDERS", "").split(",")):
        if not name:
            continue
        if not _PROVIDER_NAME.fullmatch(name):
            raise ConfigError(f"MENTORMATCH_OIDC_PROVIDERS: {name!r} is not a provider name "
                              "(a letter, then up to 31 letters or digits).")
        if name in providers:
            raise ConfigError(f"MENTORMATCH_OIDC_PROVIDERS names {name!r} twice.")
        providers[name] = _oidc_provider(env, name, production)
    return providers


def _development_secret(instance_path: Path) -> str:
    """Return a per-checkout secret kept in the instance folder."""
    key_file = instance_path / "dev-secret-key"
    if key_file.exists():
        return key_file.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def load_config(instance_path: str, environ: dict[str, str] | None = None) -> dict[str, Any]:
    """Build the Flask configuration mapping from environment variables."""
    env = os.environ if environ is None else environ
    name = env.get("MENTORMATCH_ENV", "production")
    if name not in ENVIRONMENTS:
        raise ConfigError(f"MENTORMATCH_ENV must be one of {', '.join(ENVIRONMENTS)}, not {name!r}")
    instance = Path(instance_path)

    secret_key = env.get("SECRET_KEY")
    if not secret_key:
        if name == "production":
            raise ConfigError(
                "SECRET_KEY is not set. Set it to a long random value "
                "(python -c 'import secrets; print(secrets.token_hex(32))'), "
                "or set MENTORMATCH_ENV=development for a local demo."
            )
        secret_key = _development_secret(instance)
    if name == "production" and len(secret_key.encode()) < MIN_SECRET_BYTES:
        raise ConfigError(f"SECRET_KEY is too short: use at least {MIN_SECRET_BYTES} random bytes "
                          "(python -c 'import secrets; print(secrets.token_hex(32))').")

    default_db = f"sqlite:///{instance / 'mentormatch.db'}"
    # Production serves HTTPS (Secure cookies, HSTS) unless MENTORMATCH_HTTPS=0 says it runs over plain http.
    https = env.get("MENTORMATCH_HTTPS", "1" if name == "production" else "0") == "1"
    return {
        "ENV_NAME": name,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": _normalise_database_url(env.get("DATABASE_URL", default_db)),
        # Pinging each pooled connection before use costs a round trip per request. Off, a
        # connection found dead (the database restarted) discards the pool: the request it
        # failed gets the 503 page and the next request reconnects.
        # hide_parameters: a logged database error shows the SQL, never the values (a private note).
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": env.get("MENTORMATCH_DB_PRE_PING", "0") == "1",
                                      "hide_parameters": True},
        # How many proxies in front set X-Forwarded-For/-Proto (ProxyFix, applied in app.py); 0 = none,
        # the connecting address is the client's (rate limits count per client address).
        "TRUSTED_PROXIES": _count(env, "MENTORMATCH_TRUSTED_PROXIES"),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": https,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": https,
        # How long a login lasts on the server (services.sessions): a browser session, or "remember me".
        "SESSION_HOURS": int(env.get("MENTORMATCH_SESSION_HOURS", "12")),
        "REMEMBER_DAYS": int(env.get("MENTORMATCH_REMEMBER_DAYS", "30")),
        "REMEMBER_COOKIE_DURATION": timedelta(days=int(env.get("MENTORMATCH_REMEMBER_DAYS", "30"))),
        "PREFERRED_URL_SCHEME": "https" if https else "http",
        "HTTPS": https,  # web.security adds Strict-Transport-Security
        "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
        "WTF_CSRF_TIME_LIMIT": None if name != "production" else 8 * 3600,
        "TESTING": name == "testing",
        "PAGE_SIZE": 25,
        # Flask-Limiter: login and password-reset attempts. Several processes
        # share counts only through a shared store, e.g. redis://host:6379.
        "RATELIMIT_STORAGE_URI": env.get("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_ENABLED": env.get("RATELIMIT_ENABLED", "0" if name == "testing" else "1") == "1",
        "LOGIN_RATE_LIMIT": env.get("MENTORMATCH_LOGIN_RATE_LIMIT", "10 per minute; 100 per day"),
        "PASSWORD_RESET_MAX_AGE": int(env.get("MENTORMATCH_PASSWORD_RESET_MINUTES", "60")) * 60,
        "LOGIN_RATE_LIMIT_PER_ACCOUNT": env.get("MENTORMATCH_LOGIN_RATE_LIMIT_PER_ACCOUNT", "5 per minute; 30 per day"),
        # Werkzeug's method string; scrypt is slow on purpose (tests may pick a cheaper one).
        "PASSWORD_HASH_METHOD": env.get("MENTORMATCH_PASSWORD_HASH", "scrypt"),
        # Matching rules a program may tune.
        "MAX_OPEN_REQUESTS": int(env.get("MENTORMATCH_MAX_OPEN_REQUESTS", "3")),
        # An unconfirmed address may not ask, accept or be proposed (0 relaxes this).
        "REQUIRE_CONFIRMED_EMAIL": env.get("MENTORMATCH_REQUIRE_CONFIRMED_EMAIL", "1") == "1",
        "MATCH_EXPIRY_DAYS": int(env.get("MENTORMATCH_MATCH_EXPIRY_DAYS", "14")),
        "SUGGESTIONS": int(env.get("MENTORMATCH_SUGGESTIONS", "10")),
        # Load the engine's compiled kernels in a background thread at start-up (matching.warmup), so
        # the first round preview does not wait for them; off in tests, which need no head start.
        "MATCHING_WARMUP": env.get("MENTORMATCH_MATCHING_WARMUP", "0" if name == "testing" else "1") == "1",
        # The task queue (emails, scheduled jobs): a SQLite file by default; redis://… to share it
        # between hosts. Tests pass their own; "memory://" keeps it inside one process.
        "QUEUE_URL": env.get("MENTORMATCH_QUEUE_URL",
                             "memory://" if name == "testing" else f"sqlite:///{instance / 'queue.db'}"),
        # Email delivery by the worker: tries back off from OUTBOX_RETRY_SECONDS, doubling up to
        # OUTBOX_RETRY_MAX_SECONDS, and give up after OUTBOX_MAX_ATTEMPTS. A worker holds the rows
        # it sends for OUTBOX_CLAIM_SECONDS; the sweep re-queues rows unsent for OUTBOX_SWEEP_GRACE_SECONDS.
        "OUTBOX_RETRY_SECONDS": float(env.get("MENTORMATCH_OUTBOX_RETRY_SECONDS", "5")),
        "OUTBOX_RETRY_MAX_SECONDS": float(env.get("MENTORMATCH_OUTBOX_RETRY_MAX_SECONDS", "1800")),
        "OUTBOX_MAX_ATTEMPTS": int(env.get("MENTORMATCH_OUTBOX_MAX_ATTEMPTS", "15")),
        "OUTBOX_CLAIM_SECONDS": float(env.get("MENTORMATCH_OUTBOX_CLAIM_SECONDS", "300")),
        "OUTBOX_SWEEP_GRACE_SECONDS": float(env.get("MENTORMATCH_OUTBOX_SWEEP_GRACE_SECONDS", "60")),
        "OUTBOX_KEEP_DAYS": int(env.get("MENTORMATCH_OUTBOX_KEEP_DAYS", "30")),
        # The scheduler's clock (mentormatch.clock): unset, the wall clock. An ISO time such as
        # 2027-03-01T08:00:00+00:00 stops it there, for rehearsing the automation (never in production).
        "CLOCK": _clock(env, production=name == "production"),
        # Email: without MAIL_SERVER nothing is sent (development shows it in the demo mailbox).
        # Links in emails start with BASE_URL.
        "BASE_URL": env.get("MENTORMATCH_BASE_URL", "http://127.0.0.1:5000"),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        # The demo mailbox page (/dev/mailbox) lists every queued email to anyone: development only.
        "DEV_MAILBOX": name == "development" and not env.get("MAIL_SERVER"),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": env.get("MAIL_USE_TLS", "0") == "1",
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_SENDER": env.get("MAIL_SENDER", "MentorMatch <mentormatch@localhost>"),
        # Single sign-on (web.auth.oidc, services.identity): the OpenID Connect providers by name, and the
        # email domains whose people sign in only through one (no password login, no password reset).
        "OIDC_PROVIDERS": _oidc_providers(env, production=name == "production"),
        "SSO_ONLY_DOMAINS": frozenset(_domains(env.get("MENTORMATCH_SSO_ONLY_DOMAINS", ""))),
    }
