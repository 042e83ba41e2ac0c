"""A pair's messages: who may read and write, unread counts, reports, and the email digest."""

from __future__ import annotations

from datetime import timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchStatus, Message, MessageCursor, Notification, OutboxEmail, User
from mentormatch.models.user import utcnow
from mentormatch.services import agreements, matches, messages
from mentormatch.services.account_deletion import delete_account
from mentormatch.services.messages import MessageError
from tests.factories import PASSWORD, default_program, make_pair, make_program, make_user
from tests.racing import race

LATER = timedelta(minutes=11)  # past the digest's delay


@pytest.fixture
def pair(app_ctx):
    """An active match between Dana (mentee) and Grace (mentor)."""
    return make_pair()


def emails_to(address: str) -> list[OutboxEmail]:
    """The message digests sent to ``address`` (not the match and agreement emails the pair also gets)."""
    return list(db.session.scalars(db.select(OutboxEmail).where(
        OutboxEmail.recipient == address, OutboxEmail.subject.contains("new message")).order_by(OutboxEmail.id)))


def end(match: Match) -> None:
    agreements.end_agreement(match.agreement, match.mentee, "goals_met" if False else "other", "Done.")


# --- reading and writing --------------------------------------------------------------------------

def test_only_the_two_people_of_the_pair_can_read_the_thread(pair):
    messages.send_message(pair, pair.mentee, "Hello Grace!")
    outsider, coordinator, admin = make_user("mentee"), make_user("coordinator"), make_user("admin")
    assert [m.body for m in messages.thread_for(pair.mentor, pair.id).page.items] == ["Hello Grace!"]
    assert messages.thread_for(pair.mentee, pair.id) is not None
    for someone in (outsider, coordinator, admin):
        assert messages.thread_for(someone, pair.id) is None, someone
        assert messages.match_of(someone, pair.id) is None
    assert messages.thread_for(pair.mentee, 999_999) is None


def test_only_the_pair_can_write_and_nothing_is_saved_on_a_refusal(pair):
    coordinator = make_user("coordinator")
    with pytest.raises(MessageError):
        messages.send_message(pair, coordinator, "Hello")
    for body in ("", "   \n ", "x" * (messages.MAX_BODY + 1)):
        with pytest.raises(MessageError):
            messages.send_message(pair, pair.mentee, body)
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 0


def test_a_message_is_kept_as_plain_text_trimmed(pair):
    sent = messages.send_message(pair, pair.mentee, "  <b>Hi</b>\r\nSee you Tuesday?  ")
    assert sent.body == "<b>Hi</b>\nSee you Tuesday?"
    assert messages.send_message(pair, pair.mentor, "y" * messages.MAX_BODY).body == "y" * messages.MAX_BODY


def test_an_ended_match_stays_readable_but_takes_no_new_message(pair):
    messages.send_message(pair, pair.mentee, "Thank you for everything.")
    end(pair)
    thread = messages.thread_for(pair.mentor, pair.id)
    assert [m.body for m in thread.page.items] == ["Thank you for everything."]
    assert not thread.can_write and thread.partner_email is None
    with pytest.raises(MessageError, match="ended"):
        messages.send_message(pair, pair.mentor, "One more thing")
    assert db.session.scalar(db.select(db.func.count()).select_from(Message)) == 1


def test_a_pending_match_has_no_thread_to_write_in_and_no_contact_email(app_ctx):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = matches.request_mentor(mentee, default_program(), mentor.id, "")
    thread = messages.thread_for(mentee, match.id)
    assert not thread.can_write and thread.partner_email is None
    with pytest.raises(MessageError):
        messages.send_message(match, mentee, "Hi")
    matches.decline(match, mentor, "not_a_fit")
    assert messages.thread_for(mentee, match.id).partner_email is None


def test_the_partners_email_is_shown_only_while_active(pair):
    assert messages.thread_for(pair.mentee, pair.id).partner_email == pair.mentor.email
    assert messages.thread_for(pair.mentor, pair.id).partner_email == pair.mentee.email


def test_the_thread_opens_on_a_full_page_of_its_newest_messages_oldest_first_within_it(pair):
    for n in range(7):
        messages.send_message(pair, pair.mentee if n % 2 == 0 else pair.mentor, f"message {n}")
    newest = messages.thread_for(pair.mentor, pair.id, per_page=3)
    assert (newest.page.page, newest.page.pages, newest.page.total) == (3, 3, 7)
    assert [m.body for m in newest.page.items] == ["message 4", "message 5", "message 6"]
    middle = messages.thread_for(pair.mentor, pair.id, page=2, per_page=3)
    assert [m.body for m in middle.page.items] == ["message 1", "message 2", "message 3"]
    first = messages.thread_for(pair.mentor, pair.id, page=1, per_page=3)
    assert [m.body for m in first.page.items] == ["message 0"]  # only the oldest page is short
    assert messages.thread_for(pair.mentor, pair.id, page=99, per_page=3).page.page == 3
    assert newest.page.filters == {"match_id": pair.id}


def test_sending_fast_is_refused_after_a_burst(pair, monkeypatch):
    monkeypatch.setattr(messages, "BURST", 3)
    for n in range(3):
        messages.send_message(pair, pair.mentee, f"{n}")
    with pytest.raises(MessageError, match="wait"):
        messages.send_message(pair, pair.mentee, "and another")
    messages.send_message(pair, pair.mentor, "the other person still can")


# --- unread counts --------------------------------------------------------------------------------

def test_unread_counts_are_the_other_persons_messages_after_the_read_cursor(pair):
    messages.send_message(pair, pair.mentee, "one")
    messages.send_message(pair, pair.mentee, "two")
    messages.send_message(pair, pair.mentor, "my own")
    assert messages.unread_counts(pair.mentor, [pair.id]) == {pair.id: 2}
    assert messages.unread_counts(pair.mentee, [pair.id]) == {pair.id: 1}
    assert messages.unread_total(pair.mentor) == 2
    messages.thread_for(pair.mentor, pair.id)  # opening the thread reads it
    assert messages.unread_counts(pair.mentor, [pair.id]) == {}
    assert messages.unread_total(pair.mentor) == 0
    assert messages.unread_total(pair.mentee) == 1
    messages.send_message(pair, pair.mentee, "three")
    assert messages.unread_total(pair.mentor) == 1


def test_opening_the_thread_marks_new_messages_and_moves_the_cursor_forward_only(pair):
    first = messages.send_message(pair, pair.mentee, "one")
    second = messages.send_message(pair, pair.mentee, "two")
    opened = messages.thread_for(pair.mentor, pair.id)
    assert opened.read_before == 0  # both are shown as new this time
    cursor = db.session.get(MessageCursor, (pair.id, pair.mentor.id))
    assert cursor.last_read_id == second.id
    assert messages.thread_for(pair.mentor, pair.id).read_before == second.id
    messages.mark_read(pair.mentor, pair, first.id)  # an older page never moves it back
    db.session.expire_all()
    assert db.session.get(MessageCursor, (pair.id, pair.mentor.id)).last_read_id == second.id


def test_unread_counts_cover_several_pairs_in_one_query(app_ctx):
    from tests.querycount import count_statements

    mentor = make_user("mentor", capacity=5)
    pairs = []
    for n in range(3):
        mentee = make_user("mentee")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        for k in range(n + 1):
            messages.send_message(match, mentee, f"{n}.{k}")
        pairs.append(match.id)
    db.session.refresh(mentor)  # loaded, as the signed-in user is
    with count_statements() as seen:
        counts = messages.unread_counts(mentor, pairs)
    assert counts == {pairs[0]: 1, pairs[1]: 2, pairs[2]: 3} and len(seen) == 1
    with count_statements() as seen:
        assert messages.unread_total(mentor) == 6
    assert len(seen) == 1
    outsider = make_user("mentee")
    assert messages.unread_counts(outsider, pairs) == {} and messages.unread_total(outsider) == 0
    assert messages.unread_counts(mentor, []) == {}


# --- reports --------------------------------------------------------------------------------------

def test_the_reader_reports_a_message_and_the_coordinators_see_that_message_alone(pair, outbox):
    coordinator = make_user("coordinator")
    other_coordinator = make_user("coordinator", program=make_program("Elsewhere"))
    messages.send_message(pair, pair.mentee, "Before")
    rude = messages.send_message(pair, pair.mentor, "Something unkind")
    messages.send_message(pair, pair.mentee, "After")
    outbox.clear()
    messages.report_message(pair, pair.mentee, rude.id, "This upset me.")
    reported = messages.reported_message(default_program(), rude.id)
    assert (reported.body, reported.report_reason, reported.reported_by_id) == (
        "Something unkind", "This upset me.", pair.mentee.id)
    assert reported.reported_at is not None
    page = messages.reported_messages(default_program(), 1)
    assert [m.id for m in page.items] == [rude.id] and page.total == 1
    # The other messages of the thread are not reachable by a coordinator, nor another program's report.
    others = [m.id for m in db.session.scalars(db.select(Message).where(Message.id != rude.id))]
    assert all(messages.reported_message(default_program(), mid) is None for mid in others)
    assert messages.reported_message(make_program("Third"), rude.id) is None
    assert messages.reported_messages(other_coordinator.coordinated_programs[0], 1).total == 0
    notice = db.session.scalar(db.select(Notification).where(Notification.user_id == coordinator.id))
    assert notice.path == f"/coordinator/messages/{rude.id}" and "Something unkind" not in notice.text
    sent = [e for e in outbox if e.to == coordinator.email]
    assert len(sent) == 1 and "Something unkind" not in sent[0].body
    assert not [e for e in outbox if e.to in (other_coordinator.email, pair.mentor.email)]


def test_one_can_report_only_the_other_persons_message_once_with_a_reason(pair):
    mine = messages.send_message(pair, pair.mentee, "My own words")
    theirs = messages.send_message(pair, pair.mentor, "Theirs")
    with pytest.raises(MessageError):
        messages.report_message(pair, pair.mentee, mine.id, "Oops")
    with pytest.raises(MessageError):
        messages.report_message(pair, pair.mentee, theirs.id, "   ")
    with pytest.raises(MessageError):
        messages.report_message(pair, pair.mentee, theirs.id, "x" * (messages.MAX_REASON + 1))
    with pytest.raises(MessageError):
        messages.report_message(pair, make_user("coordinator"), theirs.id, "Looks bad")
    assert messages.reported_messages(default_program(), 1).total == 0
    messages.report_message(pair, pair.mentee, theirs.id, "Not kind")
    with pytest.raises(MessageError, match="already"):
        messages.report_message(pair, pair.mentee, theirs.id, "Again")
    # A message of another pair is not reportable through this one.
    other = make_pair("Ana Lee", "Bo Chen")
    elsewhere = messages.send_message(other, other.mentor, "Elsewhere")
    assert messages.message_to_report(pair.mentee, pair.id, elsewhere.id) is None


# --- the email digest -----------------------------------------------------------------------------

def test_one_digest_email_for_several_messages_and_pairs(app_ctx):
    mentor = make_user("mentor", name="Grace Ho", capacity=5)
    pairs = []
    for name in ("Dana Okafor", "Eli Park"):
        mentee = make_user("mentee", name=name)
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        pairs.append(match)
    messages.send_message(pairs[0], pairs[0].mentee, "First question about the MLS route")
    messages.send_message(pairs[0], pairs[0].mentee, "Second, about the exam")
    messages.send_message(pairs[1], pairs[1].mentee, "Hello from Eli " + "long " * 60)
    assert messages.send_digests(now=utcnow() + timedelta(minutes=5)) == 0  # too soon: they may read it
    assert messages.send_digests(now=utcnow() + LATER) == 1
    (email,) = emails_to(mentor.email)
    assert "3 new messages" in email.subject and "Dana Okafor" in email.subject and "Eli Park" in email.subject
    assert "Dana Okafor: 2 new messages" in email.body and "Eli Park: 1 new message" in email.body
    assert "First question about the MLS route" in email.body and "…" in email.body
    assert f"/matches/{pairs[0].id}/messages" in email.body and f"/matches/{pairs[1].id}/messages" in email.body
    assert messages.send_digests(now=utcnow() + LATER) == 0  # never twice
    messages.send_message(pairs[0], pairs[0].mentee, "A third one")
    assert messages.send_digests(now=utcnow() + LATER) == 1
    newest = emails_to(mentor.email)[-1]
    assert "A third one" in newest.body and "First question" not in newest.body
    assert "1 new message" in newest.subject


def test_no_digest_for_messages_already_read_or_ones_own(pair):
    messages.send_message(pair, pair.mentee, "Hello")
    messages.thread_for(pair.mentor, pair.id)
    assert messages.send_digests(now=utcnow() + LATER) == 0
    assert emails_to(pair.mentor.email) == [] and emails_to(pair.mentee.email) == []


def test_no_digest_for_a_deactivated_or_deleted_recipient(pair):
    messages.send_message(pair, pair.mentee, "Hello")
    pair.mentor.active = False
    db.session.commit()
    assert messages.send_digests(now=utcnow() + LATER) == 0
    pair.mentor.active = True
    db.session.commit()
    messages.send_message(pair, pair.mentor, "Hello back")
    mentee = db.session.get(User, pair.mentee_id)
    assert delete_account(mentee, PASSWORD)
    assert messages.send_digests(now=utcnow() + LATER) == 0  # the mentee is gone, and so are her messages
    assert not emails_to(pair.mentor.email)


def test_a_digest_computed_on_a_stale_cursor_sends_nothing(pair, monkeypatch):
    """What a second worker would do with what it read before the first one advanced the cursor."""
    messages.send_message(pair, pair.mentee, "Hello")
    stale = messages._news_of(pair.mentor.id)
    assert messages.send_digests(now=utcnow() + LATER) == 1
    monkeypatch.setattr(messages, "_news_of", lambda user_id: stale)
    assert messages._send_digest(pair.mentor.id) == 0
    assert len(emails_to(pair.mentor.email)) == 1


def test_two_digests_racing_send_one_email(app):
    with app.app_context():
        match = make_pair()
        for n in range(3):
            messages.send_message(match, match.mentee, f"message {n}")
        mentor_email = match.mentor.email
        db.session.remove()
    now = utcnow() + LATER

    def digest(ready):
        ready()
        return messages.send_digests(now=now)

    results, errors = race(app, [digest] * 4)
    assert not errors, errors
    assert sorted(results) == [0, 0, 0, 1]
    with app.app_context():
        assert len(emails_to(mentor_email)) == 1
        db.session.remove()


# --- account deletion -----------------------------------------------------------------------------

def test_deleting_an_account_deletes_the_messages_they_wrote_and_the_reasons_they_gave(pair):
    kept = messages.send_message(pair, pair.mentor, "Mentor's words")
    gone = messages.send_message(pair, pair.mentee, "Mentee's words")
    messages.report_message(pair, pair.mentee, kept.id, "Dana's private reason")
    kept_id, gone_id = kept.id, gone.id
    mentee = db.session.get(User, pair.mentee_id)
    assert delete_account(mentee, PASSWORD)
    db.session.expire_all()
    assert db.session.get(Message, gone_id) is None
    remaining = db.session.get(Message, kept_id)
    assert remaining.body == "Mentor's words" and remaining.report_reason == "" and remaining.reported_at
    thread = messages.thread_for(pair.mentor, pair.id)
    assert [m.body for m in thread.page.items] == ["Mentor's words"]
    assert thread.match.status == MatchStatus.ENDED and not thread.can_write
    assert db.session.get(MessageCursor, (pair.id, pair.mentee_id)) is None  # her reading positions went too
