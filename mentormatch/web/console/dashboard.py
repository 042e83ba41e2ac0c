"""The program-health dashboard, the coordinator area's home page."""

from __future__ import annotations

from flask import render_template

from mentormatch.services.console.stats import dashboard as figures
from mentormatch.web.console import bp, program
from mentormatch.web.console.charts import charts_for


@bp.route("/")
def dashboard():
    """Figures and pictures of the current program, in a fixed number of queries."""
    board = figures(program())
    return render_template("console/dashboard.html", board=board, charts=charts_for(board))
