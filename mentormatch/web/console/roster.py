"""Roster import into the current program: upload a CSV, see every row's problems, or enrol everyone in it;
a full sync (the file is the whole roster: a preview of who leaves, then the same file again to confirm);
and a template file to start from."""

from __future__ import annotations

from flask import Response, current_app, flash, render_template, request
from flask_login import current_user

from mentormatch.services.console import roster, roster_rows, roster_sync
from mentormatch.services.programs import programs_run_by
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import RosterForm
from mentormatch.web.security import accepts_uploads

MAX_BYTES = 1024 * 1024  # larger files go through `flask import-roster`
MAX_ROWS = 5000
SHOWN = 200  # leavers listed on the preview; the command line lists every one


def _full_sync(form: RosterForm, check: roster.RosterCheck) -> tuple[roster_sync.SyncPlan | None,
                                                                       roster_sync.SyncResult | None]:
    """The preview of a full sync, or, when the form confirms the preview's digest, the sync itself."""
    if not form.sync_digest.data:
        plan = roster_sync.plan_sync(check)
        if plan.problem:
            flash(plan.problem, "error")
        return plan, None
    if not form.confirm_sync.data:
        flash("Nothing was changed: tick the box to confirm who leaves, and choose the file again.", "error")
        return roster_sync.plan_sync(check), None
    try:
        synced = roster_sync.sync_roster(check, current_user, form.sync_digest.data,
                                         large_confirmed=form.confirm_large.data)
    except roster_sync.SyncRefused as refused:
        flash(str(refused), "error")
        return refused.plan, None
    flash(f"{len(synced.imported.created)} people were invited by email; {len(synced.imported.joined)} who have an "
          f"account were added; {len(synced.imported.skipped)} were members already; {len(synced.left)} not in the "
          f"file left {program().name}.", "success")
    return None, synced


@bp.route("/roster/import", methods=["GET", "POST"])
@accepts_uploads("roster")  # RosterForm.roster; a file in any other field is refused (web.security)
def roster_import():
    form = RosterForm()
    check = result = plan = synced = None
    if form.validate_on_submit():
        data = form.roster.data.read(MAX_BYTES + 1)
        check = roster.check_roster(data, program(), runs=programs_run_by(current_user), max_bytes=current_app.config.get("ROSTER_MAX_BYTES", MAX_BYTES),
                                    max_rows=current_app.config.get("ROSTER_MAX_ROWS", MAX_ROWS))
        if not check.ok:
            flash("Nobody was imported: fix the problems listed below and upload the file again.", "error")
        elif form.full.data:
            plan, synced = _full_sync(form, check)
            result = synced.imported if synced else None
        elif form.check_only.data:
            flash(f"The file is fine: {len(check.people)} people would be invited, {len(check.joining)} who have "
                  f"an account would be added, {len(check.existing)} are members already.", "success")
        else:
            result = roster.import_roster(check, current_user)
            flash(f"{len(result.created)} people were invited by email; {len(result.joined)} who have an account "
                  f"were added; {len(result.skipped)} were members already.", "success")
    elif request.method == "POST":
        flash(" ".join(form.roster.errors) or "Choose a CSV file.", "error")
    # The confirmation form carries the digest of the plan shown, nothing ticked; the upload form no digest.
    form.sync_digest.data = plan.digest if plan is not None else ""
    form.confirm_sync.data = form.confirm_large.data = False
    if plan is not None:
        form.roster.description = "Choose the same file again: the list above is checked against it."
    return render_template("console/roster.html", form=form, check=check, result=result, plan=plan, synced=synced,
                           shown=SHOWN,
                           columns=[(name, name in roster.REQUIRED, roster_rows.COLUMN_HELP[name])
                                    for name in roster.REQUIRED + roster.OPTIONAL],
                           vocabularies=roster_rows.vocabularies())


@bp.route("/roster/template.csv")
def roster_template():
    """A CSV to fill in: every column, one mentee and one mentor written as people write them."""
    return Response(roster.template_csv(), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="mentormatch-roster-template.csv"',
                             "Cache-Control": "no-store"})
