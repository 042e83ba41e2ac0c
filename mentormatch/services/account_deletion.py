"""Deleting one's own account.

Personal data goes: name, email, password, profile, credential and
licence records, exam plans, notifications, the private notes the person wrote, the free text they wrote on shared records
(request messages, decline notes, shared meeting notes, topics and
expectations they proposed, end notes, feedback comments), review flags on
them, and every copy of their name and email in what others keep
(notifications, emails, notes, the audit log): see services.erasure. The
messages they wrote to a pair go too (services.messages.erase_messages_of). The
user row stays, renamed "Former participant", so the other party keeps
their history (matches, agreements, meetings, goals). Open matches are
withdrawn and active agreements ended; memberships become "left" (or go,
where the person had no match in the program) and coordinator appointments
end, all in one transaction.
"""

from __future__ import annotations

from werkzeug.security import check_password_hash

from mentormatch.extensions import db
from mentormatch.models import Agreement, Match, MatchStatus, Notification, PrivateNote, User
from mentormatch.models.user import utcnow
from mentormatch.services.accounts import normalise_email
from mentormatch.services.agreements import end_agreement
from mentormatch.services.credentials import erase_records_of
from mentormatch.services.erasure import FORMER_PARTICIPANT, empty_what_they_wrote, replace_name_and_email
from mentormatch.services.identity import remove_identities
from mentormatch.services.matches import withdraw_pending_of
from mentormatch.services.messages import erase_messages_of
from mentormatch.services.programs import leave_all
from mentormatch.services.transactions import transaction

__all__ = ["FORMER_PARTICIPANT", "delete_account"]


def confirms(user: User, answer: str) -> bool:
    """Whether ``answer`` proves it is ``user`` asking: their password, or for an account that
    signs in only through single sign-on (no password to ask for), their email address typed out."""
    if user.has_password:
        return check_password_hash(user.password_hash, answer)
    return bool(answer) and normalise_email(answer) == user.email


def delete_account(user: User, confirmation: str) -> bool:
    """Delete ``user``'s personal data if ``confirmation`` confirms it is them (``confirms``); False otherwise."""
    if not confirms(user, confirmation):
        return False
    with transaction():
        empty_what_they_wrote(user)
        erase_messages_of(user)
        active = db.session.scalars(
            db.select(Agreement).join(Match).where(
                Match.status == MatchStatus.ACTIVE, (Match.mentee_id == user.id) | (Match.mentor_id == user.id))
        ).all()
        for agreement in active:
            end_agreement(agreement, user, "other", "The account was deleted.")
        withdraw_pending_of(user, by=user)
        erase_records_of(user)  # credential and licence records, exam plans (a "left" membership keeps none)
        # Memberships with a history become "left" (the other side's records name the program); others go.
        leave_all(user)
        db.session.execute(db.delete(PrivateNote).where(PrivateNote.author_id == user.id))
        db.session.execute(db.delete(Notification).where(Notification.user_id == user.id))
        if user.profile is not None:
            db.session.delete(user.profile)
        remove_identities(user)  # single sign-on no longer reaches the row; a new sign-in starts afresh
        user.deleted_at = utcnow()
        # The notices just sent to the other side name the person too: replace last.
        replace_name_and_email(user)
        user.name = FORMER_PARTICIPANT
        user.email = f"deleted-{user.id}@deleted.invalid"
        user.password_hash = "!"  # matches no password
        user.active = False
        user.email_confirmed_at = None
        user.password_link_nonce = None
        user.email_change_nonce = None
    return True
