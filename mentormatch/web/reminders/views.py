"""A person's reminder preferences, and the one-click unsubscribe links in reminder emails.

``/unsubscribe/<token>`` needs no login: the signed token names the person
and the kinds it turns off. GET shows what the link will do and asks (a mail
scanner following links changes nothing); POST does it. The POST is exempt
from CSRF because mail clients send RFC 8058's one-click POST
("List-Unsubscribe=One-Click") without any cookie; the token is the proof.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch.extensions import csrf
from mentormatch.services.reminders import preferences
from mentormatch.services.reminders.kinds import label
from mentormatch.web.reminders.forms import PreferencesForm, UnsubscribeForm

bp = Blueprint("reminders", __name__)


@bp.route("/reminders/preferences", methods=["GET", "POST"], endpoint="preferences")
@login_required
def preferences_page():
    form = PreferencesForm()
    if form.validate_on_submit():
        preferences.set_emailed_kinds(current_user, set(form.emailed.data or ()))
        flash("Your reminder choices are saved.", "success")
        return redirect(url_for("reminders.preferences"))
    if request.method == "GET":
        form.emailed.data = sorted(preferences.emailed_kinds(current_user))
    return render_template("reminders/preferences.html", form=form), 400 if form.errors else 200


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    found = preferences.read_token(token)
    if found is None:
        abort(404)
    return render_template("reminders/unsubscribe.html", found=found, labels=[label(k) for k in found.kinds],
                           form=UnsubscribeForm(), done=False)


@bp.post("/unsubscribe/<token>")
@csrf.exempt
def unsubscribe(token: str):
    found = preferences.unsubscribe(token)
    if found is None:
        abort(404)
    if request.form.get("List-Unsubscribe") == "One-Click":  # a mail client, not a person at a page
        return "Unsubscribed.\n", 200, {"Content-Type": "text/plain; charset=utf-8"}
    return render_template("reminders/unsubscribe.html", found=found, labels=[label(k) for k in found.kinds],
                           form=None, done=True)
