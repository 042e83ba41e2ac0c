"""People of the current program: search, one member's page, and the account actions on it.

Deactivating an account and ending a membership ask first: GET (or a POST
without ``confirm``) shows what the change does; only the confirmation page's
POST makes it.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.services.console import people
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import (
    ROLE_CODES,
    SPECIALTY_CODES,
    AskFirstForm,
    ConfirmForm,
    FlagForm,
)
from mentormatch.web.query_args import choice_arg, page_arg, text_arg


@bp.route("/people/")
def people_search():
    page = people.search(program(), page_arg(request), current_app.config["PAGE_SIZE"], text=text_arg(request, "q"),
                         role=choice_arg(request, "role", ROLE_CODES),
                         specialty=choice_arg(request, "specialty", SPECIALTY_CODES),
                         state=choice_arg(request, "state", people.STATES),
                         status=choice_arg(request, "status", people.MEMBERSHIP_STATES))
    return render_template("console/people.html", page=page)


@bp.route("/people/<int:user_id>")
def person(user_id: int):
    found = people.person(program(), user_id)
    if found is None:
        abort(404)
    flag_form = FlagForm(reason=found.flag.reason if found.flag else "")
    return render_template("console/person.html", view=found, flag_form=flag_form, form=ConfirmForm())


def _member_or_404(user_id: int):
    user = people.get_member(program(), user_id)
    if user is None:
        abort(404)
    return user


def _act(user_id: int, action, done: str):
    user = _member_or_404(user_id)
    if not ConfirmForm().validate_on_submit():
        abort(400)
    try:
        action(program(), user, current_user)
    except people.PeopleError as error:
        flash(str(error), "error")
    else:
        flash(done.format(name=user.name), "success")
    return redirect(url_for("coordinator.person", user_id=user.id))


def _asked(user_id: int) -> bool:
    """Whether this request is the confirmation page's POST (a POST with a bad token is refused)."""
    _member_or_404(user_id)
    form = AskFirstForm()
    if request.method == "POST" and not form.validate_on_submit():
        abort(400)
    return request.method == "POST" and form.confirmed()


@bp.route("/people/<int:user_id>/deactivate", methods=["GET", "POST"])
def deactivate(user_id: int):
    """Deactivating asks first (a page with what it does in every program), then deactivates."""
    if _asked(user_id):
        return _act(user_id, people.deactivate,
                    "{name} is deactivated: they cannot log in or be proposed in any program; "
                    "their pending matches were withdrawn.")
    preview = people.deactivation_preview(program(), _member_or_404(user_id), current_user)
    return render_template("console/deactivate.html", preview=preview, form=AskFirstForm())


@bp.route("/people/<int:user_id>/reactivate", methods=["POST"])
def reactivate(user_id: int):
    return _act(user_id, people.reactivate, "{name} can log in and be matched again.")


def _change_membership(user_id: int, status: str, done: str):
    return _act(user_id, lambda program_, user, by: people.change_membership(program_, user, status, by), done)


@bp.route("/people/<int:user_id>/membership/pause", methods=["POST"])
def pause_membership(user_id: int):
    return _change_membership(user_id, "paused", "{name} is paused in this program: not matched until resumed; "
                                                 "their pending matches here were withdrawn.")


@bp.route("/people/<int:user_id>/membership/resume", methods=["POST"])
def resume_membership(user_id: int):
    return _change_membership(user_id, "active", "{name} takes part in this program again.")


@bp.route("/people/<int:user_id>/membership/end", methods=["GET", "POST"])
def end_membership(user_id: int):
    """Ending a membership asks first (a page with the consequences), then ends it."""
    if _asked(user_id):
        return _change_membership(user_id, "left", "{name} has left this program; their history here stays.")
    user = _member_or_404(user_id)
    return render_template("console/end_membership.html", user=user, form=AskFirstForm())


@bp.route("/people/<int:user_id>/flag", methods=["POST"])
def flag(user_id: int):
    user = _member_or_404(user_id)
    form = FlagForm()
    if form.validate_on_submit():
        people.flag(program(), user, form.reason.data, current_user)
        flash(f"{user.name}'s profile is flagged for review.", "success")
    else:
        flash(" ".join(form.reason.errors) or "The flag could not be saved.", "error")
    return redirect(url_for("coordinator.person", user_id=user.id))


@bp.route("/people/<int:user_id>/unflag", methods=["POST"])
def unflag(user_id: int):
    return _act(user_id, people.clear_flag, "The review flag on {name}'s profile is cleared.")
