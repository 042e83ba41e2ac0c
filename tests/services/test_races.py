"""Use cases raced on real, separate connections: the rules hold and nobody gets an integrity error.

Each race releases eight threads at once (tests.racing). On PostgreSQL these
are real server connections under READ COMMITTED, where checking and then
writing without a lock let every racer pass the check; on SQLite the writers
queue behind BEGIN IMMEDIATE.
"""

from __future__ import annotations

from datetime import date

import pytest

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementGoal, AgreementVersion, Match, Meeting, PrivateNote, ReviewFlag, User, VersionStatus,
)
from mentormatch.services import agreements, matches
from mentormatch.services.agreements import AgreementError, MeetingInput, TermsInput
from mentormatch.services.console import people
from tests.factories import default_program, make_user
from tests.racing import race

RACERS = 8
START = TODAY = date(2027, 1, 4)


def terms(expectations: str = "Agenda a day ahead.") -> TermsInput:
    return TermsInput("monthly", "virtual", START, date(2027, 7, 4), ["specialty:hematology"], expectations)


@pytest.fixture
def agreed(app):
    """An agreement with confirmed terms and one meeting: (mentee id, mentor id, agreement id, meeting id)."""
    with app.app_context():
        mentee, mentor = make_user("mentee"), make_user("mentor")
        match = matches.request_mentor(mentee, default_program(), mentor.id, "")
        matches.accept(match, mentor)
        agreement = match.agreement
        version = agreements.propose_terms(agreement, mentee, terms(), on=TODAY)
        agreements.confirm_terms(agreement, mentor, version.number)
        meeting = agreements.log_meeting(agreement, mentee, meeting_entry(), on=TODAY)
        found = mentee.id, mentor.id, agreement.id, meeting.id
        db.session.remove()
    return found


def meeting_entry(key: str | None = None) -> MeetingInput:
    return MeetingInput(held_on=TODAY, duration_minutes=45, mode="virtual", topics=["specialty:hematology"],
                        shared_notes="Went through the QC charts.", submission_key=key)


def count(app, model, *where) -> int:
    with app.app_context():
        found = db.session.scalar(db.select(db.func.count()).select_from(model).where(*where))
        db.session.remove()
    return found


def test_concurrent_requests_from_one_mentee_open_no_more_than_the_limit(app):
    with app.app_context():
        mentee_id = make_user("mentee").id
        mentor_ids = [make_user("mentor").id for _ in range(RACERS)]
        db.session.remove()

    def ask(mentor_id):
        def job(ready):
            mentee = db.session.get(User, mentee_id)
            mentee.profile  # noqa: B018 - read before the others write, as a request's page load does
            ready()
            return matches.request_mentor(mentee, default_program(), mentor_id, "Hello").id
        return job

    results, errors = race(app, [ask(mentor_id) for mentor_id in mentor_ids], expected=(matches.MatchError,))
    assert errors == []
    with app.app_context():
        limit = default_program().max_open_requests
        db.session.remove()
    refusals = [str(r) for r in results if isinstance(r, matches.MatchError)]
    assert len(refusals) == RACERS - limit
    assert all("at most 3 open requests" in message for message in refusals)
    assert count(app, Match, Match.mentee_id == mentee_id) == limit


def test_identical_concurrent_requests_open_one_match_and_explain_the_rest(app):
    with app.app_context():
        mentee_id, mentor_id = make_user("mentee").id, make_user("mentor").id
        db.session.remove()

    def ask(ready):
        mentee = db.session.get(User, mentee_id)
        ready()
        return matches.request_mentor(mentee, default_program(), mentor_id, "Hello").id

    results, errors = race(app, [ask] * RACERS, expected=(matches.MatchError,))
    assert errors == []
    assert sorted(str(r) for r in results if isinstance(r, matches.MatchError)) == \
        [f"You have already asked {results_name(app, mentor_id)}."] * (RACERS - 1)
    assert count(app, Match, Match.mentee_id == mentee_id) == 1


def results_name(app, user_id: int) -> str:
    with app.app_context():
        name = db.session.get(User, user_id).name
        db.session.remove()
    return name


def test_concurrent_saves_of_one_private_note_keep_one_note(app, agreed):
    mentee_id, _, agreement_id, meeting_id = agreed

    def save(text):
        def job(ready):
            agreement, mentee = db.session.get(Agreement, agreement_id), db.session.get(User, mentee_id)
            agreement.match  # noqa: B018
            ready()
            agreements.save_private_note(agreement, mentee, meeting_id, text)
        return job

    texts = [f"Private thought {n}" for n in range(RACERS)]
    _, errors = race(app, [save(text) for text in texts])
    assert errors == []
    with app.app_context():
        notes = db.session.scalars(db.select(PrivateNote.text).where(PrivateNote.meeting_id == meeting_id)).all()
        db.session.remove()
    assert len(notes) == 1 and notes[0] in texts


def test_concurrent_terms_proposals_get_consecutive_versions_and_one_waits(app, agreed):
    mentee_id, mentor_id, agreement_id, _ = agreed

    def propose(user_id, n):
        def job(ready):
            agreement, user = db.session.get(Agreement, agreement_id), db.session.get(User, user_id)
            agreement.versions  # noqa: B018 - the proposer read the versions before the others wrote
            ready()
            return agreements.propose_terms(agreement, user, terms(f"Proposal {n}"), on=TODAY).number
        return job

    jobs = [propose(mentee_id if n % 2 else mentor_id, n) for n in range(RACERS)]
    numbers, errors = race(app, jobs)
    assert errors == []
    assert sorted(numbers) == list(range(2, RACERS + 2))  # version 1 is the confirmed terms
    assert count(app, AgreementVersion, AgreementVersion.agreement_id == agreement_id,
                 AgreementVersion.status == VersionStatus.PENDING) == 1


def test_a_confirmation_racing_a_new_proposal_never_confirms_a_superseded_version(app, agreed):
    mentee_id, mentor_id, agreement_id, _ = agreed
    waiting = 0

    def confirm(ready):
        agreement, mentor = db.session.get(Agreement, agreement_id), db.session.get(User, mentor_id)
        agreement.versions  # noqa: B018
        ready()
        return agreements.confirm_terms(agreement, mentor, waiting).number

    def replace(ready):
        agreement, mentee = db.session.get(Agreement, agreement_id), db.session.get(User, mentee_id)
        agreement.versions  # noqa: B018
        ready()
        return agreements.propose_terms(agreement, mentee, terms("Newer"), on=TODAY).number

    for attempt in range(5):
        with app.app_context():
            agreement = db.session.get(Agreement, agreement_id)
            waiting = agreements.propose_terms(agreement, db.session.get(User, mentee_id), terms(f"New {attempt}"),
                                               on=TODAY).number
            db.session.remove()
        results, errors = race(app, [confirm, replace], expected=(AgreementError,))
        assert errors == []
        with app.app_context():
            statuses = dict(db.session.execute(db.select(AgreementVersion.number, AgreementVersion.status).where(
                AgreementVersion.agreement_id == agreement_id)).all())
            db.session.remove()
        # Either the confirmation came first (the newer proposal then waits) or the proposal did (the
        # confirmation is then refused): a confirmation that succeeded is never of a superseded version.
        confirmed = waiting in results
        assert statuses[waiting] == (VersionStatus.CONFIRMED if confirmed else VersionStatus.SUPERSEDED), attempt
        assert list(statuses.values()).count(VersionStatus.PENDING) == 1


def test_concurrent_review_flags_on_one_profile_leave_one_flag(app):
    with app.app_context():
        mentee_id = make_user("mentee").id
        coordinator_ids = [make_user("coordinator").id for _ in range(RACERS)]
        db.session.remove()

    def flag(coordinator_id):
        def job(ready):
            mentee, coordinator = db.session.get(User, mentee_id), db.session.get(User, coordinator_id)
            ready()
            people.flag(default_program(), mentee, f"Look at the bio (coordinator {coordinator_id})", coordinator)
        return job

    _, errors = race(app, [flag(coordinator_id) for coordinator_id in coordinator_ids])
    assert errors == []
    assert count(app, ReviewFlag, ReviewFlag.user_id == mentee_id) == 1


def test_a_meeting_submitted_many_times_at_once_with_one_key_is_logged_once(app, agreed):
    mentee_id, _, agreement_id, _ = agreed

    def submit(ready):
        agreement, mentee = db.session.get(Agreement, agreement_id), db.session.get(User, mentee_id)
        agreement.match  # noqa: B018
        ready()
        return agreements.log_meeting(agreement, mentee, meeting_entry("double-click"), on=TODAY).id

    ids, errors = race(app, [submit] * RACERS)
    assert errors == []
    assert len(set(ids)) == 1
    assert count(app, Meeting, Meeting.agreement_id == agreement_id) == 2  # the fixture's and this one


def test_a_goal_submitted_many_times_at_once_with_one_key_is_added_once(app, agreed):
    mentee_id, _, agreement_id, _ = agreed

    def submit(ready):
        agreement, mentee = db.session.get(Agreement, agreement_id), db.session.get(User, mentee_id)
        agreement.goals  # noqa: B018
        ready()
        return agreements.add_goal(agreement, mentee, "Pass the SH exam", None, on=TODAY,
                                   submission_key="double-click").id

    ids, errors = race(app, [submit] * RACERS)
    assert errors == []
    assert len(set(ids)) == 1
    assert count(app, AgreementGoal, AgreementGoal.agreement_id == agreement_id) == 1


def test_goals_over_the_limit_submitted_at_once_are_refused_not_stored(app, agreed):
    mentee_id, _, agreement_id, _ = agreed
    with app.app_context():
        agreement, mentee = db.session.get(Agreement, agreement_id), db.session.get(User, mentee_id)
        for n in range(agreements.goals.MAX_GOALS - 1):
            agreements.add_goal(agreement, mentee, f"Goal {n}", None, on=TODAY)
        db.session.remove()

    def submit(n):
        def job(ready):
            agreement, mentee = db.session.get(Agreement, agreement_id), db.session.get(User, mentee_id)
            agreement.goals  # noqa: B018
            ready()
            return agreements.add_goal(agreement, mentee, f"Last goal {n}", None, on=TODAY).id
        return job

    results, errors = race(app, [submit(n) for n in range(RACERS)], expected=(AgreementError,))
    assert errors == []
    assert len([r for r in results if isinstance(r, AgreementError)]) == RACERS - 1
    assert count(app, AgreementGoal, AgreementGoal.agreement_id == agreement_id) == agreements.goals.MAX_GOALS
