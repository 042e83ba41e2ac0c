"""What the home page counts agrees with the pages it leads to."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, ProfileTag, TagKind
from mentormatch.services import matches, participation
from mentormatch.web.templating import ago, partner_words, score_points, status_words
from tests.factories import default_program, make_program, make_user


def _suggested(mentee, program) -> tuple[int, int]:
    """(what the home page says, what the suggestions page lists)."""
    return (participation.suggested_counts(mentee, [program])[program.id],
            len(matches.suggestions_for(mentee, program)))


def test_the_home_count_of_suggested_mentors_is_the_suggestions_pages_count_whatever_rules_out_a_mentor(app_ctx):
    program = default_program()
    mentee = make_user("mentee")
    assert _suggested(mentee, program) == (0, 0)
    make_user("mentor")  # free
    full = make_user("mentor", capacity=1)
    matches.accept(matches.request_mentor(make_user("mentee"), program, full.id, ""), full)
    make_user("mentor", accepting_mentees=False)
    make_user("mentor", active=False)
    declined = make_user("mentor")
    db.session.add(Match(program_id=program.id, mentee_id=mentee.id, mentor_id=declined.id,
                         origin=MatchOrigin.ROUND, status=MatchStatus.DECLINED))
    no_specialty = make_user("mentor")
    db.session.execute(db.delete(ProfileTag).where(ProfileTag.profile_id == no_specialty.profile.id,
                                                   ProfileTag.kind == TagKind.SPECIALTY))
    asked = make_user("mentor")  # a pending request still lists the mentor ("already asked")
    matches.request_mentor(mentee, program, asked.id, "")
    make_user("mentor", program=make_program("Elsewhere"))  # another program's mentor
    db.session.commit()
    assert _suggested(mentee, program) == (2, 2)


def test_the_home_count_stops_at_the_programs_number_of_suggestions(app_ctx):
    program = make_program("Small lists", suggestions=2)
    mentee = make_user("mentee", program=program)
    for _ in range(4):
        make_user("mentor", program=program)
    assert _suggested(mentee, program) == (2, 2)


def test_a_request_reads_as_its_side_sees_it():
    assert status_words("accepted_by_mentee", "request", True, "Grace Ho") == "Waiting for Grace Ho\u2019s answer"
    assert (status_words("accepted_by_mentee", "request", False, "Tomás Reyes")
            == "Tomás Reyes asked you to mentor them — your answer")
    assert status_words("accepted_by_mentor", "round", True, "Grace Ho") == "Grace Ho accepted — your answer"
    assert (status_words("accepted_by_mentor", "round", False, "Tomás Reyes")
            == "You accepted — waiting for Tomás Reyes\u2019s answer")
    assert status_words("proposed", "round", True, "Grace Ho") == "Proposed to you — your answer"
    assert status_words("declined", "round", True, "Grace Ho", "other") == "Declined by Grace Ho"
    assert status_words("withdrawn", "request", True, "Grace Ho", "me") == "You withdrew your request"
    assert status_words("withdrawn", "round", True, "Grace Ho") == "Withdrawn"


def test_only_an_active_match_makes_someone_your_mentor():
    assert partner_words("active", "request", True) == "Your mentor"
    assert partner_words("active", "round", False) == "Your mentee"
    assert partner_words("accepted_by_mentee", "request", True) == "The mentor you asked"
    assert partner_words("proposed", "round", True) == "Proposed mentor"
    assert partner_words("expired", "round", False) == "Mentee"


def test_scores_are_whole_numbers_out_of_a_hundred_rounded_half_up():
    assert [score_points(s) for s in (None, 0.0, 0.005, 0.8149, 0.825, 1.0, 1.2)] == [None, 0, 1, 81, 83, 100, 100]


def test_ages_are_short_and_old_ones_give_the_date(app):
    now = datetime(2026, 12, 10, 12, 0, tzinfo=timezone.utc)
    with app.test_request_context():  # an anonymous viewer: the date is written in UTC
        _check_ages(now)


def _check_ages(now):
    assert ago(now - timedelta(seconds=20), now) == "just now"
    assert ago(now - timedelta(minutes=1), now) == "1 minute ago"
    assert ago(now - timedelta(hours=5), now) == "5 hours ago"
    assert ago((now - timedelta(days=3)).replace(tzinfo=None), now) == "3 days ago"  # SQLite's naive UTC
    assert ago(now - timedelta(days=30), now) == "on 10 Nov 2026"
