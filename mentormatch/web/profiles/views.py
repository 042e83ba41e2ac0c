"""Viewing and editing one's own profile."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.models import Permission
from mentormatch.services.profiles import save_profile
from mentormatch.web.access import permission_required
from mentormatch.web.profiles.forms import form_data_from, form_for

bp = Blueprint("profiles", __name__, url_prefix="/profile")


@bp.route("/")
@permission_required(Permission.HAVE_PROFILE)
def show():
    if current_user.profile is None:
        return redirect(url_for("profiles.edit"))
    return render_template("profiles/show.html", user=current_user, profile=current_user.profile)


@bp.route("/edit", methods=["GET", "POST"])
@permission_required(Permission.HAVE_PROFILE)
def edit():
    profile = current_user.profile
    prefill = form_data_from(profile) if profile and request.method == "GET" else {}
    form = form_for(current_user.role, data=prefill or None)
    if form.validate_on_submit():
        save_profile(current_user, form.to_input())
        flash("Your profile is saved.", "success")
        return redirect(url_for("profiles.show"))
    if request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("profiles/edit.html", form=form, is_new=profile is None)
