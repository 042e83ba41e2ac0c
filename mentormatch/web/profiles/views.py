"""Viewing and editing one's own profile (what belongs to the person in every program)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch.models import MembershipStatus
from mentormatch.services import participation
from mentormatch.services.profiles import save_profile
from mentormatch.web.profiles.forms import ProfileForm, form_data_from
from mentormatch.web.profiles.zones import legacy_note, zone_label

bp = Blueprint("profiles", __name__, url_prefix="/profile")


@bp.route("/")
@login_required
def show():
    if current_user.profile is None:
        return redirect(url_for("profiles.edit"))
    profile = current_user.profile
    return render_template("profiles/show.html", user=current_user, profile=profile,
                           zone=zone_label(profile.time_zone), zone_note=legacy_note(profile.time_zone),
                           memberships=participation.memberships_of(current_user))


@bp.route("/edit", methods=["GET", "POST"])
@login_required
def edit():
    profile = current_user.profile
    prefill = form_data_from(profile) if profile and request.method == "GET" else {}
    mentors = any(m.is_mentor and m.status != MembershipStatus.LEFT for m in current_user.memberships)
    form = ProfileForm(data=prefill or None, mentors=mentors, stored_zone=profile.time_zone if profile else None)
    if form.validate_on_submit():
        save_profile(current_user, form.to_input())
        flash("Your profile is saved.", "success")
        return redirect(url_for("profiles.show"))
    if request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("profiles/edit.html", form=form, is_new=profile is None)
