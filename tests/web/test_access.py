"""Every route × every role gets the status the design says.

Routes that take an id are tried with a match between two *other* people:
participants must get 404 (they cannot even learn it exists), coordinators
may look. ``test_every_route_in_the_url_map_is_classified`` fails when a new
route is added without a line here.
"""

import re
from datetime import timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchingRound, MatchOrigin, MatchStatus
from mentormatch.services import agreements, matches
from mentormatch.services.agreements import MeetingInput, TermsInput
from tests.factories import PASSWORD, make_user

ROLES = ("anonymous", "mentee", "mentor", "coordinator")
LOGIN = "login"  # a 302 to the login page

# route: expected status for (anonymous, mentee, mentor, coordinator)
EXPECTED = {
    ("GET", "/"): (200, 200, 200, 200),
    ("GET", "/auth/signup"): (200, 302, 302, 302),
    ("POST", "/auth/signup"): (200, 302, 302, 302),  # anonymous: empty form comes back with errors
    ("GET", "/auth/login"): (200, 302, 302, 302),
    ("POST", "/auth/login"): (200, 302, 302, 302),
    ("POST", "/auth/logout"): (LOGIN, 302, 302, 302),
    ("GET", "/auth/reset"): (200, 200, 200, 200),
    ("POST", "/auth/reset"): (200, 200, 200, 200),  # empty form: errors shown, nothing sent
    ("GET", "/auth/reset/{token}"): (302, 302, 302, 302),  # a forged token goes back to the request form
    ("POST", "/auth/reset/{token}"): (302, 302, 302, 302),
    ("GET", "/auth/welcome/{token}"): (302, 302, 302, 302),  # an invitation: the same form as a reset
    ("POST", "/auth/welcome/{token}"): (302, 302, 302, 302),
    ("POST", "/auth/sessions/end-others"): (LOGIN, 302, 302, 302),
    ("GET", "/auth/email/cancel/{token}"): (200, 200, 200, 200),  # asks first: mail scanners open links
    ("POST", "/auth/email/cancel/{token}"): (302, 302, 302, 302),  # a forged link cancels nothing
    ("GET", "/auth/account"): (LOGIN, 200, 200, 200),
    ("GET", "/auth/confirm/{token}"): (LOGIN, 302, 302, 302),  # a forged link confirms nothing
    ("POST", "/auth/confirm"): (LOGIN, 302, 302, 302),
    ("GET", "/auth/email"): (LOGIN, 200, 200, 200),
    ("POST", "/auth/email"): (LOGIN, 200, 200, 200),
    ("GET", "/auth/email/{token}"): (LOGIN, 302, 302, 302),
    ("GET", "/auth/delete"): (LOGIN, 200, 200, 200),
    ("POST", "/auth/delete"): (LOGIN, 200, 200, 200),  # empty form: errors, nothing deleted
    ("GET", "/auth/password"): (LOGIN, 200, 200, 200),
    ("POST", "/auth/password"): (LOGIN, 200, 200, 200),
    ("GET", "/home"): (LOGIN, 200, 200, 302),
    ("GET", "/healthz"): (200, 200, 200, 200),
    ("GET", "/profile/"): (LOGIN, 200, 200, 403),
    ("GET", "/profile/edit"): (LOGIN, 200, 200, 403),
    ("POST", "/profile/edit"): (LOGIN, 200, 200, 403),
    ("GET", "/matches/"): (LOGIN, 200, 200, 403),
    ("GET", "/matches/suggestions"): (LOGIN, 200, 403, 403),
    ("POST", "/matches/request/{mentor}"): (LOGIN, 302, 403, 403),
    ("GET", "/matches/{match}"): (LOGIN, 404, 404, 200),
    ("POST", "/matches/{match}/accept"): (LOGIN, 404, 404, 403),
    ("POST", "/matches/{match}/decline"): (LOGIN, 404, 404, 403),
    ("POST", "/matches/{match}/withdraw"): (LOGIN, 404, 403, 403),
    ("GET", "/notifications/"): (LOGIN, 200, 200, 200),
    ("POST", "/notifications/read"): (LOGIN, 302, 302, 302),
    ("GET", "/agreements/{agreement}"): (LOGIN, 404, 404, 200),
    ("GET", "/agreements/{agreement}/terms"): (LOGIN, 404, 404, 403),
    ("POST", "/agreements/{agreement}/terms"): (LOGIN, 404, 404, 403),
    ("POST", "/agreements/{agreement}/confirm"): (LOGIN, 404, 404, 403),
    ("POST", "/agreements/{agreement}/goals"): (LOGIN, 404, 404, 403),
    ("POST", "/agreements/{agreement}/goals/{goal}"): (LOGIN, 404, 404, 403),
    ("GET", "/agreements/{agreement}/meetings/new"): (LOGIN, 404, 404, 403),
    ("POST", "/agreements/{agreement}/meetings/new"): (LOGIN, 404, 404, 403),
    ("POST", "/agreements/{agreement}/meetings/{meeting}/note"): (LOGIN, 404, 404, 403),
    ("GET", "/agreements/{agreement}/calendar.ics"): (LOGIN, 404, 404, 200),
    ("GET", "/agreements/{agreement}/record"): (LOGIN, 404, 404, 200),
    ("POST", "/agreements/{agreement}/end"): (LOGIN, 404, 404, 400),  # coordinator: empty form, errors back
    ("POST", "/agreements/{agreement}/feedback"): (LOGIN, 404, 404, 403),
    ("GET", "/coordinator/"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/rounds"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/rounds/new"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/rounds/new"): (LOGIN, 403, 403, 200),  # empty form: errors shown, nothing run
    ("POST", "/coordinator/rounds/{round}/withdraw"): (LOGIN, 403, 403, 302),  # unconfirmed: back to the list
    ("GET", "/coordinator/pairs/new"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/pairs/new"): (LOGIN, 403, 403, 200),  # empty form: errors shown
    ("GET", "/coordinator/proposals"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/proposals/{match}/end"): (LOGIN, 403, 403, 302),
    # Console routes last: the coordinator's POSTs change the foreign mentee and withdraw its match.
    ("GET", "/coordinator/queues/"): (LOGIN, 403, 403, 302),
    ("GET", "/coordinator/queues/unmatched"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/queues/unmatched/{user}/candidates"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/queues/waiting"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/queues/waiting/{match}/remind"): (LOGIN, 403, 403, 302),
    ("GET", "/coordinator/queues/declined"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/queues/cadence"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/queues/cadence/{agreement}/nudge"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/queues/cadence/{agreement}/end"): (LOGIN, 403, 403, 302),  # empty form: message, back
    ("GET", "/coordinator/queues/flagged"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/people/"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/people/{user}"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/people/{user}/deactivate"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/people/{user}/reactivate"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/people/{user}/make-coordinator"): (LOGIN, 403, 403, 302),
    ("POST", "/coordinator/people/{user}/flag"): (LOGIN, 403, 403, 302),  # empty reason: message, back
    ("POST", "/coordinator/people/{user}/unflag"): (LOGIN, 403, 403, 302),
    ("GET", "/coordinator/roster/import"): (LOGIN, 403, 403, 200),
    ("POST", "/coordinator/roster/import"): (LOGIN, 403, 403, 200),  # no file: the form again with the error
    ("GET", "/coordinator/exports/"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/exports/pairings.csv"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/exports/meetings.csv"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/exports/unmatched.csv"): (LOGIN, 403, 403, 200),
    ("GET", "/coordinator/audit"): (LOGIN, 403, 403, 200),
}

PLACEHOLDERS = {"<int:match_id>": "{match}", "<int:mentor_id>": "{mentor}", "<token>": "{token}",
                "<int:agreement_id>": "{agreement}", "<int:goal_id>": "{goal}", "<int:meeting_id>": "{meeting}",
                "<int:round_id>": "{round}", "<int:user_id>": "{user}"}


@pytest.fixture
def foreign(app):
    """A mentor, a match and an agreement (with a goal and a meeting) of people the test never logs in as."""
    with app.app_context():
        mentor = make_user("mentor")
        matching_round = MatchingRound(method="optimal", weights={}, excluded_pairs=[], proposals=1,
                                       total_score=0.5)
        match = Match(mentee_id=make_user("mentee").id, mentor_id=make_user("mentor").id,
                      origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED, round=matching_round)
        db.session.add(match)
        db.session.commit()
        pair_mentee, pair_mentor = make_user("mentee"), make_user("mentor")
        active = matches.request_mentor(pair_mentee, pair_mentor.id, "")
        matches.accept(active, pair_mentor)
        agreement, today = active.agreement, agreements.today()
        version = agreements.propose_terms(agreement, pair_mentee, TermsInput(
            "monthly", "virtual", today, today + timedelta(days=180), ["specialty:hematology"]))
        agreements.confirm_terms(agreement, pair_mentor, version.number)
        goal = agreements.add_goal(agreement, pair_mentee, "Pass the exam", None)
        meeting = agreements.log_meeting(agreement, pair_mentee,
                                         MeetingInput(today, 60, "virtual", ["specialty:hematology"]))
        ids = {"mentor": mentor.id, "match": match.id, "token": "forged.token", "round": matching_round.id,
               "user": match.mentee_id,  # a mentee: the candidates page is only for mentees
               "agreement": agreement.id, "goal": goal.id, "meeting": meeting.id}
        db.session.remove()
    return ids


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_each_route_gives_each_role_the_right_status(app, person, foreign, role_index, role):
    # One test per role: the foreign objects are built once, each route gets a fresh client.
    someone = person(role) if role != "anonymous" else None
    wrong = []
    for (method, path), statuses in EXPECTED.items():
        client = app.test_client()
        if someone:
            client.post("/auth/login", data={"email": someone.email, "password": PASSWORD})
        response = client.open(path.format(**foreign), method=method)
        response.close()  # a streamed CSV keeps its request context until closed
        expected = statuses[role_index]
        if expected == LOGIN:
            ok = response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
        else:
            ok = response.status_code == expected
        if not ok:
            wrong.append(f"{method} {path}: expected {expected}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def test_every_route_in_the_url_map_is_classified(app):
    classified = {(method, path) for method, path in EXPECTED}
    missing = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<[^>]+>", lambda m: PLACEHOLDERS.get(m.group(0), m.group(0)), rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if (method, path) not in classified:
                missing.append(f"{method} {path}")
    assert not missing, f"unclassified routes: {sorted(missing)}"
