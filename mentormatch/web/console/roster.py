"""Roster import: upload a CSV, see every row's problems, or invite everyone in it."""

from __future__ import annotations

from flask import current_app, flash, render_template, request
from flask_login import current_user

from mentormatch.services.console import roster
from mentormatch.web.console import bp
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
        check = roster.check_roster(data, max_bytes=current_app.config.get("ROSTER_MAX_BYTES", MAX_BYTES),
                                    max_rows=current_app.config.get("ROSTER_MAX_ROWS", MAX_ROWS))
        if not check.ok:
            flash("Nobody was imported: fix the problems listed below and upload the file again.", "error")
        elif form.check_only.data:
            flash(f"The file is fine: {len(check.people)} people would be invited, "
                  f"{len(check.existing)} are in the program already.", "success")
        else:
            result = roster.import_roster(check, current_user)
            flash(f"{len(result.created)} people were invited by email; "
                  f"{len(result.skipped)} were in the program already.", "success")
    elif request.method == "POST":
        flash(" ".join(form.roster.errors) or "Choose a CSV file.", "error")
    return render_template("console/roster.html", form=form, check=check, result=result,
                           columns=roster.REQUIRED + roster.OPTIONAL)
