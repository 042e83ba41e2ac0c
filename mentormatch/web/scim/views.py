"""The /scim/v2 endpoint: a bearer token names the provider; scim2-server serves the protocol.

Only the ``Authorization: Bearer`` header authenticates here, never a cookie,
so the JSON API is exempt from CSRF (a browser cannot add that header to a
cross-site request). Every answer, errors included, is a SCIM JSON body.
"""

from __future__ import annotations

import json

from flask import Blueprint, Response, current_app, request
from scim2_models import Error, SCIMException, UnauthorizedException
from scim2_server.handler import ScimHandler
from scim2_server.requests import ScimRequest
from scim2_server.responses import ScimResponse
from werkzeug.exceptions import HTTPException

from mentormatch.extensions import csrf, db
from mentormatch.services import scim
from mentormatch.web.errors import traceback_of

bp = Blueprint("scim", __name__, url_prefix="/scim/v2")
csrf.exempt(bp)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


def _bearer_token() -> str:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


@bp.route("/", defaults={"path": ""}, methods=METHODS)
@bp.route("/<path:path>", methods=METHODS)
def endpoint(path: str) -> Response:
    """Every SCIM request: authenticate, then let scim2-server route and answer it over ``scim.Storage``."""
    try:
        provider = scim.provider_for_token(_bearer_token())
        if provider is None:
            raise UnauthorizedException(detail="A valid bearer token is required.")
        answer = ScimHandler(scim.SERVICE, scim.Storage(provider)).handle(ScimRequest(
            method=request.method, base_url=current_app.config["BASE_URL"].rstrip("/") + bp.url_prefix,
            path=f"/{path}", query=request.args.to_dict(), headers=list(request.headers.items()),
            body=request.get_data()))
    except SCIMException as error:
        db.session.rollback()
        answer = scim.SERVICE.error_response(error)
    except HTTPException:
        raise  # http_error answers it
    except Exception as error:  # a bug or the database: logged without the values sent, never shown
        db.session.rollback()
        current_app.logger.error("SCIM request failed\n%s", traceback_of(error))
        answer = scim.SERVICE.error_response(error)
    return _response(answer)


@bp.errorhandler(HTTPException)
def http_error(error: HTTPException) -> Response:
    """A SCIM error for what Flask refuses, such as a body over MAX_CONTENT_LENGTH (413)."""
    return _response(scim.SERVICE.error_response(
        SCIMException.from_error(Error(status=error.code or 500, detail=error.description))))


def _response(answer: ScimResponse) -> Response:
    body = json.dumps(answer.body) if answer.body is not None else None
    return Response(body, status=answer.status, headers=answer.headers)
