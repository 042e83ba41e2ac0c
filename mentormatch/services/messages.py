"""The private message thread of a pair: writing, reading, unread counts, reports and email digests.

Only the two people of a match read its thread; coordinators never do. A
message one of them reports is shown to the program's coordinators on its
own (``reported_message``), never with the rest of the thread.

Each person's ``MessageCursor`` per pair says how far they have read
(unread counts are the other person's messages after it) and how far an
email digest has told them (a digest never repeats a message, even when two
workers run it at once: the cursor only moves from the value it was read at).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from flask import current_app
from sqlalchemy import case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import Match, MatchStatus, Message, MessageCursor, Notification, Program, User
from mentormatch.models.user import utcnow
from mentormatch.services.outbox import queue_email
from mentormatch.services.paging import Page, bounds
from mentormatch.services.transactions import lock, transaction

MAX_BODY = 4000
MAX_REASON = 500
PER_PAGE = 25
# A thread exists once the pair is active; it stays readable to the two after the mentorship ends.
WITH_THREAD = (MatchStatus.ACTIVE, MatchStatus.ENDED)
# Flooding guard: at most this many messages from one person to a pair in the window.
BURST, BURST_WINDOW = 20, timedelta(minutes=5)
# A digest waits this long after the oldest message it tells of, so whoever reads in the app gets no email.
DIGEST_DELAY = timedelta(minutes=10)
EXCERPT = 140
EXCERPTS_PER_PAIR = 3


class MessageError(ValueError):
    """A message that cannot be sent or reported; the text says why, for the person."""


@dataclass(frozen=True)
class Thread:
    match: Match
    partner: User
    page: Page  # the messages of one page, oldest first; the last page is the newest
    can_write: bool  # only while the match is active
    partner_email: str | None  # the partner's contact address, only while the match is active
    read_before: int  # the viewer's last read message before this visit: the partner's later ones are new


def partner_of(match: Match, user: User) -> User:
    return match.mentor if user.id == match.mentee_id else match.mentee


def match_of(user: User, match_id: int) -> Match | None:
    """The match if ``user`` is one of its two people; None for anyone else, coordinators included."""
    match = db.session.get(Match, match_id)
    return match if match is not None and match.involves(user) else None


def thread_for(user: User, match_id: int, page: int | None = None, per_page: int = PER_PAGE) -> Thread | None:
    """One page of the pair's thread for one of the two (the last, newest page when ``page`` is None),
    marked read; None for anyone else, coordinators included (a 404)."""
    match = match_of(user, match_id)
    if match is None:
        return None
    total = db.session.scalar(select(func.count()).select_from(Message).where(Message.match_id == match.id))
    if page is None:
        _, page = bounds(total, 1, per_page)  # the last page
    page, pages = bounds(total, page, per_page)
    # Pages are cut from the newest end, so the page that opens (the last) is always full and
    # only the oldest page may be short.
    stop = total - (pages - page) * per_page
    start = max(0, stop - per_page)
    ids = list(db.session.scalars(select(Message.id).where(Message.match_id == match.id).order_by(Message.id)
                                  .limit(stop - start).offset(start)))
    cursor = db.session.get(MessageCursor, (match.id, user.id))
    read_before = cursor.last_read_id if cursor is not None else 0
    if ids and ids[-1] > read_before:
        mark_read(user, match, ids[-1])
    # Loaded after marking them read: the commit would have expired them (one query each to reload).
    items = list(db.session.scalars(select(Message).where(Message.id.in_(ids)).order_by(Message.id))) if ids else []
    active = match.status == MatchStatus.ACTIVE
    partner = partner_of(match, user)
    return Thread(match, partner, Page(items, page, pages, total, {"match_id": match.id}), can_write=active,
                  partner_email=partner.email if active and partner.deleted_at is None else None,
                  read_before=read_before)


def _insert():
    return postgresql_insert if db.session.get_bind().dialect.name == "postgresql" else sqlite_insert


def _ensure_cursors(match: Match, *user_ids: int) -> None:
    """The cursors of ``user_ids`` (both people by default) for the pair, made if missing (two requests
    may make them at once)."""
    rows = [{"match_id": match.id, "user_id": uid, "last_read_id": 0, "last_emailed_id": 0}
            for uid in (user_ids or (match.mentee_id, match.mentor_id))]
    db.session.execute(_insert()(MessageCursor).values(rows).on_conflict_do_nothing())


def mark_read(user: User, match: Match, up_to_id: int) -> None:
    """``user`` has seen the pair's messages up to ``up_to_id``: their cursor moves there (never back)."""
    with transaction():
        _ensure_cursors(match, user.id)
        db.session.execute(update(MessageCursor).where(
            MessageCursor.match_id == match.id, MessageCursor.user_id == user.id,
            MessageCursor.last_read_id < up_to_id).values(last_read_id=up_to_id)
            .execution_options(synchronize_session=False))


def send_message(match: Match, user: User, body: str) -> Message:
    """One of the pair writes to the other, while the match is active."""
    if not match.involves(user):
        raise MessageError("Only the two people of this pair can write here.")
    text = (body or "").replace("\r\n", "\n").strip()
    if not text:
        raise MessageError("Write a message before sending it.")
    if len(text) > MAX_BODY:
        raise MessageError(f"A message is limited to {MAX_BODY} characters; this one has {len(text)}.")
    with transaction():
        lock(match)  # the pair's status is read again after any ending that was under way
        if match.status != MatchStatus.ACTIVE:
            raise MessageError("This mentorship has ended: its messages stay readable, but no new ones can be sent.")
        recent = db.session.scalar(select(func.count()).select_from(Message).where(
            Message.match_id == match.id, Message.author_id == user.id,
            Message.created_at > utcnow() - BURST_WINDOW))
        if recent >= BURST:
            raise MessageError("You have sent many messages in a few minutes. Please wait a little before "
                               "sending more.")
        message = Message(match_id=match.id, author_id=user.id, body=text, report_reason="")
        db.session.add(message)
        _ensure_cursors(match)
    return message


def _unread_select(user: User):
    """Per pair ``user`` is part of, the count of the other person's messages after ``user``'s read cursor."""
    return (select(Message.match_id, func.count().label("unread")).select_from(Message)
            .join(Match, Match.id == Message.match_id)
            .outerjoin(MessageCursor, (MessageCursor.match_id == Message.match_id)
                       & (MessageCursor.user_id == user.id))
            .where(or_(Match.mentee_id == user.id, Match.mentor_id == user.id),
                   or_(Message.author_id != user.id, Message.author_id.is_(None)),
                   Message.id > func.coalesce(MessageCursor.last_read_id, 0))
            .group_by(Message.match_id))


def unread_counts(user: User, match_ids) -> dict[int, int]:
    """Unread messages per pair among ``match_ids`` (one query); pairs with none are left out."""
    ids = list(match_ids)
    if not ids:
        return {}
    rows = db.session.execute(_unread_select(user).where(Message.match_id.in_(ids)))
    return {row.match_id: row.unread for row in rows}


def unread_total(user: User) -> int:
    """All of ``user``'s unread messages, every pair together (one query)."""
    counted = _unread_select(user).subquery()
    return db.session.scalar(select(func.coalesce(func.sum(counted.c.unread), 0))) or 0


# --- reports ------------------------------------------------------------------------------------

def message_to_report(user: User, match_id: int, message_id: int) -> Message | None:
    """A message of the pair written by the other person, that ``user`` (one of the two) may report."""
    match = match_of(user, match_id)
    if match is None:
        return None
    message = db.session.get(Message, message_id)
    if message is None or message.match_id != match.id or message.author_id == user.id:
        return None
    return message


def report_message(match: Match, user: User, message_id: int, reason: str) -> Message:
    """The reader reports a message the other person wrote; the program's coordinators are told."""
    message = message_to_report(user, match.id, message_id)
    if message is None:
        raise MessageError("You can only report a message the other person wrote in your thread.")
    reason = (reason or "").strip()
    if not reason:
        raise MessageError("Say in a few words what is wrong, so the coordinators can help.")
    if len(reason) > MAX_REASON:
        raise MessageError(f"The reason is limited to {MAX_REASON} characters.")
    with transaction():
        lock(message)
        if message.reported_at is not None:
            raise MessageError("This message has already been reported to the coordinators.")
        message.reported_at, message.reported_by_id, message.report_reason = utcnow(), user.id, reason
        _tell_coordinators(match, message)
    return message


def _tell_coordinators(match: Match, message: Message) -> None:
    """An in-app notice and an email to each coordinator of the program; neither carries the message."""
    path = f"/coordinator/messages/{message.id}"
    text = (f"A message in the pair {match.mentee.name} & {match.mentor.name} was reported to the "
            f"coordinators. Read it and decide what to do.")
    link = f"{current_app.config['BASE_URL'].rstrip('/')}{path}"
    for coordinator in match.program.coordinators:
        if not coordinator.active or coordinator.deleted_at is not None:
            continue
        db.session.add(Notification(user_id=coordinator.id, kind="message_reported", text=text,
                                    match_id=match.id, path=path))
        queue_email(Email(to=coordinator.email, subject="MentorMatch: A message was reported to you",
                          body=f"Hello {coordinator.name},\n\n{text}\n\n{link}\n\n-- MentorMatch"))


def _reported_in(program: Program):
    return (select(Message).join(Match, Match.id == Message.match_id)
            .where(Match.program_id == program.id, Message.reported_at.is_not(None)))


def reported_messages(program: Program, page: int, per_page: int = PER_PAGE) -> Page:
    """The program's reported messages, newest report first (three queries, whatever their number)."""
    total = db.session.scalar(select(func.count()).select_from(_reported_in(program).subquery()))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        _reported_in(program).options(selectinload(Message.match).selectinload(Match.mentee),
                                      selectinload(Message.match).selectinload(Match.mentor))
        .order_by(Message.reported_at.desc(), Message.id.desc()).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, pages, total)


def reported_message(program: Program, message_id: int) -> Message | None:
    """One reported message of the program, for its coordinators; None for any other message (a 404)."""
    return db.session.scalar(_reported_in(program).where(Message.id == message_id))


def reporter_of(message: Message) -> User | None:
    return db.session.get(User, message.reported_by_id) if message.reported_by_id else None


# --- email digests ------------------------------------------------------------------------------

def _emailed_up_to():
    """The later of a cursor's read and emailed marks: messages after it are news to tell."""
    return case((MessageCursor.last_read_id > MessageCursor.last_emailed_id, MessageCursor.last_read_id),
                else_=MessageCursor.last_emailed_id)


def _news():
    """Per cursor: the other person's messages it has neither read nor been emailed about."""
    return (select(MessageCursor.user_id, MessageCursor.match_id, MessageCursor.last_emailed_id,
                   func.count(Message.id).label("count"), func.max(Message.id).label("newest"),
                   func.min(Message.created_at).label("oldest"))
            .join(Message, Message.match_id == MessageCursor.match_id)
            .join(User, User.id == MessageCursor.user_id)
            .where(Message.id > _emailed_up_to(),
                   or_(Message.author_id != MessageCursor.user_id, Message.author_id.is_(None)),
                   User.active.is_(True), User.deleted_at.is_(None))
            .group_by(MessageCursor.user_id, MessageCursor.match_id, MessageCursor.last_emailed_id))


def _aware(moment: datetime) -> datetime:
    """SQLite gives back naive UTC times."""
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def people_to_email(now: datetime | None = None) -> list[int]:
    """Whoever has news whose oldest message is at least ``DIGEST_DELAY`` old."""
    now = now or utcnow()
    oldest_by_person: dict[int, datetime] = {}
    for row in db.session.execute(_news()):
        oldest = _aware(row.oldest)
        oldest_by_person[row.user_id] = min(oldest, oldest_by_person.get(row.user_id, oldest))
    return sorted(uid for uid, oldest in oldest_by_person.items() if oldest <= now - DIGEST_DELAY)


def send_digests(now: datetime | None = None) -> int:
    """One email per person with unread, unemailed messages (see ``people_to_email``); how many went."""
    sent = 0
    for user_id in people_to_email(now):
        sent += _send_digest(user_id)
    return sent


class _Raced(Exception):
    """Another worker emailed this person meanwhile: undo this one's digest."""


def _news_of(user_id: int) -> list:
    return list(db.session.execute(_news().where(MessageCursor.user_id == user_id)))


def _send_digest(user_id: int) -> int:
    try:
        with transaction():
            user = db.session.get(User, user_id)
            rows = _news_of(user_id)
            if user is None or not rows:
                return 0
            for row in rows:
                moved = db.session.execute(update(MessageCursor).where(
                    MessageCursor.match_id == row.match_id, MessageCursor.user_id == user_id,
                    MessageCursor.last_emailed_id == row.last_emailed_id).values(last_emailed_id=row.newest)
                    .execution_options(synchronize_session=False))
                if moved.rowcount != 1:
                    raise _Raced
            queue_email(_digest_email(user, rows))
    except _Raced:
        return 0
    return 1


def excerpt(body: str, limit: int = EXCERPT) -> str:
    """The message on one line, cut at a word near ``limit`` characters."""
    flat = " ".join(body.split())
    if len(flat) <= limit:
        return flat
    return flat[:limit].rsplit(" ", 1)[0] + "…"


def _digest_email(user: User, rows) -> Email:
    base = current_app.config["BASE_URL"].rstrip("/")
    matches = {m.id: m for m in db.session.scalars(select(Match).where(Match.id.in_([r.match_id for r in rows]))
                                                   .options(selectinload(Match.mentee), selectinload(Match.mentor)))}
    total = sum(row.count for row in rows)
    parts = []
    for row in sorted(rows, key=lambda r: r.newest, reverse=True):
        match = matches[row.match_id]
        partner = partner_of(match, user)
        newest = db.session.scalars(select(Message.body).where(
            Message.match_id == row.match_id, Message.id > row.last_emailed_id, Message.id <= row.newest,
            or_(Message.author_id != user.id, Message.author_id.is_(None)))
            .order_by(Message.id.desc()).limit(EXCERPTS_PER_PAIR)).all()
        lines = [f"{partner.name}: {row.count} new message{'s' if row.count != 1 else ''}"]
        lines += [f"  “{excerpt(body)}”" for body in reversed(newest)]
        lines.append(f"  Read and reply: {base}/matches/{match.id}/messages")
        parts.append("\n".join(lines))
    subject = (f"MentorMatch: {total} new message{'s' if total != 1 else ''} from "
               + ", ".join(partner_of(matches[r.match_id], user).name for r in rows))
    body = (f"Hello {user.name},\n\nYou have {total} unread message{'s' if total != 1 else ''}:\n\n"
            + "\n\n".join(parts)
            + "\n\nYou get one email like this at most every few minutes, only for messages you have not read "
              "in MentorMatch.\n\n-- MentorMatch")
    return Email(to=user.email, subject=subject[:300], body=body)


# --- account deletion ---------------------------------------------------------------------------

def erase_messages_of(user: User) -> None:
    """``user``'s account is being deleted: the messages they wrote go, their reading positions go, and so
    do the reasons they gave for reporting one (the report itself stays for the coordinators). The
    caller's transaction commits."""
    db.session.execute(db.delete(MessageCursor).where(MessageCursor.user_id == user.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(db.delete(Message).where(Message.author_id == user.id)
                       .execution_options(synchronize_session=False))
    db.session.execute(update(Message).where(Message.reported_by_id == user.id).values(report_reason="")
                       .execution_options(synchronize_session=False))
