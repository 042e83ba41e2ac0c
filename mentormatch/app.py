"""The application factory."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any, Mapping

from flask import Flask

from mentormatch.config import load_config
from mentormatch.extensions import configure_sqlite, csrf, db, limiter, login_manager, migrate, queue

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """Build a MentorMatch app; ``config`` overrides what the environment says."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        instance_path=str(ROOT / "instance"),
        instance_relative_config=True,
    )
    app.config.from_mapping(load_config(app.instance_path, environ=_environ_for(config)))
    if config:
        app.config.from_mapping(config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    register_extensions(app)
    register_tasks(app)
    register_blueprints(app)
    register_security(app)
    register_cli(app)
    register_logging(app)
    if app.config["MATCHING_WARMUP"]:
        from mentormatch.matching.warmup import warm_in_background

        app.extensions["matching_warmup"] = warm_in_background()
    return app


def _environ_for(config: Mapping[str, Any] | None) -> dict[str, str] | None:
    """Tests pass ``MENTORMATCH_ENV`` in their mapping; honour it before loading."""
    import os

    if config and "MENTORMATCH_ENV" in config:
        return {**os.environ, "MENTORMATCH_ENV": config["MENTORMATCH_ENV"]}
    return None


def register_extensions(app: Flask) -> None:
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite"):
        configure_sqlite()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Please log in to see that page."
    login_manager.login_message_category = "info"

    from mentormatch.services.sessions import user_for_token

    # The cookies carry a session token (User.get_id), looked up with the user in one query.
    login_manager.user_loader(user_for_token)


def register_tasks(app: Flask) -> None:
    from mentormatch.tasks import accounts, automation, mail, messages, schedule  # noqa: F401  (declares the tasks)

    queue.init_app(app)
    mail.watch_commits()


def register_blueprints(app: Flask) -> None:
    from mentormatch.web import (admin, agreements, auth, certificates, console, main, matches, messages,
                                 notifications, profiles, programs, reminders, scim, surveys)
    from mentormatch.web.security import IdConverter
    from mentormatch.web.templating import template_globals
    from mentormatch.web.times import local_time

    app.url_map.converters["int"] = IdConverter  # before the rules are added: each binds its converter then
    # console is the coordinator area (its blueprint is named "coordinator", under /coordinator)
    for module in (main, auth, profiles, programs, matches, messages, agreements, notifications, console, admin,
                   scim, certificates, reminders, surveys):
        app.register_blueprint(module.bp)
    if app.config["DEV_MAILBOX"]:
        from mentormatch.web import devmail

        app.register_blueprint(devmail.bp)
    app.context_processor(template_globals)
    app.add_template_filter(local_time)


def register_security(app: Flask) -> None:
    from mentormatch.web.errors import register_error_handlers
    from mentormatch.web.security import add_security_headers, reject_nul_characters, reject_unexpected_files
    from mentormatch.web.sessions import CookieSessionInterface

    register_error_handlers(app)
    app.session_interface = CookieSessionInterface()
    app.before_request(reject_unexpected_files)
    app.before_request(reject_nul_characters)
    app.after_request(add_security_headers)
    if app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N proxies the client's address and scheme are the Nth from the right of X-Forwarded-*.
        hops = app.config["TRUSTED_PROXIES"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)


def register_cli(app: Flask) -> None:
    from mentormatch.cli import commands
    from mentormatch.cli_console import commands as console_commands
    from mentormatch.cli_identity import commands as identity_commands

    for command in (*commands, *console_commands, *identity_commands):
        app.cli.add_command(command)


def register_logging(app: Flask) -> None:
    if app.config["ENV_NAME"] == "production":
        from mentormatch.log_format import log_json_to_stdout

        log_json_to_stdout()
    elif not app.testing:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
