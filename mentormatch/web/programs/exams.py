"""A mentee's exam plans in one program: the credentials they work toward, each with its plan.

Only for the person's own mentee membership: a program they are not in (or
left) is not found (404), a mentor's membership has no exam plans (403).
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch import domain
from mentormatch.models import MembershipStatus, TagKind
from mentormatch.services import exam_plans
from mentormatch.web.access import program_or_404
from mentormatch.web.programs.forms import (
    CATEGORY_SUGGESTIONS, ROUTE_SUGGESTIONS, ExamPlanForm, RemovePlanForm,
)
from mentormatch.web.programs.views import bp


def _mentee_membership(program_id: int):
    program = program_or_404(program_id)
    mine = current_user.membership_in(program.id)
    if mine is None or mine.status == MembershipStatus.LEFT:
        abort(404)
    if not mine.is_mentee:
        abort(403)
    return program, mine


@bp.route("/<int:program_id>/exams")
@login_required
def exam_plans_list(program_id: int):
    program, mine = _mentee_membership(program_id)
    return render_template("programs/exam_plans.html", program=program, goals=exam_plans.goals_of(current_user, mine),
                           results=dict(exam_plans.RESULTS), remove_form=RemovePlanForm())


@bp.route("/<int:program_id>/exams/plan", methods=["GET", "POST"])
@login_required
def exam_plan(program_id: int):
    program, mine = _mentee_membership(program_id)
    wanted = request.args.get("credential", "")
    plan = exam_plans.plan_for(mine, wanted) if wanted in domain.codes(domain.CREDENTIALS) else None
    codes = None
    if plan is None:
        goals = exam_plans.goals_of(current_user, mine)
        taken = {g.credential for g in goals if g.plan is not None}
        held = set(current_user.profile.codes(TagKind.CREDENTIAL)) if current_user.profile else set()
        codes = [c for c in domain.codes(domain.CREDENTIALS) if c not in taken and c not in held]
        if not codes:
            flash("Every credential you do not hold yet has a plan; edit one below.", "info")
            return redirect(url_for("programs.exam_plans_list", program_id=program.id))
    form = ExamPlanForm(obj=plan if request.method == "GET" else None, codes=codes,
                        credential=wanted if codes and wanted in codes else "")
    error = None
    if form.validate_on_submit():
        try:
            saved = exam_plans.save_plan(current_user, mine, form.to_input(plan.credential if plan else None))
        except exam_plans.ExamPlanError as problem:
            error = str(problem)
        else:
            name = domain.label(domain.CREDENTIALS, saved.credential)
            flash(f"Goal reached: you hold {name}." if saved.reached_on else f"Your plan for {name} is saved.",
                  "success")
            return redirect(url_for("programs.exam_plans_list", program_id=program.id))
    if request.method == "POST":
        flash(error or "Some answers need another look; see the messages beside the fields.", "error")
    return render_template("programs/exam_plan_form.html", program=program, form=form, plan=plan, error=error,
                           name=domain.label(domain.CREDENTIALS, plan.credential) if plan else None,
                           categories=CATEGORY_SUGGESTIONS, routes=ROUTE_SUGGESTIONS)


@bp.route("/<int:program_id>/exams/remove", methods=["POST"])
@login_required
def remove_exam_plan(program_id: int):
    program, mine = _mentee_membership(program_id)
    form = RemovePlanForm()
    if not form.validate_on_submit() or not exam_plans.remove_plan(current_user, mine, form.credential.data):
        abort(404)
    flash(f"Your plan for {domain.label(domain.CREDENTIALS, form.credential.data)} is removed.", "success")
    return redirect(url_for("programs.exam_plans_list", program_id=program.id))
