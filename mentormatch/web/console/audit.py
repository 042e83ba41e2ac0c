"""The current program's audit log, filterable by action, person and dates."""

from __future__ import annotations

from flask import current_app, render_template, request

from mentormatch.services.console import audit
from mentormatch.web.console import bp, program
from mentormatch.web.query_args import choice_arg, date_arg, page_arg, text_arg


@bp.route("/audit")
def audit_log():
    filters = audit.AuditFilter(action=choice_arg(request, "action", audit.ACTION_LABELS),
                                actor=text_arg(request, "actor"), since=date_arg(request, "since"),
                                until=date_arg(request, "until"))
    page = audit.entries_page(program(), filters, page_arg(request), current_app.config["PAGE_SIZE"])
    return render_template("console/audit.html", page=page, filters=filters, actions=audit.ACTIONS,
                           action_labels=audit.ACTION_LABELS)
