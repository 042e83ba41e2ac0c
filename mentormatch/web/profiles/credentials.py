"""My credentials and licences: the credentials I hold with their dates, my state licences, adding and editing them.

Every record is reached through ``credentials.record_of(current_user, id)``:
someone else's id is not found (404).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch import domain
from mentormatch.services import credentials as service
from mentormatch.web.profiles.forms import CredentialForm, RemoveForm
from mentormatch.web.profiles.views import bp


def _profile_first():
    flash("Fill in your profile first; then add the dates of your credentials.", "info")
    return redirect(url_for("profiles.edit"))


@bp.route("/credentials")
@login_required
def credentials():
    if current_user.profile is None:
        return _profile_first()
    held, licences = service.held(current_user)
    return render_template("profiles/credentials.html", credentials=held, licences=licences,
                           remove_form=RemoveForm())


@bp.route("/credentials/new", methods=["GET", "POST"])
@login_required
def new_credential():
    if current_user.profile is None:
        return _profile_first()
    kind = request.args.get("kind", service.CREDENTIAL)
    kind = kind if kind in service.KINDS else service.CREDENTIAL
    held, licences = service.held(current_user)
    recorded = {h.code for h in (held if kind == service.CREDENTIAL else licences) if h.record is not None}
    codes = [code for code in domain.codes(service.KINDS[kind]) if code not in recorded]
    if not codes:
        flash("Every one of these is recorded already; edit it below.", "info")
        return redirect(url_for("profiles.credentials"))
    wanted = request.args.get("code", "")
    form = CredentialForm(kind=kind, codes=codes, code=wanted if wanted in codes else "")
    return _save(form, "profiles/credentials_form.html", None)


@bp.route("/credentials/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_credential(record_id: int):
    row = service.record_of(current_user, record_id)
    if row is None:
        abort(404)
    form = CredentialForm(kind=row.kind, obj=row if request.method == "GET" else None)
    return _save(form, "profiles/credentials_form.html", row)


def _save(form: CredentialForm, template: str, row):
    error = None
    if form.validate_on_submit():
        try:
            saved = service.record_credential(current_user, form.to_input(row.code if row else None))
        except service.CredentialError as problem:
            error = str(problem)
        else:
            flash(f"{service.label(saved.kind, saved.code)} is saved.", "success")
            return redirect(url_for("profiles.credentials"))
    if request.method == "POST":
        flash(error or "Some answers need another look; see the messages beside the fields.", "error")
    return render_template(template, form=form, row=row, error=error,
                           name=service.label(row.kind, row.code) if row else None)


@bp.route("/credentials/<int:record_id>/remove", methods=["POST"])
@login_required
def remove_credential(record_id: int):
    row = service.record_of(current_user, record_id)
    if row is None:
        abort(404)
    if not RemoveForm().validate_on_submit():
        abort(400)
    name, kind = service.label(row.kind, row.code), row.kind
    service.remove_record(current_user, row)
    flash(f"{name} is removed from your {'licences' if kind == service.LICENCE else 'credentials'}.", "success")
    return redirect(url_for("profiles.credentials"))
