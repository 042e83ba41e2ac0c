"""Who may reach a view: one decorator, asked the same way templates ask."""

from __future__ import annotations

from functools import wraps
from typing import Callable, TypeVar

from flask import abort
from flask_login import current_user, login_required

from mentormatch.models import Permission

F = TypeVar("F", bound=Callable)


def permission_required(permission: Permission) -> Callable[[F], F]:
    """Require a logged-in user whose role grants ``permission``, else 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args, **kwargs):
            if not current_user.can(permission):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator
