"""The program's outcome report: a page with figures and charts, and the same figures as a CSV file."""

from __future__ import annotations

from flask import Response, render_template

from mentormatch import clock
from mentormatch.services.console import outcome_report
from mentormatch.web.console import bp, program
from mentormatch.web.console.charts import outcome_charts


@bp.route("/outcome-report", endpoint="outcome_report")
def outcome_report_page():
    """What the current program achieved so far, counted from its raw rows (a fixed number of queries)."""
    report = outcome_report.report(program(), clock.now())
    return render_template("console/outcome_report.html", report=report,
                           charts=[] if report.is_empty else outcome_charts(report),
                           survey_cells=outcome_report.survey_cells, percent=outcome_report.percent,
                           days_text=outcome_report.days_text)


@bp.route("/outcome-report.csv", endpoint="outcome_report_csv")
def outcome_report_csv():
    """The same figures, and the monthly series, as a spreadsheet file."""
    here = program()
    report = outcome_report.report(here, clock.now())
    return Response(outcome_report.csv_text(report), mimetype="text/csv",
                    headers={"Content-Disposition":
                             f'attachment; filename="mentormatch-{here.slug}-outcomes-{report.on.isoformat()}.csv"',
                             "Cache-Control": "no-store"})
