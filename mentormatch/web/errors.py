"""The app's own error pages; no stack trace ever reaches a user, and no submitted value reaches the log."""

from __future__ import annotations

import traceback

from flask import Flask, has_request_context, render_template, request
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError, PendingRollbackError, StatementError
from werkzeug.exceptions import HTTPException

from mentormatch.extensions import db

# Submitted values shorter than this stay in log lines: redacting "1" or "y" would garble them.
SHORTEST_REDACTED = 4


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_template("errors/error.html", code=400, title="Form expired",
                               message="The form was missing its security token or it expired. "
                                       "Go back, reload the page and try again."), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        titles = {403: "Not allowed", 404: "Page not found", 429: "Too many attempts"}
        messages = {
            403: "Your account does not have access to this page.",
            404: "We could not find that page. It may have moved or you may not have access to it.",
            429: "Too many attempts in a short time. Wait a minute and try again.",
        }
        code = error.code or 500
        return render_template(
            "errors/error.html", code=code,
            title=titles.get(code, error.name),
            message=messages.get(code, error.description),
        ), code

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        db.session.rollback()
        if _database_unavailable(error):
            # The database restarted or cannot be reached: a dead pooled connection discards
            # the pool, so a later request connects afresh. Nothing of this request was saved.
            app.logger.warning("database unavailable: %s", describe(error))
            # Rendered without the context processors: they load the logged-in user from the database.
            page = app.jinja_env.get_template("errors/unavailable.html").render()
            return page, 503, {"Retry-After": "1"}
        if isinstance(error, IntegrityError):
            # A rule the database keeps, broken first by a request at the same moment that no use
            # case's lock covered: nothing of this one was saved, and a reload shows the other's.
            app.logger.error("refused by the database\n%s", traceback_of(error))
            return render_template(
                "errors/error.html", code=409, title="Changed at the same moment",
                message="This was changed at the same moment, in another window or by someone else, "
                        "so nothing you sent was saved. Reload the page and try again.",
            ), 409
        app.logger.error("unhandled error\n%s", traceback_of(error))
        return render_template(
            "errors/error.html", code=500, title="Something went wrong",
            message="The error has been logged. Please try again in a moment.",
        ), 500


def _database_unavailable(error: Exception) -> bool:
    """Whether ``error`` means the database could not be reached (so trying again later may work)."""
    if isinstance(error, DBAPIError):
        return error.connection_invalidated or isinstance(error, OperationalError)
    # A session whose connection died mid-request refuses further work until rolled back.
    return isinstance(error, PendingRollbackError)


def describe(error: BaseException) -> str:
    """One line about ``error`` for the log, without the values a form submitted.

    A database error says which statement failed and which constraint, never its
    parameters (the engine hides them too: config ``hide_parameters``) nor
    PostgreSQL's message, whose DETAIL can quote the whole row ("Failing row
    contains ..."). Any other error keeps its message, minus submitted values.
    """
    if isinstance(error, StatementError):
        orig = getattr(error, "orig", None)
        diag = getattr(orig, "diag", None)
        facts = [f"{type(error).__name__} ({type(orig).__name__})"]
        if (code := getattr(orig, "sqlstate", None)) is not None:
            facts.append(f"sqlstate {code}")
        if diag is not None and diag.constraint_name:
            facts.append(f"constraint {diag.constraint_name} on {diag.table_name}")
        elif diag is None and str(orig or ""):  # SQLite: its message names the constraint, never a value
            facts.append(_without_form_values(str(orig).splitlines()[0]))
        facts.append(f"in: {' '.join((error.statement or '').split())[:500]}")
        return "; ".join(facts)
    return _without_form_values(f"{type(error).__name__}: {error}")


def traceback_of(error: BaseException) -> str:
    """The frames of ``error`` and of the errors it came from, each described by ``describe``."""
    parts, seen = [], error
    while seen is not None and len(parts) < 10:
        parts.append("".join(traceback.format_tb(seen.__traceback__)) + describe(seen))
        seen = seen.__cause__ or seen.__context__
    return "\n\nThe above came from:\n".join(parts)


def _without_form_values(text: str) -> str:
    if not has_request_context():
        return text
    try:
        values = {value for _, value in request.form.items(multi=True)}
    except Exception:  # noqa: BLE001 - the form itself could not be read: nothing to redact
        return text
    for value in sorted(values, key=len, reverse=True):
        for shown in {value, value.strip(), repr(value)[1:-1]}:
            if len(shown) >= SHORTEST_REDACTED:
                text = text.replace(shown, "[a submitted value]")
    return text
