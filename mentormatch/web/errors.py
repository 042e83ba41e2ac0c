"""The app's own error pages; no stack trace ever reaches a user."""

from __future__ import annotations

from flask import Flask, render_template
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, PendingRollbackError
from werkzeug.exceptions import HTTPException

from mentormatch.extensions import db


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
            app.logger.warning("database unavailable: %s", error)
            # Rendered without the context processors: they load the logged-in user from the database.
            page = app.jinja_env.get_template("errors/unavailable.html").render()
            return page, 503, {"Retry-After": "1"}
        app.logger.exception("unhandled error")
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
