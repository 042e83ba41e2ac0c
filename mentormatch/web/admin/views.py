"""Site administration: programs, and who coordinates each. Every action is in the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.models import Program
from mentormatch.services import programs
from mentormatch.web.access import admin_required, program_or_404
from mentormatch.web.admin.forms import AppointForm, ProgramForm, RemoveCoordinatorForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_required
def index():
    return render_template("admin/index.html", programs=programs.programs_with_coordinators())


def _save_program(form: ProgramForm, save, done: str, program: Program | None = None):
    """Create or change a program from ``form``: on success to its page, else the form again with messages."""
    if form.validate_on_submit():
        try:
            saved = save(form.to_input())
        except programs.ProgramError as error:
            form.slug.errors = [*form.slug.errors, str(error)]
        else:
            flash(done.format(name=saved.name), "success")
            return redirect(url_for("admin.program", program_id=saved.id))
    if request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("admin/program_new.html", form=form, program=program)


@bp.route("/programs/new", methods=["GET", "POST"])
@admin_required
def new_program():
    form = ProgramForm(data=programs.matching_defaults()) if request.method == "GET" else ProgramForm()
    return _save_program(form, lambda data: programs.create_program(data, by=current_user),
                         "{name} is created. Appoint its coordinators next.")


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_program(program_id: int):
    """The program's settings, as when it was created; new rules apply from now on."""
    found = program_or_404(program_id)
    form = ProgramForm(obj=found) if request.method == "GET" else ProgramForm()
    return _save_program(form, lambda data: programs.update_program(found, data, by=current_user),
                         "The settings of {name} are saved.", program=found)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@admin_required
def program(program_id: int):
    """The program's settings and coordinators; POST appoints one by the email of an existing account.

    Appointing asks first: the first POST shows who the address belongs to and what they will be able
    to do; only that page's POST (``confirm=y``) appoints them.
    """
    found = program_or_404(program_id)
    form = AppointForm()
    if form.validate_on_submit():
        try:
            user = (programs.appoint_by_email(found, form.email.data, by=current_user) if form.confirm.data
                    else programs.find_appointee(found, form.email.data))
        except programs.ProgramError as error:
            form.email.errors = [*form.email.errors, str(error)]
        else:
            if not form.confirm.data:
                return render_template("admin/appoint.html", program=found, user=user, form=form)
            flash(f"{user.name} now coordinates {found.name}.", "success")
            return redirect(url_for("admin.program", program_id=found.id))
    return render_template("admin/program.html", program=found, form=form, remove_form=RemoveCoordinatorForm(),
                           members=programs.member_counts(found))


@bp.route("/programs/<int:program_id>/coordinators/<int:user_id>/remove", methods=["GET", "POST"])
@admin_required
def remove_coordinator(program_id: int, user_id: int):
    """GET asks for confirmation; POST removes the appointment."""
    found = program_or_404(program_id)
    user = programs.coordinator_of(found, user_id)
    if user is None:
        abort(404)
    form = RemoveCoordinatorForm()
    if request.method == "POST" and form.validate_on_submit() and form.confirm.data:
        programs.remove_coordinator(found, user, by=current_user)
        flash(f"{user.name} no longer coordinates {found.name}.", "success")
        return redirect(url_for("admin.program", program_id=found.id))
    return render_template("admin/remove_coordinator.html", program=found, user=user, form=form)
