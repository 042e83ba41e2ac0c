"""Coordinator pages: the program's survey questions per stage, who may read answers, and the results.

Deleting a question asks first, and only a question nobody answered can be
deleted; one with answers is retired (no longer asked, kept in the results).
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch import clock
from mentormatch.models.survey import MIN_RESPONDENTS, STAGES
from mentormatch.services import surveys as program_surveys
from mentormatch.services.surveys import SurveyError
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import AskFirstForm, ConfirmForm
from mentormatch.web.query_args import choice_arg, page_arg
from mentormatch.web.surveys.forms import (
    NAMED,
    TOTALS,
    MoveForm,
    QuestionForm,
    QuestionTextForm,
    VisibilityForm,
)


def _question_or_404(question_id: int):
    question = program_surveys.get_question(program(), question_id)
    if question is None:
        abort(404)
    return question


def _render(status: int = 200, **forms):
    here = program()
    add_forms = {stage: forms.get(stage) or QuestionForm(prefix=stage, formdata=None) for stage in STAGES}
    visibility = VisibilityForm(formdata=None, named=NAMED if here.survey_answers_named else TOTALS)
    return render_template("console/surveys.html", questions=program_surveys.all_questions(here),
                           answered=program_surveys.answered_question_ids(here), add_forms=add_forms,
                           visibility=forms.get("visibility") or visibility, stages=STAGES,
                           stage_labels=program_surveys.STAGE_LABELS, kind_labels=program_surveys.KIND_LABELS,
                           min_respondents=MIN_RESPONDENTS), status


@bp.route("/surveys", endpoint="surveys")
def surveys_page():
    return _render()


@bp.route("/surveys/<stage>/questions", methods=["POST"])
def survey_question_add(stage: str):
    if stage not in STAGES:
        abort(404)
    form = QuestionForm(prefix=stage)
    if not form.validate_on_submit():
        return _render(400, **{stage: form})
    try:
        program_surveys.add_question(program(), current_user, stage, form.kind.data, form.text.data)
    except SurveyError as error:
        form.text.errors = [str(error)]
        return _render(400, **{stage: form})
    flash("Question added.", "success")
    return redirect(url_for("coordinator.surveys", _anchor=stage))


@bp.route("/surveys/questions/<int:question_id>/edit", methods=["GET", "POST"])
def survey_question_edit(question_id: int):
    question = _question_or_404(question_id)
    form = QuestionTextForm(data=None if request.method == "POST" else {"text": question.text})
    if form.validate_on_submit():
        try:
            program_surveys.edit_question(question, current_user, form.text.data)
        except SurveyError as error:
            form.text.errors = [str(error)]
        else:
            flash("Question changed.", "success")
            return redirect(url_for("coordinator.surveys", _anchor=question.stage))
    return render_template("console/survey_question.html", question=question, form=form,
                           answered=question.id in program_surveys.answered_question_ids(program()),
                           stage_labels=program_surveys.STAGE_LABELS, kind_labels=program_surveys.KIND_LABELS), \
        400 if request.method == "POST" else 200


@bp.route("/surveys/questions/<int:question_id>/move", methods=["POST"])
def survey_question_move(question_id: int):
    question = _question_or_404(question_id)
    form = MoveForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        program_surveys.move_question(question, current_user, -1 if form.direction.data == "up" else 1)
    except SurveyError as error:
        flash(str(error), "error")
    return redirect(url_for("coordinator.surveys", _anchor=question.stage))


@bp.route("/surveys/questions/<int:question_id>/retire", methods=["POST"])
def survey_question_retire(question_id: int):
    question = _question_or_404(question_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        program_surveys.retire_question(question, current_user, clock.now())
    except SurveyError as error:
        flash(str(error), "error")
    else:
        flash("Question retired: it is no longer asked; its answers stay in the results.", "success")
    return redirect(url_for("coordinator.surveys", _anchor=question.stage))


@bp.route("/surveys/questions/<int:question_id>/delete", methods=["GET", "POST"])
def survey_question_delete(question_id: int):
    """GET (or a POST without ``confirm``) asks first; a question with answers is offered retiring instead."""
    question = _question_or_404(question_id)
    form = AskFirstForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    answered = question.id in program_surveys.answered_question_ids(program())
    if request.method == "GET" or not form.confirmed() or answered:
        if request.method == "POST" and answered:
            flash("This question has answers, so it cannot be deleted; retire it instead.", "error")
        return render_template("console/survey_delete.html", question=question, answered=answered,
                               stage_labels=program_surveys.STAGE_LABELS), 400 if request.method == "POST" and answered else 200
    stage = question.stage
    try:
        program_surveys.delete_question(question, current_user)
    except SurveyError as error:
        flash(str(error), "error")
    else:
        flash("Question deleted.", "success")
    return redirect(url_for("coordinator.surveys", _anchor=stage))


@bp.route("/surveys/visibility", methods=["POST"])
def survey_visibility():
    form = VisibilityForm()
    if not form.validate_on_submit():
        return _render(400, visibility=form)
    named = form.named.data == NAMED
    program_surveys.set_named(program(), named, current_user)
    flash("Saved: coordinators now see each person's answers given from now on, with their name."
          if named else f"Saved: coordinators see only totals of {MIN_RESPONDENTS} or more people.", "success")
    return redirect(url_for("coordinator.surveys", _anchor="visibility"))


@bp.route("/surveys/results")
def survey_results():
    here = program()
    stage = choice_arg(request, "stage", STAGES) or "kickoff"
    occasions = program_surveys.occasions_answered(here, stage) if stage == "pulse" else []
    occasion = choice_arg(request, "occasion", occasions) or None
    named = (program_surveys.named_answers(here, stage, page_arg(request), current_app.config["PAGE_SIZE"], occasion)
             if here.survey_answers_named else None)
    return render_template("console/survey_results.html", stage=stage, occasion=occasion, occasions=occasions,
                           results=program_surveys.results(here, stage, occasion), named=named,
                           stages=STAGES, stage_labels=program_surveys.STAGE_LABELS,
                           kind_labels=program_surveys.KIND_LABELS, occasion_label=program_surveys.occasion_label,
                           min_respondents=MIN_RESPONDENTS, hidden=program_surveys.HIDDEN)
