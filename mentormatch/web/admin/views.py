"""Site administration: programs, and who coordinates each. Every action is in the audit log."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import Program, User
from mentormatch.services import accounts, programs
from mentormatch.web.access import admin_required, program_or_404
from mentormatch.web.admin.forms import AppointForm, ProgramForm, RemoveCoordinatorForm

bp = Blueprint("admin", __name__, url_prefix="/admin")


@bp.route("/")
@admin_required
def index():
    listed = db.session.scalars(db.select(Program).options(selectinload(Program.coordinators))
                                .order_by(Program.name, Program.id)).all()
    return render_template("admin/index.html", programs=listed)


@bp.route("/programs/new", methods=["GET", "POST"])
@admin_required
def new_program():
    form = ProgramForm()
    if request.method == "GET":  # the installation's defaults
        config = current_app.config
        form.max_open_requests.data = config["MAX_OPEN_REQUESTS"]
        form.expiry_days.data = config["MATCH_EXPIRY_DAYS"]
        form.suggestions.data = config["SUGGESTIONS"]
    if form.validate_on_submit():
        try:
            program = programs.create_program(form.to_input(), by=current_user)
        except programs.ProgramError as error:
            form.slug.errors = [*form.slug.errors, str(error)]
        else:
            flash(f"{program.name} is created. Appoint its coordinators next.", "success")
            return redirect(url_for("admin.program", program_id=program.id))
    if request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("admin/program_new.html", form=form)


@bp.route("/programs/<int:program_id>/edit", methods=["GET", "POST"])
@admin_required
def edit_program(program_id: int):
    """The program's settings, as when it was created; new rules apply from now on."""
    found = program_or_404(program_id)
    form = ProgramForm(obj=found) if request.method == "GET" else ProgramForm()
    if form.validate_on_submit():
        try:
            programs.update_program(found, form.to_input(), by=current_user)
        except programs.ProgramError as error:
            form.slug.errors = [*form.slug.errors, str(error)]
        else:
            flash(f"The settings of {found.name} are saved.", "success")
            return redirect(url_for("admin.program", program_id=found.id))
    if request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("admin/program_new.html", form=form, program=found)


@bp.route("/programs/<int:program_id>", methods=["GET", "POST"])
@admin_required
def program(program_id: int):
    """The program's settings and coordinators; POST appoints one by the email of an existing account."""
    found = program_or_404(program_id)
    form = AppointForm()
    if form.validate_on_submit():
        user = accounts.find_user_by_email(form.email.data)
        if user is None or user.deleted_at is not None or not user.active:
            form.email.errors = [*form.email.errors, "No active account uses that address; the person signs up "
                                                     "first (or run flask create-coordinator)."]
        else:
            programs.appoint_coordinator(found, user, by=current_user)
            flash(f"{user.name} now coordinates {found.name}.", "success")
            return redirect(url_for("admin.program", program_id=found.id))
    return render_template("admin/program.html", program=found, form=form, remove_form=RemoveCoordinatorForm(),
                           members=_member_counts(found))


@bp.route("/programs/<int:program_id>/coordinators/<int:user_id>/remove", methods=["GET", "POST"])
@admin_required
def remove_coordinator(program_id: int, user_id: int):
    """GET asks for confirmation; POST removes the appointment."""
    found = program_or_404(program_id)
    user = db.session.get(User, user_id)
    if user is None or all(c.id != user.id for c in found.coordinators):
        abort(404)
    form = RemoveCoordinatorForm()
    if request.method == "POST" and form.validate_on_submit():
        programs.remove_coordinator(found, user, by=current_user)
        flash(f"{user.name} no longer coordinates {found.name}.", "success")
        return redirect(url_for("admin.program", program_id=found.id))
    return render_template("admin/remove_coordinator.html", program=found, user=user, form=form)


def _member_counts(program) -> dict[str, int]:
    from mentormatch.models import Membership, MembershipStatus

    rows = db.session.execute(
        db.select(Membership.role, db.func.count()).where(Membership.program_id == program.id,
                                                          Membership.status != MembershipStatus.LEFT)
        .group_by(Membership.role)).all()
    return {role: count for role, count in rows}
