"""Pairing two members of the current program by hand."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from mentormatch.services import pairing, rounds
from mentormatch.services.matches import MatchError
from mentormatch.web.console import bp, program
from mentormatch.web.console.forms import PairForm


@bp.route("/pairs/new", methods=["GET", "POST"])
def new_pair():
    form = PairForm()
    warnings: list[str] = []
    if form.validate_on_submit():
        try:
            match = pairing.pair_by_email(program(), form.mentee_email.data, form.mentor_email.data, current_user,
                                          confirmed=form.confirmed())
        except pairing.PairNeedsConfirmation as needed:
            warnings = needed.warnings
            form.warned_for.data = form.pair_key()
            form.confirm.data = False
            flash(str(needed), "error")
        except (MatchError, rounds.RoundError) as error:
            flash(str(error), "error")
        else:
            flash(f"Proposed {match.mentee.name} and {match.mentor.name} to each other; "
                  f"both must accept.", "success")
            return redirect(url_for("coordinator.waiting", days=0))
    elif request.method == "POST":
        flash("Some answers need another look; see the messages beside the fields.", "error")
    return render_template("console/pair_new.html", form=form, warnings=warnings)
