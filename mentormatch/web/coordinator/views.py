"""Coordinator pages."""

from __future__ import annotations

from flask import Blueprint, render_template

from mentormatch.models import Permission
from mentormatch.services.program import program_summary
from mentormatch.web.access import permission_required

bp = Blueprint("coordinator", __name__, url_prefix="/coordinator")


@bp.route("/")
@permission_required(Permission.COORDINATE)
def dashboard():
    return render_template("coordinator/dashboard.html", summary=program_summary())
