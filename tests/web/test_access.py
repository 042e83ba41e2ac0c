"""Every route × every role gets the status the design says, and programs are walled off.

Routes that take an id are tried with a match between two *other* people of
the coordinator's program: participants must get 404 (they cannot even learn
it exists), its coordinator may look. ``test_every_route_in_the_url_map_is_classified``
fails when a new route is added without a line here.

The second half adds a second program with its own coordinator and people:
every route of the url map that takes an id, tried with the other program's
objects, gives the first program's coordinator and participants 403 or 404,
and no page of the first program shows a name from the second.
"""

import re
from datetime import timedelta

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchingRound, MatchOrigin, MatchStatus, Notification
from mentormatch.models.user import utcnow
from mentormatch.services import agreements, matches, messages
from mentormatch.services.agreements import MeetingInput, TermsInput
from tests.factories import PASSWORD, default_program, make_program, make_user

ROLES = ("anonymous", "mentee", "mentor", "coordinator", "admin")
LOGIN = "login"  # a 302 to the login page

# route: expected status for (anonymous, mentee, mentor, coordinator of the program, site administrator)
EXPECTED = {
    ("GET", "/"): (200, 200, 200, 200, 200),
    ("GET", "/auth/signup"): (200, 302, 302, 302, 302),
    ("POST", "/auth/signup"): (200, 302, 302, 302, 302),  # anonymous: empty form comes back with errors
    ("GET", "/auth/login"): (200, 302, 302, 302, 302),
    ("POST", "/auth/login"): (200, 302, 302, 302, 302),
    ("POST", "/auth/logout"): (LOGIN, 302, 302, 302, 302),
    ("GET", "/auth/reset"): (200, 200, 200, 200, 200),
    ("POST", "/auth/reset"): (200, 200, 200, 200, 200),  # empty form: errors shown, nothing sent
    ("GET", "/auth/reset/{token}"): (302, 302, 302, 302, 302),  # a forged token goes back to the request form
    ("POST", "/auth/reset/{token}"): (302, 302, 302, 302, 302),
    ("GET", "/auth/welcome/{token}"): (302, 302, 302, 302, 302),  # an invitation: the same form as a reset
    ("POST", "/auth/welcome/{token}"): (302, 302, 302, 302, 302),
    ("POST", "/auth/sessions/end-others"): (LOGIN, 302, 302, 302, 302),
    ("GET", "/auth/email/cancel/{token}"): (200, 200, 200, 200, 200),  # asks first: mail scanners open links
    ("POST", "/auth/email/cancel/{token}"): (302, 302, 302, 302, 302),  # a forged link cancels nothing
    ("GET", "/auth/account"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/auth/confirm/{token}"): (LOGIN, 302, 302, 302, 302),  # a forged link confirms nothing
    ("POST", "/auth/confirm"): (LOGIN, 302, 302, 302, 302),
    ("GET", "/auth/email"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/auth/email"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/auth/email/{token}"): (LOGIN, 302, 302, 302, 302),
    ("GET", "/auth/delete"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/auth/delete"): (LOGIN, 200, 200, 200, 200),  # empty form: errors, nothing deleted
    ("GET", "/auth/password"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/auth/password"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/home"): (LOGIN, 200, 200, 302, 302),
    ("GET", "/healthz"): (200, 200, 200, 200, 200),
    ("GET", "/profile/"): (LOGIN, 200, 200, 302, 302),  # no membership yet: to the Programs page
    ("GET", "/profile/edit"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/profile/edit"): (LOGIN, 200, 200, 200, 200),
    # Credentials and licences with dates: one's own (no profile yet: to the profile form); another's: 404.
    ("GET", "/profile/credentials"): (LOGIN, 200, 200, 302, 302),
    ("GET", "/profile/credentials/new"): (LOGIN, 200, 200, 302, 302),
    ("POST", "/profile/credentials/new"): (LOGIN, 200, 200, 302, 302),  # empty form: errors, nothing saved
    ("GET", "/profile/credentials/{record}/edit"): (LOGIN, 404, 404, 404, 404),
    ("POST", "/profile/credentials/{record}/edit"): (LOGIN, 404, 404, 404, 404),
    ("POST", "/profile/credentials/{record}/remove"): (LOGIN, 404, 404, 404, 404),
    # A mentee's exam plans in a program: mentors have none (403), non-members are not found.
    ("GET", "/programs/{program}/exams"): (LOGIN, 200, 403, 404, 404),
    ("GET", "/programs/{program}/exams/plan"): (LOGIN, 200, 403, 404, 404),
    ("POST", "/programs/{program}/exams/plan"): (LOGIN, 200, 403, 404, 404),  # empty form: errors
    ("POST", "/programs/{program}/exams/remove"): (LOGIN, 404, 403, 404, 404),  # no such plan
    ("GET", "/coordinator/credentials/earned"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/credentials/expiring"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/matches/"): (LOGIN, 200, 200, 302, 302),  # no membership yet: to the Programs page
    ("GET", "/matches/suggestions"): (LOGIN, 200, 403, 302, 302),  # mentor: wrong side
    ("POST", "/matches/request/{mentor}"): (LOGIN, 302, 403, 302, 302),
    ("GET", "/matches/{match}"): (LOGIN, 404, 404, 200, 200),
    ("POST", "/matches/{match}/accept"): (LOGIN, 404, 404, 403, 403),  # the coordinator may look, not act
    ("POST", "/matches/{match}/decline"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/matches/{match}/withdraw"): (LOGIN, 404, 404, 403, 403),
    ("GET", "/notifications/"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/notifications/read"): (LOGIN, 302, 302, 302, 302),
    ("GET", "/agreements/{agreement}"): (LOGIN, 404, 404, 200, 200),
    ("GET", "/agreements/{agreement}/terms"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/terms"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/confirm"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/goals"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/goals/{goal}"): (LOGIN, 404, 404, 403, 403),
    ("GET", "/agreements/{agreement}/meetings/new"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/meetings/new"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/meetings/{meeting}/note"): (LOGIN, 404, 404, 403, 403),
    ("GET", "/agreements/{agreement}/calendar.ics"): (LOGIN, 404, 404, 200, 200),
    ("GET", "/agreements/{agreement}/record"): (LOGIN, 404, 404, 200, 200),
    ("POST", "/agreements/{agreement}/end"): (LOGIN, 404, 404, 400, 400),  # coordinator: empty form, errors back
    ("POST", "/agreements/{agreement}/feedback"): (LOGIN, 404, 404, 403, 403),
    ("GET", "/coordinator/"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/rounds"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/rounds/new"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/rounds/new"): (LOGIN, 403, 403, 200, 200),  # empty form: errors shown, nothing run
    ("POST", "/coordinator/rounds/{round}/withdraw"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: the confirmation page, nothing changed
    ("GET", "/coordinator/pairs/new"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/pairs/new"): (LOGIN, 403, 403, 200, 200),  # empty form: errors shown
    # Console routes last: the coordinator's POSTs change the foreign mentee and withdraw its match.
    ("GET", "/coordinator/queues/"): (LOGIN, 403, 403, 302, 302),
    ("GET", "/coordinator/queues/unmatched"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/queues/unmatched/{user}/candidates"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/queues/waiting"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/queues/waiting/{match}/remind"): (LOGIN, 403, 403, 302, 302),
    ("GET", "/coordinator/queues/declined"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/queues/cadence"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/queues/cadence/{agreement}/nudge"): (LOGIN, 403, 403, 302, 302),
    ("POST", "/coordinator/queues/cadence/{agreement}/end"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: the confirmation page, nothing changed
    ("GET", "/coordinator/queues/flagged"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/people/"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/people/{user}"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/people/{user}/deactivate"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: the confirmation page, nothing changed
    ("POST", "/coordinator/people/{user}/reactivate"): (LOGIN, 403, 403, 302, 302),
    ("POST", "/coordinator/people/{user}/flag"): (LOGIN, 403, 403, 302, 302),  # empty reason: message, back
    ("POST", "/coordinator/people/{user}/unflag"): (LOGIN, 403, 403, 302, 302),
    ("POST", "/coordinator/people/{user}/membership/pause"): (LOGIN, 403, 403, 302, 302),
    ("POST", "/coordinator/people/{user}/membership/resume"): (LOGIN, 403, 403, 302, 302),
    ("GET", "/coordinator/people/{user}/membership/end"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/people/{user}/membership/end"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: the confirmation page, nothing changed
    ("GET", "/coordinator/roster/import"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/roster/import"): (LOGIN, 403, 403, 200, 200),  # no file: the form again with the error
    ("GET", "/coordinator/exports/"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/exports/pairings.csv"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/exports/meetings.csv"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/exports/unmatched.csv"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/audit"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/certificates/"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/certificates/to-issue"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/certificates/policy"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/certificates/policy"): (LOGIN, 403, 403, 200, 200),  # empty form: errors, nothing saved
    ("GET", "/coordinator/certificates/issue/{agreement}"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/certificates/issue/{agreement}"): (LOGIN, 403, 403, 200, 200),  # no dates: asked, none issued
    # CE certificates: the holder's own (a pair the test never logs in as), their program's coordinators; anyone verifies.
    ("GET", "/certificates/"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/certificates/{certificate}"): (LOGIN, 404, 404, 200, 200),
    ("GET", "/certificates/{certificate}.pdf"): (LOGIN, 404, 404, 200, 200),
    ("GET", "/verify/{certificate}"): (200, 200, 200, 200, 200),
    # Programs (anyone signed in) and the site administration.
    ("GET", "/programs/"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/programs/{program}/join"): (LOGIN, 302, 302, 200, 200),  # members already: back to Programs
    ("POST", "/programs/{program}/join"): (LOGIN, 302, 302, 200, 200),
    ("GET", "/programs/{program}/membership"): (LOGIN, 200, 200, 404, 404),  # not a member of it: 404
    ("POST", "/programs/{program}/membership"): (LOGIN, 200, 302, 404, 404),
    ("POST", "/programs/switch"): (LOGIN, 404, 404, 404, 404),  # empty form
    ("POST", "/coordinator/queues/waiting/{match}/end"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: the confirmation page, nothing changed
    ("GET", "/admin/"): (LOGIN, 403, 403, 403, 200),
    ("GET", "/admin/programs/new"): (LOGIN, 403, 403, 403, 200),
    ("POST", "/admin/programs/new"): (LOGIN, 403, 403, 403, 200),
    ("GET", "/admin/programs/{program}/edit"): (LOGIN, 403, 403, 403, 200),
    ("POST", "/admin/programs/{program}/edit"): (LOGIN, 403, 403, 403, 200),  # empty form: messages, kept
    ("GET", "/admin/programs/{program}"): (LOGIN, 403, 403, 403, 200),
    ("POST", "/admin/programs/{program}"): (LOGIN, 403, 403, 403, 200),
    ("GET", "/admin/programs/{program}/coordinators/{user}/remove"): (LOGIN, 403, 403, 403, 404),  # not a coordinator
    ("POST", "/admin/programs/{program}/coordinators/{user}/remove"): (LOGIN, 403, 403, 403, 404),
    # a thread belongs to its two people: nobody else, not even the coordinator, can read or write it
    ("GET", "/matches/{match}/messages"): (LOGIN, 404, 404, 404, 404),
    ("POST", "/matches/{match}/messages"): (LOGIN, 404, 404, 404, 404),
    ("GET", "/matches/{match}/messages/{message}/report"): (LOGIN, 404, 404, 404, 404),
    ("POST", "/matches/{match}/messages/{message}/report"): (LOGIN, 404, 404, 404, 404),
    ("GET", "/coordinator/messages/reported"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/messages/{message}"): (LOGIN, 403, 403, 200, 200),  # reported: the coordinator sees it
    ("GET", "/notifications/{notification}"): (LOGIN, 404, 404, 404, 404),  # only the owner may open it
    ("GET", "/agreements/{agreement}/schedule/new"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/schedule/new"): (LOGIN, 404, 404, 403, 403),
    ("GET", "/agreements/{agreement}/schedule/{scheduled}/move"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/schedule/{scheduled}/move"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/schedule/{scheduled}/confirm"): (LOGIN, 404, 404, 403, 403),
    ("GET", "/agreements/{agreement}/schedule/{scheduled}/cancel"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/schedule/{scheduled}/cancel"): (LOGIN, 404, 404, 403, 403),
    ("POST", "/agreements/{agreement}/schedule/{scheduled}/held"): (LOGIN, 404, 404, 403, 403),
    # confirmation pages before destructive coordinator actions
    ("GET", "/coordinator/people/{user}/deactivate"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/queues/cadence/{agreement}/end"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/queues/waiting/{match}/end"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/rounds/{round}/withdraw"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/roster/template.csv"): (LOGIN, 403, 403, 200, 200),
    # Reminder preferences are each person's own; an unsubscribe link needs no login, and a forged one is not found.
    ("GET", "/reminders/preferences"): (LOGIN, 200, 200, 200, 200),
    ("POST", "/reminders/preferences"): (LOGIN, 302, 302, 302, 302),  # nothing ticked: every email kind off
    ("GET", "/unsubscribe/{token}"): (404, 404, 404, 404, 404),
    ("POST", "/unsubscribe/{token}"): (404, 404, 404, 404, 404),
    # A survey belongs to the pair: nobody else, not even the coordinator, opens or answers it.
    ("GET", "/surveys/"): (LOGIN, 200, 200, 200, 200),
    ("GET", "/surveys/{agreement}/{occasion}"): (LOGIN, 404, 404, 404, 404),
    ("POST", "/surveys/{agreement}/{occasion}"): (LOGIN, 404, 404, 404, 404),
    ("GET", "/coordinator/surveys"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/surveys/results"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/surveys/{stage}/questions"): (LOGIN, 403, 403, 400, 400),  # empty form: errors, nothing added
    ("GET", "/coordinator/surveys/questions/{question}/edit"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/surveys/questions/{question}/edit"): (LOGIN, 403, 403, 400, 400),  # empty: errors, kept
    ("POST", "/coordinator/surveys/questions/{question}/move"): (LOGIN, 403, 403, 400, 400),  # no direction: refused
    ("GET", "/coordinator/surveys/questions/{question}/delete"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/surveys/questions/{question}/delete"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: asked
    ("POST", "/coordinator/surveys/questions/{question}/retire"): (LOGIN, 403, 403, 302, 302),
    ("POST", "/coordinator/surveys/visibility"): (LOGIN, 403, 403, 400, 400),  # no choice: refused, unchanged
    ("GET", "/coordinator/outcome-report"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/outcome-report.csv"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/escalations"): (LOGIN, 403, 403, 200, 200),
    ("GET", "/coordinator/escalations/{escalation}/resolve"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/escalations/{escalation}/resolve"): (LOGIN, 403, 403, 200, 200),  # unconfirmed: asked
    ("GET", "/coordinator/escalations/settings"): (LOGIN, 403, 403, 200, 200),
    ("POST", "/coordinator/escalations/settings"): (LOGIN, 403, 403, 400, 400),  # empty form: errors, nothing saved
    # Single sign-on: an unknown provider (none is configured here) is not found, for anyone.
    ("GET", "/auth/sso/{provider}"): (404, 404, 404, 404, 404),
    ("GET", "/auth/sso/{provider}/callback"): (404, 404, 404, 404, 404),
    # SCIM answers only a provider's bearer token: a browser's login cookie, an administrator's included, is 401.
    **{(method, path): (401, 401, 401, 401, 401)
       for path in ("/scim/v2/", "/scim/v2/{scim_path}") for method in ("GET", "POST", "PUT", "PATCH", "DELETE")},
}

PLACEHOLDERS = {"<int:match_id>": "{match}", "<int:mentor_id>": "{mentor}", "<token>": "{token}",
                "<int:agreement_id>": "{agreement}", "<int:goal_id>": "{goal}", "<int:meeting_id>": "{meeting}",
                "<int:round_id>": "{round}", "<int:user_id>": "{user}", "<int:program_id>": "{program}",
                "<int:message_id>": "{message}", "<int:notification_id>": "{notification}",
                "<int:scheduled_id>": "{scheduled}", "<int:record_id>": "{record}", "<number>": "{certificate}", "<provider>": "{provider}", "<path:path>": "{scim_path}",
                "<int:escalation_id>": "{escalation}", "<int:question_id>": "{question}", "<stage>": "{stage}",
                "<occasion>": "{occasion}"}


def _objects_of(program, names: str) -> dict:
    """A mentor, a round's proposal and an active pair's agreement (with a goal and a meeting) in ``program``,
    between people the tests never log in as; their ids by placeholder, and the people's names and emails."""
    def person(role: str, label: str):
        return make_user(role, program=program, name=f"{names} {label}",
                         email=f"{names.lower()}.{label.lower().replace(' ', '.')}@lab.example.org")

    mentor, proposed_mentee, proposed_mentor = person("mentor", "Mentor"), person("mentee", "Proposed Mentee"), \
        person("mentor", "Proposed Mentor")
    matching_round = MatchingRound(program_id=program.id, method="optimal", weights={}, excluded_pairs=[],
                                   proposals=1, total_score=0.5)
    match = Match(program_id=program.id, mentee_id=proposed_mentee.id, mentor_id=proposed_mentor.id,
                  origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED, round=matching_round)
    db.session.add(match)
    db.session.commit()
    pair_mentee, pair_mentor = person("mentee", "Pair Mentee"), person("mentor", "Pair Mentor")
    active = matches.request_mentor(pair_mentee, program, pair_mentor.id, "")
    matches.accept(active, pair_mentor)
    agreement, today = active.agreement, agreements.today()
    version = agreements.propose_terms(agreement, pair_mentee, TermsInput(
        "monthly", "virtual", today, today + timedelta(days=180), ["specialty:hematology"]))
    agreements.confirm_terms(agreement, pair_mentor, version.number)
    goal = agreements.add_goal(agreement, pair_mentee, "Pass the exam", None)
    meeting = agreements.log_meeting(agreement, pair_mentee,
                                     MeetingInput(today, 60, "virtual", ["specialty:hematology"]))
    scheduled = agreements.propose_meeting(agreement, pair_mentee, agreements.ProposalInput(
        utcnow() + timedelta(days=3), 60, "virtual"))
    message = messages.send_message(active, pair_mentee, "Hello from the pair")
    messages.report_message(active, pair_mentor, message.id, "Reported for the access walk")
    notification = db.session.scalar(db.select(Notification.id).where(Notification.user_id == pair_mentee.id).limit(1))
    from mentormatch.services.credentials import CredentialInput, record_credential
    record = record_credential(pair_mentee, CredentialInput("licence", "ca", expires_on=today + timedelta(days=60)))
    from tests.services.test_certificates import certify_past_meetings
    certificate = certify_past_meetings(agreement)[pair_mentee.id]
    from mentormatch.models import Escalation, SurveyQuestion
    question = SurveyQuestion(program_id=program.id, stage="kickoff", kind="scale", text="How useful was it?")
    escalation = Escalation(program_id=program.id, kind="quiet_pair", subject=f"agreement:{agreement.id}",
                            period="start", reason="No meeting logged", action="Nudge the pair")
    db.session.add_all([question, escalation])
    db.session.commit()
    ids = {"mentor": mentor.id, "match": match.id, "token": "forged.token", "round": matching_round.id,
           "scheduled": scheduled.id, "message": message.id, "notification": notification,
           "user": match.mentee_id,  # a mentee: the candidates page is only for mentees
           "agreement": agreement.id, "goal": goal.id, "meeting": meeting.id, "program": program.id,
           "provider": "entra", "scim_path": "Users", "record": record.id,
           "certificate": certificate, "escalation": escalation.id, "question": question.id, "stage": "kickoff",
           "occasion": "kickoff"}
    shown = [u.name for u in (mentor, proposed_mentee, proposed_mentor, pair_mentee, pair_mentor)] + [
        u.email for u in (mentor, proposed_mentee, proposed_mentor, pair_mentee, pair_mentor)]
    return {"ids": ids, "shown": shown, "active_match": active.id}


@pytest.fixture
def foreign(app):
    """Objects of the coordinator's program (the default one) between people the test never logs in as."""
    with app.app_context():
        ids = _objects_of(default_program(), "Home")["ids"]
        db.session.remove()
    return ids


def _people(app, program=None) -> dict[str, str]:
    """role -> email of someone to log in as: a mentee, a mentor and a coordinator of ``program``, an admin."""
    with app.app_context():
        found = {role: make_user(role, program=program or default_program()).email
                 for role in ROLES if role != "anonymous"}
        db.session.remove()
    return found


def _client(app, email: str | None):
    client = app.test_client()
    if email:
        response = client.post("/auth/login", data={"email": email, "password": PASSWORD})
        assert response.status_code == 302, f"login of {email} failed"
    return client


def _status_ok(response, expected) -> bool:
    if expected == LOGIN:
        return response.status_code == 302 and response.headers["Location"].startswith("/auth/login")
    return response.status_code == expected


@pytest.mark.parametrize("role_index, role", list(enumerate(ROLES)))
def test_each_route_gives_each_role_the_right_status(app, foreign, role_index, role):
    # One test per role: the foreign objects are built once, each route gets a fresh client.
    email = _people(app)[role] if role != "anonymous" else None
    wrong = []
    for (method, path), statuses in EXPECTED.items():
        client = _client(app, email)
        response = client.open(path.format(**foreign), method=method)
        response.close()  # a streamed CSV keeps its request context until closed
        if not _status_ok(response, statuses[role_index]):
            wrong.append(f"{method} {path}: expected {statuses[role_index]}, got {response.status_code}")
    assert not wrong, "\n".join(wrong)


def _routes(app):
    """(method, path with placeholders) of every route in the url map."""
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<[^>]+>", lambda m: PLACEHOLDERS.get(m.group(0), m.group(0)), rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


def test_every_route_in_the_url_map_is_classified(app):
    classified = set(EXPECTED)
    missing = [f"{method} {path}" for method, path in _routes(app) if (method, path) not in classified]
    assert not missing, f"unclassified routes: {sorted(missing)}"
    gone = [f"{method} {path}" for method, path in classified if (method, path) not in set(_routes(app))]
    assert not gone, f"routes classified here that the app no longer has: {sorted(gone)}"


# --- two programs ----------------------------------------------------------------------------------

# Routes that take an id but are not a program's records: a program's own page (the administrator's),
# joining or leaving a program (anyone signed in, for themselves), links carrying a token, SCIM
# (a provider's bearer token, never a login) and the public verification of a CE certificate.
NOT_PROGRAM_RECORDS = ("/admin/", "/programs/", "/auth/", "/scim/", "/verify/")


@pytest.fixture
def two_programs(app):
    """Program A (the default) and program B, each with its coordinator, participants and records."""
    with app.app_context():
        home = _objects_of(default_program(), "Home")
        other_program = make_program("Zeta outreach program")
        other = _objects_of(other_program, "Zeta")
        other_coordinator = make_user("coordinator", program=other_program).email
        db.session.remove()
    return {"home": home, "other": other, "other_coordinator": other_coordinator, "people": _people(app)}


def _id_routes():
    return [(method, path) for method, path in EXPECTED
            if "{" in path.replace("{stage}", "") and "{token}" not in path and not path.startswith(NOT_PROGRAM_RECORDS)]


# Refused with a message and a redirect rather than an error page (the request form's answer to any
# mentor who is not available); the walk checks it changed nothing.
REFUSED_WITH_REDIRECT = {("POST", "/matches/request/{mentor}")}


def _state_of(program_id: int):
    """What a walk through another program's routes must leave as it was."""
    from mentormatch.models import Agreement, Meeting, Membership, Notification, OutboxEmail, User
    from mentormatch.models.agreement_goal import AgreementGoal

    people = db.select(Membership.user_id).where(Membership.program_id == program_id)
    return (
        db.session.execute(db.select(Match.id, Match.status, Match.mentee_id, Match.mentor_id)
                           .where(Match.program_id == program_id).order_by(Match.id)).all(),
        db.session.execute(db.select(MatchingRound.id, MatchingRound.status)
                           .where(MatchingRound.program_id == program_id)).all(),
        db.session.execute(db.select(User.id, User.active, User.is_admin).where(User.id.in_(people))
                           .order_by(User.id)).all(),
        db.session.execute(db.select(Membership.id, Membership.role, Membership.status)
                           .where(Membership.program_id == program_id).order_by(Membership.id)).all(),
        db.session.execute(db.select(Agreement.id, Agreement.status).join(Match)
                           .where(Match.program_id == program_id)).all(),
        db.session.execute(db.select(AgreementGoal.id, AgreementGoal.status)).all(),
        db.session.scalar(db.select(db.func.count()).select_from(Meeting)),
        db.session.scalar(db.select(db.func.count()).select_from(Notification).where(Notification.user_id.in_(people))),
        db.session.scalar(db.select(db.func.count()).select_from(OutboxEmail)),
    )


@pytest.mark.parametrize("role", ["mentee", "mentor", "coordinator"])
def test_nothing_of_another_program_is_reachable_by_id(app, two_programs, role):
    """Every route with an id, given program B's objects: A's coordinator and participants get 403 or 404,
    and B is left exactly as it was."""
    ids = two_programs["other"]["ids"]
    email = two_programs["people"][role]
    with app.app_context():
        before = _state_of(ids["program"])
    wrong = []
    for method, path in _id_routes():
        response = _client(app, email).open(path.format(**ids), method=method)
        response.close()
        refused = (403, 404, 302) if (method, path) in REFUSED_WITH_REDIRECT else (403, 404)
        if response.status_code not in refused:
            wrong.append(f"{method} {path}: got {response.status_code}")
    assert not wrong, f"{role} of program A reached program B's records:\n" + "\n".join(wrong)
    with app.app_context():
        assert _state_of(ids["program"]) == before


def test_the_other_programs_coordinator_does_reach_those_records(app, two_programs):
    """The ids of the walk above are real: B's own coordinator gets the pages A's coordinator may not."""
    ids = two_programs["other"]["ids"]
    client = _client(app, two_programs["other_coordinator"])
    for path in ("/matches/{match}", "/agreements/{agreement}", "/coordinator/people/{user}",
                 "/coordinator/queues/unmatched/{user}/candidates"):
        response = client.get(path.format(**ids))
        assert response.status_code == 200, path


def _pages(app):
    """The GET pages without an id of the coordinator area and the participant areas."""
    return [path for method, path in _routes(app) if method == "GET" and "{" not in path
            and path.startswith(("/coordinator/", "/matches/", "/home", "/profile/", "/programs/", "/notifications/"))]


@pytest.mark.parametrize("role", ["mentee", "mentor", "coordinator"])
def test_no_page_of_one_program_shows_the_other_programs_people(app, two_programs, role):
    shown = two_programs["other"]["shown"]
    client = _client(app, two_programs["people"][role])
    # Asking to work in program B changes nothing for someone who is not in it.
    switched = client.post("/programs/switch", data={"program_id": two_programs["other"]["ids"]["program"]})
    assert switched.status_code in (403, 404)
    leaks = []
    for path in _pages(app):
        response = client.get(path)
        body = response.get_data(as_text=True)
        response.close()
        leaks += [f"{path} shows {text}" for text in shown if text in body]
    assert not leaks, "\n".join(leaks)
    home_names = two_programs["home"]["shown"]
    if role == "coordinator":  # A's pages do show A's people: the check above can fail
        body = client.get("/coordinator/people/?q=Home").get_data(as_text=True)
        assert any(name in body for name in home_names)


def test_only_site_administrators_reach_the_administration(app, two_programs):
    people = two_programs["people"]
    assert _client(app, people["admin"]).get("/admin/").status_code == 200
    for role in ("mentee", "mentor", "coordinator"):
        assert _client(app, people[role]).get("/admin/").status_code == 403, role
    assert _client(app, two_programs["other_coordinator"]).get("/admin/").status_code == 403
    body = _client(app, people["admin"]).get("/admin/").get_data(as_text=True)
    assert "Zeta outreach program" in body and "Test program" in body
