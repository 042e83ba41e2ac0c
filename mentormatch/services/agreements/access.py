"""Who may see or change an agreement, and the error every rule raises."""

from __future__ import annotations

from datetime import date

from mentormatch.extensions import db
from mentormatch.models import Agreement, User
from mentormatch.models.user import utcnow
from mentormatch.services.notifications import Kind, notify


class AgreementError(ValueError):
    """The action is not allowed on this agreement now; the message says why."""


def today() -> date:
    """The program's date (UTC); every rule takes ``today`` so tests can move time."""
    return utcnow().date()


def agreement_for(user: User, agreement_id: int, *, write: bool = False) -> Agreement | None:
    """The agreement if ``user`` is one of the pair, or a coordinator of its program reading; None otherwise (a 404).

    Reached by id whatever program the person works in now: the agreement's match carries its program.
    """
    agreement = db.session.get(Agreement, agreement_id)
    if agreement is None:
        return None
    if agreement.match.involves(user) or (not write and user.coordinates(agreement.match.program_id)):
        return agreement
    return None


def require_party(agreement: Agreement, user: User) -> None:
    """Only the two people in the pair shape and keep their agreement."""
    if not agreement.match.involves(user):
        raise AgreementError("Only the mentee and mentor of this pair can do that.")


def require_open(agreement: Agreement) -> None:
    if agreement.is_ended:
        raise AgreementError("This agreement has ended; its history stays readable but cannot change.")


def other_party(agreement: Agreement, user: User) -> User:
    """The other person of the pair."""
    match = agreement.match
    return match.mentor if user.id == match.mentee_id else match.mentee


def tell(user: User, text: str, agreement: Agreement) -> None:
    """Notify ``user`` about the agreement, in the app and by email (linked through its match)."""
    notify(user, Kind.AGREEMENT, text, agreement.match_id)
