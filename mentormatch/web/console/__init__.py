"""The coordinator console: review queues, people, roster import, exports and the audit log.

One blueprint, its views split by feature. Every view is for coordinators
only: the blueprint checks that before any of them runs.
"""

from flask import Blueprint, abort
from flask_login import current_user

from mentormatch import domain
from mentormatch.extensions import login_manager
from mentormatch.models import Permission

bp = Blueprint("console", __name__, url_prefix="/coordinator")


@bp.before_request
def coordinators_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.can(Permission.COORDINATE):
        abort(403)
    return None


@bp.context_processor
def vocabularies() -> dict:
    """The fixed lists the console's filters offer."""
    return {"specialty_choices": domain.SPECIALTIES, "role_choices": domain.ROLES,
            "decline_choices": domain.DECLINE_REASONS}


from mentormatch.web.console import audit, exports, people, queues, roster  # noqa: E402,F401  (registers views)

__all__ = ["bp"]
