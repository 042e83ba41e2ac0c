"""Messages the pairs of the current program reported: each shown alone, never the rest of its thread."""

from __future__ import annotations

from flask import abort, render_template, request

from mentormatch.services import messages
from mentormatch.web.console import bp, program
from mentormatch.web.query_args import page_arg


@bp.route("/messages/reported")
def reported_messages():
    page = messages.reported_messages(program(), page_arg(request))
    return render_template("console/reported_messages.html", page=page)


@bp.route("/messages/<int:message_id>")
def reported_message(message_id: int):
    message = messages.reported_message(program(), message_id)
    if message is None:
        abort(404)  # a message nobody reported stays private to its pair
    return render_template("console/reported_message.html", message=message)
