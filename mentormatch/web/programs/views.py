"""Programs: my memberships, the programs open to me, joining one, editing my answers, switching."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch.models import MembershipStatus, ProgramRole
from mentormatch.models.user import utcnow
from mentormatch.services import participation, programs
from mentormatch.web.access import choose_program, program_or_404
from mentormatch.web.programs.forms import MembershipForm, SwitchForm, membership_data
from mentormatch.web.security import safe_next_url

bp = Blueprint("programs", __name__, url_prefix="/programs")


def _open_sides(program) -> list[str]:
    today = utcnow().date()
    return [side for side in (ProgramRole.MENTEE, ProgramRole.MENTOR) if program.is_open_to(side, today)]


@bp.route("/")
@login_required
def index():
    return render_template("programs/index.html", memberships=participation.memberships_of(current_user),
                           open_programs=programs.open_programs(current_user),
                           coordinated=programs.programs_run_by(current_user) if current_user.is_coordinator else [])


@bp.route("/<int:program_id>/join", methods=["GET", "POST"])
@login_required
def join(program_id: int):
    program = program_or_404(program_id)
    mine = current_user.membership_in(program.id)
    if mine is not None and mine.status != MembershipStatus.LEFT:
        flash(f"You are already a {mine.role} in {program.name}.", "info")
        return redirect(url_for("programs.index"))
    sides = _open_sides(program)
    if not sides:
        flash(f"{program.name} is not open for joining; its coordinator adds people.", "error")
        return redirect(url_for("programs.index"))
    form = MembershipForm(sides=sides)
    if form.validate_on_submit():
        try:
            programs.join(current_user, program, form.to_input())
        except programs.ProgramError as error:
            flash(str(error), "error")
        else:
            choose_program(program.id)
            flash(f"Welcome to {program.name}.", "success")
            return redirect(url_for("main.home"))
    elif request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("programs/join.html", form=form, program=program)


@bp.route("/<int:program_id>/membership", methods=["GET", "POST"])
@login_required
def membership(program_id: int):
    program = program_or_404(program_id)
    mine = current_user.membership_in(program.id)
    if mine is None or mine.status == MembershipStatus.LEFT:
        abort(404)
    prefill = membership_data(mine) if request.method == "GET" else None
    form = MembershipForm(role=mine.role, data=prefill)
    if form.validate_on_submit():
        programs.update_membership(mine, form.to_input())
        flash(f"Your answers for {program.name} are saved.", "success")
        return redirect(url_for("main.home"))
    if request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("programs/membership.html", form=form, program=program, membership=mine)


@bp.route("/switch", methods=["POST"])
@login_required
def switch():
    form = SwitchForm()
    if not form.validate_on_submit():
        abort(404)
    program_id = form.program_id.data
    if not any(p.id == program_id for p in programs.programs_of(current_user)):
        abort(404)
    choose_program(program_id)
    return redirect(safe_next_url(form.next.data) or url_for("main.home"))
