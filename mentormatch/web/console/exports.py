"""CSV downloads of the current program, streamed row by row."""

from __future__ import annotations

from flask import Response, render_template, stream_with_context
from flask_login import current_user

from mentormatch.services.console import exports
from mentormatch.web.console import bp, program


@bp.route("/exports/")
def exports_index():
    return render_template("console/exports.html", exports=exports.EXPORTS)


@bp.route("/exports/pairings.csv", defaults={"kind": "pairings"})
@bp.route("/exports/meetings.csv", defaults={"kind": "meetings"})
@bp.route("/exports/unmatched.csv", defaults={"kind": "unmatched"})
def export(kind: str):
    here = program()
    chunks = exports.export_csv(here, kind, current_user)
    return Response(stream_with_context(chunks), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="mentormatch-{here.slug}-{kind}.csv"',
                             "Cache-Control": "no-store"})
