"""Landing page and each person's home: their memberships and what to do next in each."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from mentormatch import clock, domain
from mentormatch.services import participation, programs, surveys
from mentormatch.services.health import database_ok
from mentormatch.web.access import current_program

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html", specialties=domain.SPECIALTIES, goals=domain.CAREER_GOALS)


@bp.route("/home")
@login_required
def home():
    summaries = participation.overview(current_user)
    if not summaries and current_user.is_coordinator:
        # A pure coordinator works in the coordinator area; an administrator with no program yet creates one.
        if current_user.is_admin and not programs.all_programs():
            return redirect(url_for("admin.index"))
        return redirect(url_for("coordinator.dashboard"))
    program = current_program()
    current_id = program.id if program is not None else None
    summaries.sort(key=lambda s: s.program.id != current_id)  # the program worked in first
    return render_template(
        "main/home.html", profile=current_user.profile, summaries=summaries, current_id=current_id,
        shown=participation.SHOWN, open_programs=[] if summaries else programs.open_programs(current_user),
        open_surveys=surveys.due_for(current_user, clock.now()) if summaries else [])


@bp.route("/healthz")
def health():
    """For load balancers: 200 when the app can reach its database, else 503."""
    ok = database_ok()
    return jsonify(status="ok" if ok else "unavailable", database="ok" if ok else "unreachable"), 200 if ok else 503
