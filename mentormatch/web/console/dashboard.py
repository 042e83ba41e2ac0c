"""The program-health dashboard, the coordinator area's home page, and its career outcome lists."""

from __future__ import annotations

from flask import current_app, render_template, request

from mentormatch.services.console import outcomes
from mentormatch.services.console.stats import dashboard as figures
from mentormatch.web.console import bp, program
from mentormatch.web.console.charts import charts_for
from mentormatch.web.query_args import page_arg


@bp.route("/")
def dashboard():
    """Figures and pictures of the current program, in a fixed number of queries."""
    board = figures(program())
    return render_template("console/dashboard.html", board=board, charts=charts_for(board))


@bp.route("/credentials/earned")
def credentials_earned():
    """Credentials the program's members earned while in it, the latest first."""
    page = outcomes.earned_during(program(), page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("console/credentials_earned.html", page=page)


@bp.route("/credentials/expiring")
def credentials_expiring():
    """Participants' credentials and licences that expire in the next 90 days, the soonest first."""
    page = outcomes.expiring_soon(program(), page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("console/credentials_expiring.html", page=page, days=outcomes.EXPIRY_DAYS)
