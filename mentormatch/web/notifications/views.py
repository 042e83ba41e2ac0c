"""Listing and clearing notifications."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from mentormatch.services import notifications
from mentormatch.web.matches.forms import ConfirmForm
from mentormatch.web.query_args import page_arg

bp = Blueprint("notifications", __name__, url_prefix="/notifications")


@bp.route("/")
@login_required
def index():
    page = notifications.notifications_page(current_user, page_arg(request),
                                            current_app.config["PAGE_SIZE"])
    return render_template("notifications/index.html", page=page, form=ConfirmForm())


@bp.route("/<int:notification_id>")
@login_required
def open(notification_id: int):
    """Opening a notification marks it read and leads to what it is about."""
    path = notifications.open_notification(current_user, notification_id)
    if path is None:
        abort(404)
    return redirect(path or url_for("notifications.index"))


@bp.route("/read", methods=["POST"])
@login_required
def mark_read():
    if ConfirmForm().validate_on_submit():
        notifications.mark_all_read(current_user)
        flash("All notifications are marked as read.", "info")
    return redirect(url_for("notifications.index"))
