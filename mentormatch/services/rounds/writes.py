"""The bulk writes of a round: proposals, and notifications with their emails, many rows per statement.

10,000 proposals take seconds, not minutes: no ORM object is built per row.
The callers (``publishing``) hold the transaction and the program's lock.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import aliased

from mentormatch.extensions import db
from mentormatch.models import Match, MatchingRound, MatchOrigin, MatchStatus, Notification, User
from mentormatch.models.user import utcnow
from mentormatch.services.bulk import insert_rows
from mentormatch.services.notifications import Kind, notification_email
from mentormatch.services.outbox import queue_emails

Notice = tuple[int, str, str, str, int]  # (user id, email, name, text, match id)


def proposal_text(other: str, as_what: str) -> str:
    return f"The program coordinator proposes {other} as your {as_what}. Please accept or decline."


def notify_many(rows: list[Notice], kind: Kind) -> None:
    """Notify many people at once, as ``notify`` would: an in-app notification and a queued email each."""
    if not rows:
        return
    now = utcnow()
    insert_rows(Notification.__table__, [
        {"user_id": user_id, "kind": str(kind), "text": body, "match_id": match_id, "created_at": now}
        for user_id, _, _, body, match_id in rows])
    queue_emails([notification_email(email, name, kind, body, match_id) for _, email, name, body, match_id in rows])


def round_people(round_id: int, *statuses: str):
    """(match id, mentee id, email, name, mentor id, email, name) of a round's matches."""
    mentee, mentor = aliased(User), aliased(User)
    query = (db.select(Match.id, mentee.id, mentee.email, mentee.name, mentor.id, mentor.email, mentor.name)
             .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
             .where(Match.round_id == round_id))
    if statuses:
        query = query.where(Match.status.in_(statuses))
    return db.session.execute(query).all()


def propose(matching_round: MatchingRound, pairs: list[tuple[int, int, float]], created_at: datetime,
            expires_at: datetime | None) -> None:
    """Write one proposal per (mentee id, mentor id, score) of the round and tell both sides of each."""
    insert_rows(Match.__table__, [
        {"program_id": matching_round.program_id, "mentee_id": e, "mentor_id": o,
         "status": MatchStatus.PROPOSED.value, "origin": MatchOrigin.ROUND.value, "round_id": matching_round.id,
         "score": s, "message": "", "decline_note": "", "created_at": created_at, "expires_at": expires_at}
        for e, o, s in pairs])
    notices: list[Notice] = []
    for match_id, e_id, e_mail, e_name, o_id, o_mail, o_name in round_people(matching_round.id):
        notices.append((e_id, e_mail, e_name, proposal_text(o_name, "mentor"), match_id))
        notices.append((o_id, o_mail, o_name, proposal_text(e_name, "mentee"), match_id))
    notify_many(notices, Kind.PROPOSAL)


def withdraw_proposals(matching_round: MatchingRound, coordinator: User) -> int:
    """Withdraw the round's unanswered proposals and tell both sides of each; returns how many."""
    people = round_people(matching_round.id, MatchStatus.PROPOSED)
    db.session.execute(
        update(Match).where(Match.round_id == matching_round.id, Match.status == MatchStatus.PROPOSED)
        .values(status=MatchStatus.WITHDRAWN.value, closed_by_id=coordinator.id, decided_at=utcnow()),
        execution_options={"synchronize_session": False})
    notices: list[Notice] = []
    for match_id, e_id, e_mail, e_name, o_id, o_mail, o_name in people:
        body = f"The proposed match between {e_name} and {o_name} was withdrawn by the program coordinator."
        notices += [(e_id, e_mail, e_name, body, match_id), (o_id, o_mail, o_name, body, match_id)]
    notify_many(notices, Kind.WITHDRAWN)
    return len(people)
