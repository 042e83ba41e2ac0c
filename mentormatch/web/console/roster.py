"""Roster import into the current program: upload a CSV, see every row's problems, or enrol everyone in it;
and a template file to start from."""

from __future__ import annotations

from flask import Response, current_app, flash, render_template, request
from flask_login import current_user

from mentormatch.services.console import roster, roster_rows
from mentormatch.services.programs import programs_run_by
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import RosterForm
from mentormatch.web.security import accepts_uploads

MAX_BYTES = 1024 * 1024  # larger files go through `flask import-roster`
MAX_ROWS = 5000


@bp.route("/roster/import", methods=["GET", "POST"])
@accepts_uploads("roster")  # RosterForm.roster; a file in any other field is refused (web.security)
def roster_import():
    form = RosterForm()
    check = result = None
    if form.validate_on_submit():
        data = form.roster.data.read(MAX_BYTES + 1)
        check = roster.check_roster(data, program(), runs=programs_run_by(current_user), max_bytes=current_app.config.get("ROSTER_MAX_BYTES", MAX_BYTES),
                                    max_rows=current_app.config.get("ROSTER_MAX_ROWS", MAX_ROWS))
        if not check.ok:
            flash("Nobody was imported: fix the problems listed below and upload the file again.", "error")
        elif form.check_only.data:
            flash(f"The file is fine: {len(check.people)} people would be invited, {len(check.joining)} who have "
                  f"an account would be added, {len(check.existing)} are members already.", "success")
        else:
            result = roster.import_roster(check, current_user)
            flash(f"{len(result.created)} people were invited by email; {len(result.joined)} who have an account "
                  f"were added; {len(result.skipped)} were members already.", "success")
    elif request.method == "POST":
        flash(" ".join(form.roster.errors) or "Choose a CSV file.", "error")
    return render_template("console/roster.html", form=form, check=check, result=result,
                           columns=[(name, name in roster.REQUIRED, roster_rows.COLUMN_HELP[name])
                                    for name in roster.REQUIRED + roster.OPTIONAL],
                           vocabularies=roster_rows.vocabularies())


@bp.route("/roster/template.csv")
def roster_template():
    """A CSV to fill in: every column, one mentee and one mentor written as people write them."""
    return Response(roster.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="mentormatch-roster-template.csv"',
                             "Cache-Control": "no-store"})
