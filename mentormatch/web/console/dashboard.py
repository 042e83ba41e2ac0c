"""The program-health dashboard (served at /coordinator/ by the coordinator blueprint)."""

from __future__ import annotations

from flask import render_template

from mentormatch.services.console.stats import dashboard
from mentormatch.web.console.charts import charts_for


def render_dashboard() -> str:
    """Figures and pictures of the whole program, in a fixed number of queries."""
    board = dashboard()
    return render_template("coordinator/dashboard.html", board=board, charts=charts_for(board))
