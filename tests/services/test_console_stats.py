"""Dashboard figures: head counts, capacity, queues' sizes, cadence and feedback, per specialty and week."""

from __future__ import annotations

from datetime import date, timedelta

from mentormatch.extensions import db
from mentormatch.models import (
    Agreement, AgreementFeedback, AgreementStatus, AgreementVersion, Match, MatchOrigin, MatchStatus, Meeting,
    ReviewFlag, VersionStatus,
)
from mentormatch.models.user import utcnow
from mentormatch.services.agreements.access import today
from mentormatch.services.console import audit, stats
from tests.factories import default_program, make_program, make_user


def build_program(size: int, tag: str = "", program=None) -> dict:
    """``size`` mentors and 2×``size`` mentees: active pairs (some overdue), old proposals, declines, flags.

    Rows are inserted directly (not through the use cases) so a large program builds quickly.
    Everything is in ``program`` (the default one), which gets its own coordinator.
    Call inside an app context. Returns a few ids and emails tests use.
    """
    program = program or default_program()
    coordinator = make_user("coordinator", email=f"coord{tag}{size}@example.org", program=program)
    mentors = [make_user("mentor", capacity=3, program=program) for _ in range(size)]
    mentees = [make_user("mentee", specialties=["blood_bank" if i % 3 else "hematology"], program=program)
               for i in range(2 * size)]
    pid = program.id
    old = utcnow() - timedelta(days=20)
    start = today() - timedelta(days=45)
    for i, mentor in enumerate(mentors):
        active = Match(program_id=pid, mentee_id=mentees[i].id, mentor_id=mentor.id, origin=MatchOrigin.ROUND,
                       status=MatchStatus.ACTIVE, score=.8, created_at=old, decided_at=old)
        waiting = Match(program_id=pid, mentee_id=mentees[size + i].id, mentor_id=mentor.id, origin=MatchOrigin.MANUAL,
                        status=MatchStatus.PROPOSED, score=.6, created_at=old)
        declined = Match(program_id=pid, mentee_id=mentees[size + i].id, mentor_id=mentors[(i + 1) % size].id,
                         origin=MatchOrigin.REQUEST, status=MatchStatus.DECLINED, decline_reason="no_time",
                         decline_note="Busy", closed_by_id=mentors[(i + 1) % size].id, created_at=old, decided_at=old)
        db.session.add_all([active, waiting, declined])
        db.session.flush()
        agreement = Agreement(match_id=active.id, status=AgreementStatus.ACTIVE)
        db.session.add(agreement)
        db.session.flush()
        db.session.add(AgreementVersion(agreement_id=agreement.id, number=1, status=VersionStatus.CONFIRMED,
                                        frequency="monthly" if i % 2 else "weekly", mode="virtual",
                                        start_date=start, end_date=start + timedelta(days=180), topics=[]))
        db.session.add(Meeting(agreement_id=agreement.id, held_on=today() - timedelta(days=5 if i % 2 else 10),
                               duration_minutes=60, mode="virtual", topics=[]))
        if i % 4 == 0:
            db.session.add(ReviewFlag(user_id=mentees[i].id, reason="Check the job title", flagged_by_id=coordinator.id))
        nudged = audit.record(coordinator, "nudge_sent", f"Nudged pair {i}", target=agreement, program=program)
        nudged.at = utcnow() - timedelta(days=2)  # long enough ago for another nudge
    ended = Match(program_id=pid, mentee_id=mentees[-1].id, mentor_id=mentors[0].id, origin=MatchOrigin.ROUND,
                  status=MatchStatus.ENDED, created_at=old)
    db.session.add(ended)
    db.session.flush()
    finished = Agreement(match_id=ended.id, status=AgreementStatus.ENDED, ended_at=utcnow(), end_reason="other")
    db.session.add(finished)
    db.session.flush()
    db.session.add_all([AgreementFeedback(agreement_id=finished.id, author_id=mentees[-1].id, rating=4),
                        AgreementFeedback(agreement_id=finished.id, author_id=mentors[0].id, rating=5)])
    db.session.commit()
    return {"program_id": pid, "program_slug": program.slug, "coordinator": coordinator.email, "coordinator_id": coordinator.id, "mentee_id": mentees[-1].id,
            "waiting_mentee_id": mentees[size].id, "mentor_id": mentors[0].id}


def test_the_dashboard_counts_people_places_queues_cadence_and_feedback(app_ctx):
    build_program(4)
    board = stats.dashboard(default_program())
    assert board.people == {"mentor": 4, "mentee": 8, "coordinator": 1}
    assert (board.capacity, board.places_used, board.places_free) == (12, 4, 8)
    # mentees 0-3 are paired, 4-7 have a proposal waiting, and the last (7) had an ended pair too.
    assert board.unmatched == 0
    assert (board.open_requests, board.open_proposals, board.active_pairs) == (0, 4, 4)
    # Weekly pairs last met 10 days ago are overdue; monthly ones 5 days ago are on track.
    assert board.cadence == {"on_track": 2, "due_soon": 0, "overdue": 2, "no_terms": 0}
    assert board.ended_pairs == 1 and board.average_rating == 4.5 and board.ratings == 2
    assert len(board.weeks) == stats.WEEKS and sum(w[1] for w in board.weeks) == 13


def test_supply_and_demand_per_specialty_counts_free_places_and_unmatched_mentees(app_ctx):
    make_user("mentor", capacity=2, specialties=["hematology"])
    make_user("mentor", capacity=3, specialties=["hematology", "microbiology"], accepting_mentees=False)
    for _ in range(3):
        make_user("mentee", specialties=["hematology", "coagulation"])
    found = {s.code: (s.free_places, s.mentees_waiting) for s in stats.dashboard(default_program()).specialties}
    assert found["hematology"] == (2, 3)  # the mentor not accepting offers no free place
    assert found["coagulation"] == (0, 3)
    assert found["microbiology"] == (0, 0)


def test_a_deactivated_mentee_is_not_counted_as_unmatched(app_ctx):
    make_user("mentee")
    make_user("mentee", active=False)
    assert stats.dashboard(default_program()).unmatched == 1


def test_pairs_without_confirmed_terms_are_counted_apart(app_ctx):
    mentee, mentor = make_user("mentee"), make_user("mentor")
    match = Match(program_id=default_program().id, mentee_id=mentee.id, mentor_id=mentor.id,
                  origin=MatchOrigin.REQUEST, status=MatchStatus.ACTIVE)
    db.session.add(match)
    db.session.flush()
    db.session.add(Agreement(match_id=match.id))
    db.session.commit()
    pairs, without = stats.pair_cadences(default_program(), on=date.today())
    assert pairs == [] and without == 1
    assert stats.pair_cadences(make_program("Another"), on=date.today()) == ([], 0)


def test_the_dashboard_counts_only_its_own_program(app_ctx):
    build_program(4)
    other = make_program("Supervisor track")
    build_program(2, "b", program=other)
    make_user("mentee", program=other)  # unmatched in the other program only
    mine, theirs = stats.dashboard(default_program()), stats.dashboard(other)
    assert mine.people == {"mentor": 4, "mentee": 8, "coordinator": 1}
    assert (mine.capacity, mine.places_used, mine.unmatched, mine.open_proposals, mine.active_pairs) == (12, 4, 0, 4, 4)
    assert theirs.people == {"mentor": 2, "mentee": 5, "coordinator": 1}
    assert (theirs.capacity, theirs.places_used, theirs.unmatched, theirs.open_proposals) == (6, 2, 1, 2)
    assert mine.ended_pairs == theirs.ended_pairs == 1 and sum(w[1] for w in mine.weeks) == 13
    assert sum(mine.cadence.values()) == 4 and sum(theirs.cadence.values()) == 2


def test_a_person_in_two_programs_counts_on_their_side_in_each(app_ctx):
    from tests.factories import join
    other = make_program("Leadership")
    both = make_user("mentor", capacity=2, specialties=["hematology"])
    join(both, "mentee", other)
    assert stats.dashboard(default_program()).people["mentor"] == 1
    board = stats.dashboard(other)
    assert (board.people["mentor"], board.people["mentee"], board.capacity, board.unmatched) == (0, 1, 0, 1)
