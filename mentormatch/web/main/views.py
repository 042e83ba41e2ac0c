"""Landing page and role-aware home."""

from __future__ import annotations

from flask import Blueprint, jsonify, redirect, render_template, url_for
from flask_login import current_user, login_required

from mentormatch import domain
from mentormatch.services.agreements import pairs_of
from mentormatch.services.health import database_ok

bp = Blueprint("main", __name__)


@bp.route("/")
def index():
    return render_template("main/index.html", specialties=domain.SPECIALTIES, goals=domain.CAREER_GOALS)


@bp.route("/home")
@login_required
def home():
    if current_user.is_coordinator:
        return redirect(url_for("coordinator.dashboard"))
    return render_template("main/home.html", profile=current_user.profile, pairs=pairs_of(current_user))


@bp.route("/healthz")
def health():
    """For load balancers: 200 when the app can reach its database, else 503."""
    ok = database_ok()
    return jsonify(status="ok" if ok else "unavailable", database="ok" if ok else "unreachable"), 200 if ok else 503
