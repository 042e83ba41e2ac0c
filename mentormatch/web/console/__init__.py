"""The coordinator area (under /coordinator): dashboard, queues, rounds, pairing by hand, people,
roster import, exports, CE certificates and the audit log, with one navigation (templates/console/_nav.html).

One blueprint, its views split by feature. Every view is for coordinators
only (the blueprint checks that before any of them runs) and works on
``coordinated_program()``: the program the coordinator chose in the
navigation's switcher. Records reached by id (a person, a match, a round, an
agreement) that are not in that program are not found (404).
"""

from flask import Blueprint, abort
from flask_login import current_user

from mentormatch import domain
from mentormatch.extensions import login_manager
from mentormatch.models import Program
from mentormatch.web.access import coordinated_program

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.before_request
def coordinators_only():
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if coordinated_program() is None:
        abort(403)
    return None


def program() -> Program:
    """The program this request works on (the before-request check made sure there is one)."""
    found = coordinated_program()
    if found is None:  # pragma: no cover - coordinators_only ran first
        abort(403)
    return found


@bp.context_processor
def vocabularies() -> dict:
    """The fixed lists the console's filters offer, and the program every page is about."""
    return {"specialty_choices": domain.SPECIALTIES, "role_choices": domain.PROGRAM_ROLES,
            "decline_choices": domain.DECLINE_REASONS, "membership_status_choices": domain.MEMBERSHIP_STATUSES,
            "console_program": coordinated_program()}


from mentormatch.web.console import (  # noqa: E402,F401  (registers views)
    audit, certificates, dashboard, escalations, exports, messages, outcome_report, pairs, people, queues, roster,
    rounds, surveys,
)

__all__ = ["bp", "program"]
