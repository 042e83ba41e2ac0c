"""A few months of history in each demo program: pairs, agreements, meetings.

Built through the same services people use (request, accept, terms,
meetings, closing), then back-dated, so each program's dashboard, queues and
home pages have something to show: pairs on track, due soon and overdue,
pending requests, declines and ended pairs with feedback. Pairs that keep
pace have written to each other and have a meeting coming up (some still
waiting for an answer); the demo mentor has unread messages. Every match
belongs to one program, between a mentee and a mentor of that program. The
demo mentee (mentee@example.org) is left unmatched to try the suggestions.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from mentormatch import domain
from mentormatch.extensions import db
from mentormatch.zones import as_utc
from mentormatch.models import (
    Match, Membership, MembershipStatus, Message, MessageCursor, Notification, Program, ProgramRole, User,
)
from mentormatch.services import agreements, certificates, matches, messages, surveys
from mentormatch.services.agreements import MeetingInput, TermsInput
from mentormatch.services.agreements.schedule import ProposalInput
from mentormatch.services.agreements.terms import add_months

# Per program, in the order seed_history is given them: active pairs (every tenth ends), declines, pending requests.
PLAN = ((10, 2, 2), (12, 1, 2), (8, 1, 1))
ACTIVE_PAIRS = sum(active for active, _, _ in PLAN)
DEMO_MENTEE, DEMO_MENTOR = "mentee@example.org", "mentor@example.org"
NOTES = ("Went through the practice exam questions.", "Talked about the next step toward a lead role.",
         "Reviewed a QC failure from last week.", "Planned the study schedule for the next month.")
# A short exchange per pair: (written by the mentee?, text). The last one waits for the mentor.
CONVERSATION = (
    (True, "Thanks again for the last meeting. I went through the antibody panel cases you suggested."),
    (False, "Glad it helped! Bring the two you found hardest next time and we will work through them."),
    (True, "Will do. Could we also talk about how you prepared for the certification exam?"),
)


# Each demo program awards continuing-education hours: the coordinator signs.
# Each program's survey: a few questions per stage (services.surveys), so pairs get survey reminders.
SURVEY = (
    ("kickoff", "scale", "How clear are the goals you set together?"),
    ("kickoff", "text", "What do you most hope to get from this mentorship?"),
    ("pulse", "scale", "How useful have your meetings been lately?"),
    ("pulse", "yes_no", "Are you meeting as often as you agreed?"),
    ("closing", "scale", "Overall, how much did this mentorship help you?"),
    ("closing", "yes_no", "Would you take part in the program again?"),
)
CE_HOURS = dict(hours_per_mentorship=Decimal("6"), hours_per_meeting_hour=Decimal("1"), max_hours=Decimal("12"))


@dataclass(frozen=True)
class HistoryCounts:
    active: int
    pending: int
    declined: int
    ended: int


def _at(day) -> datetime:
    return datetime.combine(day, time(12, 0), tzinfo=timezone.utc)


def _start_pair(mentee: User, program: Program, mentor: User, started_days_ago: int) -> Match:
    match = matches.request_mentor(mentee, program, mentor.id, "I would value your guidance.")
    matches.accept(match, mentor)
    started = agreements.today() - timedelta(days=started_days_ago)
    match.created_at = match.decided_at = _at(started)  # back-date for the weekly chart
    # They enrolled a few weeks before they were matched (the outcome report's time to match).
    for person, weeks in ((mentee, 2 + started_days_ago % 5), (mentor, 8)):
        joined = _at(started - timedelta(weeks=weeks))
        membership = person.membership_in(program.id)
        membership.created_at = min(as_utc(membership.created_at), joined)
    db.session.commit()
    return match


def _agree_and_meet(rng: random.Random, match: Match, started_days_ago: int, behind: bool) -> None:
    agreement, mentee, mentor = match.agreement, match.mentee, match.mentor
    today = agreements.today()
    start = today - timedelta(days=started_days_ago)
    frequency = mentee.profile.meeting_frequency
    sought = mentee.membership_in(match.program_id).codes("goal")
    topics = [f"specialty:{mentee.profile.codes('specialty')[0]}", f"goal:{sought[0]}"]
    mode = "virtual" if "virtual" in (mentee.profile.meeting_mode, mentor.profile.meeting_mode) else "in_person"
    version = agreements.propose_terms(agreement, mentee, TermsInput(
        frequency, mode, start, add_months(start, match.program.agreement_months), topics, "Meet as agreed; tell each other early "
        "when a shift change gets in the way."))
    agreements.confirm_terms(agreement, mentor, version.number)
    interval = domain.FREQUENCY_DAYS[frequency]
    # Pairs that keep pace met about once an interval; pairs behind stopped a while ago.
    held_on = start + timedelta(days=rng.randint(0, 3))
    last_allowed = today - timedelta(days=interval + rng.randint(5, 20)) if behind else today
    while held_on <= last_allowed:
        agreements.log_meeting(agreement, rng.choice([mentee, mentor]), MeetingInput(
            held_on, rng.choice([30, 45, 60, 90]), mode, rng.sample(topics, rng.randint(1, 2)),
            shared_notes=rng.choice(NOTES)))
        held_on += timedelta(days=interval + rng.randint(-2, 3))
    if rng.random() < 0.5:
        agreements.add_goal(agreement, mentee, "Pass the certification exam", today + timedelta(days=rng.randint(30, 120)))


def _talk_and_plan(rng: random.Random, match: Match, days_ahead: int, confirmed: bool) -> None:
    """A few messages over the last days, and a meeting ``days_ahead`` from now at 10:00 in the mentee's
    zone, confirmed by the mentor or still waiting for them."""
    agreement, mentee, mentor = match.agreement, match.mentee, match.mentor
    now = datetime.now(timezone.utc)
    for n, (by_mentee, text) in enumerate(CONVERSATION):
        message = messages.send_message(match, mentee if by_mentee else mentor, text)
        message.created_at = now - timedelta(days=len(CONVERSATION) - n, hours=rng.randint(1, 8))
    if rng.random() < 0.5:  # the mentor has read the last message in half the pairs
        messages.mark_read(mentor, match, message.id)
    local_day = now.astimezone(ZoneInfo(mentee.profile.time_zone)).date() + timedelta(days=days_ahead)
    starts = datetime.combine(local_day, time(10, 0), tzinfo=ZoneInfo(mentee.profile.time_zone))
    mode = "in_person" if agreement.current_terms.mode == "in_person" else "virtual"
    place = f"https://meet.example.org/{match.id}" if mode == "virtual" else "Core lab break room"
    meeting = agreements.propose_meeting(agreement, mentee, ProposalInput(
        starts.astimezone(timezone.utc), rng.choice([30, 45, 60]), mode, place, "Cases from the last month."))
    if confirmed:
        agreements.confirm_meeting(agreement, mentor, meeting.id, meeting.sequence)
    db.session.commit()


def _nothing_to_email() -> None:
    """The made-up messages count as already emailed: the digest task sends nothing about them."""
    newest = db.select(db.func.max(Message.id)).where(Message.match_id == MessageCursor.match_id).scalar_subquery()
    db.session.execute(db.update(MessageCursor).values(last_emailed_id=db.func.coalesce(newest, 0)))
    db.session.commit()


def _mentees_of(program: Program) -> list[User]:
    """The program's active mentees by account, leaving out the demo mentee."""
    return list(db.session.scalars(
        db.select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.program_id == program.id, Membership.role == ProgramRole.MENTEE,
               Membership.status == MembershipStatus.ACTIVE, User.email != DEMO_MENTEE)
        .order_by(User.id)))


def seed_history(rng: random.Random, programs: list[Program]) -> HistoryCounts:
    """Create the demo's pairs and their history in each program; returns how many of each."""
    demo_mentor = db.session.scalar(db.select(User).where(User.email == DEMO_MENTOR))
    pending = declined = ended = active = 0
    talking: list[tuple[Match, int, bool]] = []  # pairs that write and plan a meeting, once the history is built
    for program, (pairs, declines, requests) in zip(programs, PLAN):
        coordinator = program.coordinators[0]
        certificates.save_policy(program, coordinator, certificates.PolicyInput(
            provider_name="Laboratory Education Office", activity_title=f"Mentoring: {program.name}",
            signer_name=coordinator.name, signer_title="Laboratory education coordinator", **CE_HOURS))
        for stage, kind, text in SURVEY:
            surveys.add_question(program, coordinator, stage, kind, text)
        mentor_there = demo_mentor.membership_in(program.id)
        for index, mentee in enumerate(_mentees_of(program)[:pairs + declines + requests]):
            suggestions = matches.suggestions_for(mentee, program, limit=5)
            if not suggestions:
                continue
            mentor = suggestions[rng.randrange(len(suggestions))].mentor
            if index < 3 and mentor_there is not None and mentor_there.is_mentor:
                # The demo mentor has pairs of their own to look at.
                if matches.active_count(program.id, demo_mentor.id) < (mentor_there.capacity or 0):
                    mentor = demo_mentor
            if index >= pairs + declines:
                matches.request_mentor(mentee, program, mentor.id, "Could you mentor me toward my certification?")
                pending += 1
            elif index >= pairs:
                match = matches.request_mentor(mentee, program, mentor.id, "")
                matches.decline(match, mentor, rng.choice(["no_time", "schedule"]), "")
                declined += 1
            else:
                started = rng.randint(20, 160)
                match = _start_pair(mentee, program, mentor, started)
                _agree_and_meet(rng, match, started, behind=index % 4 == 3)
                if index % 10 == 9:
                    agreements.end_agreement(match.agreement, mentee, "goals_achieved", "Passed the exam!")
                    agreements.leave_feedback(match.agreement, mentee, rng.choice([4, 5]), "Very helpful.")
                    certificates.issue_certificates(match.agreement, coordinator)
                    ended += 1
                else:
                    if index % 4 != 3:
                        talking.append((match, 2 + index % 9, index % 3 != 0))
                    active += 1
    # Months of history have been read by now; what is new is this week's messages and meetings.
    db.session.execute(db.update(Notification).where(Notification.read_at.is_(None)).values(read_at=datetime.now(timezone.utc)))
    db.session.commit()
    for match, days_ahead, confirmed in talking:
        _talk_and_plan(rng, match, days_ahead, confirmed)
    _nothing_to_email()
    return HistoryCounts(active, pending, declined, ended)
