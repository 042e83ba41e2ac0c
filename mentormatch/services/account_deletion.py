"""Deleting one's own account.

Personal data goes: name, email, password, profile, notifications and the
private notes the person wrote. The user row stays, renamed "Former
participant", so the other party keeps their history (matches, agreements,
shared meeting notes). Open matches are withdrawn and active agreements
ended, all in one transaction.
"""

from __future__ import annotations

from werkzeug.security import check_password_hash

from mentormatch.extensions import db
from mentormatch.models import Agreement, Match, MatchStatus, Notification, PrivateNote, User
from mentormatch.models.user import utcnow
from mentormatch.services.agreements import end_agreement
from mentormatch.services.matches import withdraw_open_matches_of
from mentormatch.services.transactions import transaction

FORMER_PARTICIPANT = "Former participant"


def delete_account(user: User, password: str) -> bool:
    """Delete ``user``'s personal data if ``password`` is theirs; False otherwise."""
    if not check_password_hash(user.password_hash, password):
        return False
    with transaction():
        active = db.session.scalars(
            db.select(Agreement).join(Match).where(
                Match.status == MatchStatus.ACTIVE, (Match.mentee_id == user.id) | (Match.mentor_id == user.id))
        ).all()
        for agreement in active:
            end_agreement(agreement, user, "other", "The account was deleted.")
        withdraw_open_matches_of(user)
        db.session.execute(db.delete(PrivateNote).where(PrivateNote.author_id == user.id))
        db.session.execute(db.delete(Notification).where(Notification.user_id == user.id))
        if user.profile is not None:
            db.session.delete(user.profile)
        user.name = FORMER_PARTICIPANT
        user.email = f"deleted-{user.id}@deleted.invalid"
        user.password_hash = "!"  # matches no password
        user.active = False
        user.email_confirmed_at = None
        user.deleted_at = utcnow()
    return True
