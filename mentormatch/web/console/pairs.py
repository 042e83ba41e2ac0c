"""Pairing two members of the current program by hand: find each by name, choose, propose.

The page searches the program's active mentees and mentors by a part of
their name or email (GET ``mentee_q`` and ``mentor_q``, or ``mentee_id`` and
``mentor_id`` to start from someone chosen elsewhere, as the candidates page
does); the POST carries the searches along, so a warning or an error shows
the same lists with the same people chosen.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.models import ProgramRole
from mentormatch.services import pairing
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import PairForm
from mentormatch.web.query_args import text_arg


def _chosen(name: str) -> int | None:
    """The id of the person already chosen on one side (a radio button of the form, or the link's argument)."""
    value = request.values.get(name, "").strip()
    if not value.isdigit() or len(value) > 10 or not 0 < int(value) <= pairing.MAX_ID:
        return None
    return int(value)


@bp.route("/pairs/new", methods=["GET", "POST"])
def new_pair():
    """GET or a POST with ``search``: the lists; any other POST proposes the chosen pair."""
    here = program()
    mentee_id, mentor_id = _chosen("mentee_id"), _chosen("mentor_id")
    if request.method == "GET":
        form = PairForm(formdata=None, mentee_q=text_arg(request, "mentee_q"), mentor_q=text_arg(request, "mentor_q"),
                        mentee_id=mentee_id, mentor_id=mentor_id)
    else:
        form = PairForm()
    mentees = pairing.find_members(here, ProgramRole.MENTEE, (form.mentee_q.data or "")[:120], mentee_id)
    mentors = pairing.find_members(here, ProgramRole.MENTOR, (form.mentor_q.data or "")[:120], mentor_id)
    form.offer(mentees, mentors)
    warnings: list[str] = []
    searching = request.method == "GET" or "search" in request.form
    if searching:
        for chosen, search in ((form.mentee_id, mentees), (form.mentor_id, mentors)):
            if chosen.data is None and len(search.found) == 1:
                chosen.data = search.found[0].id  # the only one found: chosen already, one click less
    if not searching and form.validate_on_submit():
        try:
            match = pairing.pair_by_hand(here, form.mentee_id.data, form.mentor_id.data, current_user,
                                         confirmed=form.confirmed())
        except pairing.PairNeedsConfirmation as needed:
            warnings = needed.warnings
            form.warned_for.data = form.pair_key()
            form.confirm.data = False
            flash(str(needed), "error")
        except pairing.PairingError as error:
            flash(str(error), "error")
        else:
            flash(f"Proposed {match.mentee.name} and {match.mentor.name} to each other; "
                  f"both must accept.", "success")
            return redirect(url_for("coordinator.waiting", days=0))
    elif not searching:
        flash("Choose a mentee and a mentor from the lists; search by name first if they are not there.", "error")
    return render_template("console/pair_new.html", form=form, warnings=warnings, mentees=mentees, mentors=mentors)
