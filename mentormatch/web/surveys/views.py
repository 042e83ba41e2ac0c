"""A participant answering a program's survey, from the link in their reminder, and the list of open ones."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from mentormatch import clock
from mentormatch.models.survey import MIN_RESPONDENTS
from mentormatch.services import surveys
from mentormatch.services.agreements.access import other_party
from mentormatch.web.surveys.forms import answers_form, answers_of

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


@bp.route("/")
@login_required
def index():
    return render_template("surveys/index.html", due=surveys.due_for(current_user, clock.now()))


@bp.route("/<int:agreement_id>/<occasion>", methods=["GET", "POST"])
@login_required
def answer(agreement_id: int, occasion: str):
    """The survey's questions under the rule of who sees the answers; a closed or answered one says so instead."""
    agreement = surveys.agreement_of(current_user, agreement_id)
    stage = surveys.stage_of(occasion)
    if agreement is None or stage is None:
        abort(404)
    now = clock.now()
    program = agreement.match.program
    state = surveys.occasion_state(agreement, current_user, occasion, now)
    form = answers_form(surveys.questions_for(program.id, stage) if state == surveys.OPEN else [],
                        program.survey_answers_named)
    status = 200
    if request.method == "POST":
        status = 400
        if state != surveys.OPEN:
            flash("Nothing was saved: this survey is no longer open.", "error")
        elif not form.validate_on_submit():
            flash("Some answers need another look; see the messages beside the questions.", "error")
        else:
            try:
                surveys.submit(current_user, agreement.id, occasion, answers_of(form), now,
                               named_seen=form.named_seen())
            except surveys.SurveyError as error:
                flash(str(error), "error")
                if error.question_id is not None:
                    form[f"q{error.question_id}"].errors = [str(error)]
                state = surveys.occasion_state(agreement, current_user, occasion, now)
            else:
                flash("Thank you: your answers are saved.", "success")
                return redirect(url_for("agreements.show", agreement_id=agreement.id))
    return render_template("surveys/answer.html", agreement=agreement, program=program, occasion=occasion,
                           label=surveys.occasion_label(occasion), other=other_party(agreement, current_user),
                           state=state, form=form, min_respondents=MIN_RESPONDENTS,
                           response=surveys.response_of(current_user, agreement.id, occasion)
                           if state == surveys.ANSWERED else None), status
