"""Who may reach a view, and in which program: the decorators every view uses.

A person works in one program at a time: the one the navigation's program
switcher chose (kept in the session), else their first. Participant pages
ask for the membership in that program; coordinator pages for a program the
person runs. Records reached by id (a match, an agreement) carry their own
program and are checked against it, not against the current one.
"""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort, flash, g, redirect, session, url_for
from flask_login import current_user, login_required

from mentormatch.extensions import db
from mentormatch.models import Membership, MembershipStatus, Program
from mentormatch.services.programs import programs_run_by

F = TypeVar("F", bound=Callable)
PROGRAM_KEY = "program_id"


def _chosen() -> int | None:
    value = session.get(PROGRAM_KEY)
    return value if isinstance(value, int) else None


def choose_program(program_id: int) -> None:
    """Make ``program_id`` the program this browser works in (the switcher)."""
    session[PROGRAM_KEY] = program_id
    g.pop("current_membership", None)
    g.pop("coordinated_program", None)


def current_membership() -> Membership | None:
    """The logged-in person's membership in the program they work in (not one they left)."""
    if "current_membership" not in g:
        mine = [m for m in current_user.memberships if m.status != MembershipStatus.LEFT] \
            if current_user.is_authenticated else []
        chosen = _chosen()
        g.current_membership = next((m for m in mine if m.program_id == chosen), mine[0] if mine else None)
    return g.current_membership


def coordinated_program() -> Program | None:
    """The program the logged-in coordinator works in: the chosen one if they run it, else their first."""
    if "coordinated_program" not in g:
        runs = programs_run_by(current_user) if current_user.is_authenticated else []
        chosen = _chosen()
        g.coordinated_program = next((p for p in runs if p.id == chosen), runs[0] if runs else None)
    return g.coordinated_program


def current_program() -> Program | None:
    """The program the navigation shows as current: a coordinator's, else the membership's."""
    if current_user.is_authenticated and current_user.is_coordinator and coordinated_program() is not None:
        chosen = _chosen()
        membership = current_membership()
        if membership is not None and membership.program_id == chosen:
            return membership.program
        return coordinated_program()
    membership = current_membership()
    return membership.program if membership is not None else None


def membership_required(role: str | None = None) -> Callable[[F], F]:
    """Require a membership in the current program (on ``role``'s side when given).

    Without one the person is sent to the Programs page to join one; on the
    wrong side of the current program, 403.
    """

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            membership = current_membership()
            if membership is None:
                flash("Join a mentoring program first.", "info")
                return redirect(url_for("programs.index"))
            if role is not None and membership.role != role:
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def coordinator_required(view: F) -> F:
    """Require a logged-in person who runs at least one program, else 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if coordinated_program() is None:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def admin_required(view: F) -> F:
    """Require a site administrator, else 403."""

    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped  # type: ignore[return-value]


def program_or_404(program_id: int) -> Program:
    program = db.session.get(Program, program_id)
    if program is None:
        abort(404)
    return program
