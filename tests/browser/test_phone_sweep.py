"""Every GET page of the url map, for every role, on a 390 × 844 phone.

For each role (anonymous, mentee, mentor, coordinator, site administrator and
someone in two programs) one logged-in browser context opens every page, its
ids filled from a world of real objects (a proposal, an active pair with
confirmed terms, a meeting, a scheduled meeting, messages, notifications, two
programs), and checks that:

- nothing is wider than the phone (``scrollWidth <= innerWidth``), menu open or closed;
- every control of the main navigation is visible, or becomes so once "Menu" is opened,
  and the role's navigation targets are all there (print views, in PRINT_VIEWS, have none on purpose);
- axe-core finds no serious or critical violation;
- no space stands before punctuation in the visible text ("Grace Ho ." from a template's line break);
- no link is named only by a number ("2" for a page, "17" for a match).

A GET route the sweep does not know fails the test with its rule, so a page
added later gets classified here: in PAGES (opened), or in SKIPPED with the reason.
``PHONE_SWEEP_SHOTS=/some/dir`` saves a screenshot of each page opened.
"""

from __future__ import annotations

import os
import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from mentormatch.extensions import db
from mentormatch.models import Match, MatchingRound, MatchOrigin, MatchStatus, Notification
from mentormatch.models.meeting import ScheduledMeeting
from mentormatch.services import agreements, matches
from mentormatch.services.agreements import MeetingInput, TermsInput
from tests.browser.test_accessibility import serious_violations
from tests.factories import PASSWORD, default_program, make_program, make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}

# Every GET page the sweep opens (rules as in the url map).
PAGES = {
    "/", "/home", "/auth/signup", "/auth/login", "/auth/reset", "/auth/reset/<token>", "/auth/welcome/<token>",
    "/auth/email/cancel/<token>", "/auth/account", "/auth/confirm/<token>", "/auth/email", "/auth/email/<token>",
    "/auth/delete", "/auth/password",
    "/profile/", "/profile/edit",
    "/profile/credentials", "/profile/credentials/new", "/profile/credentials/<int:record_id>/edit",
    "/programs/<int:program_id>/exams", "/programs/<int:program_id>/exams/plan",
    "/coordinator/credentials/earned", "/coordinator/credentials/expiring",
    "/programs/", "/programs/<int:program_id>/join", "/programs/<int:program_id>/membership",
    "/matches/", "/matches/suggestions", "/matches/<int:match_id>",
    "/matches/<int:match_id>/messages", "/matches/<int:match_id>/messages/<int:message_id>/report",
    "/notifications/", "/notifications/<int:notification_id>",
    "/agreements/<int:agreement_id>", "/agreements/<int:agreement_id>/terms",
    "/agreements/<int:agreement_id>/meetings/new", "/agreements/<int:agreement_id>/record",
    "/agreements/<int:agreement_id>/schedule/new", "/agreements/<int:agreement_id>/schedule/<int:scheduled_id>/move",
    "/agreements/<int:agreement_id>/schedule/<int:scheduled_id>/cancel",
    "/coordinator/", "/coordinator/rounds", "/coordinator/rounds/new", "/coordinator/pairs/new",
    "/coordinator/queues/", "/coordinator/queues/unmatched", "/coordinator/queues/unmatched/<int:user_id>/candidates",
    "/coordinator/queues/waiting", "/coordinator/queues/declined", "/coordinator/queues/cadence",
    "/coordinator/queues/flagged", "/coordinator/people/", "/coordinator/people/<int:user_id>",
    "/coordinator/people/<int:user_id>/membership/end", "/coordinator/people/<int:user_id>/deactivate",
    "/coordinator/queues/cadence/<int:agreement_id>/end", "/coordinator/queues/waiting/<int:match_id>/end",
    "/coordinator/rounds/<int:round_id>/withdraw", "/coordinator/roster/import", "/coordinator/exports/",
    "/coordinator/audit", "/coordinator/messages/reported", "/coordinator/messages/<int:message_id>",
    "/coordinator/certificates/", "/coordinator/certificates/to-issue", "/coordinator/certificates/policy",
    "/coordinator/certificates/issue/<int:agreement_id>", "/certificates/", "/certificates/<number>", "/verify/<number>",
    "/reminders/preferences", "/unsubscribe/<token>", "/surveys/", "/surveys/<int:agreement_id>/<occasion>",
    "/coordinator/surveys", "/coordinator/surveys/results", "/coordinator/surveys/questions/<int:question_id>/edit",
    "/coordinator/surveys/questions/<int:question_id>/delete", "/coordinator/outcome-report",
    "/coordinator/escalations", "/coordinator/escalations/<int:escalation_id>/resolve",
    "/coordinator/escalations/settings",
    "/admin/", "/admin/programs/new", "/admin/programs/<int:program_id>", "/admin/programs/<int:program_id>/edit",
    "/admin/programs/<int:program_id>/coordinators/<int:user_id>/remove",
    # The demo mailbox, when the installation turns it on (DEV_MAILBOX).
    "/dev/mailbox/", "/dev/mailbox/<int:email_id>",
}
SKIPPED = {
    "/static/<path:filename>": "stylesheets, scripts and images, not pages",
    "/healthz": "a JSON answer for the load balancer, not a page",
    "/auth/sso/<provider>": "sends the browser to the identity provider (tests/browser/test_sso_journey.py)",
    "/auth/sso/<provider>/callback": "where the identity provider sends the browser back, not a page",
    "/scim/v2/": "the SCIM JSON API for identity providers, not a page",
    "/scim/v2/<path:path>": "the SCIM JSON API for identity providers, not a page",
}
DOWNLOADS = (".ics", ".csv", ".xlsx", ".pdf")  # files the browser saves, not pages: skipped wherever they are
# Print views: no site navigation on purpose (styles inlined, read offline); every other check still applies.
PRINT_VIEWS = {"/agreements/<int:agreement_id>/record", "/certificates/<number>", "/verify/<number>"}

# A URL argument -> the world's object that fills it.
ARGUMENTS = {"match_id": "match", "agreement_id": "agreement", "user_id": "user", "program_id": "program",
             "notification_id": "notification", "message_id": "message", "meeting_id": "meeting",
             "goal_id": "goal", "round_id": "round", "mentor_id": "mentor", "token": "token",
             "scheduled_id": "scheduled", "scheduled_meeting_id": "scheduled", "email_id": "email",
             "record_id": "record", "number": "certificate", "question_id": "question",
             "escalation_id": "escalation", "occasion": "occasion"}
# Where one page needs another object than the argument's usual one.
OVERRIDES = {"/admin/programs/<int:program_id>/coordinators/<int:user_id>/remove": {"user_id": "coordinator"},
             "/auth/reset/<token>": {"token": "reset_token"}, "/auth/welcome/<token>": {"token": "reset_token"},
             "/unsubscribe/<token>": {"token": "unsubscribe_token"}}

ROLES = ("anonymous", "mentee", "mentor", "coordinator", "admin", "two_programs")
# Navigation targets each role must be able to reach (more may be there).
NAVIGATION = {
    "anonymous": {"Log in", "Sign up"},
    "mentee": {"Home", "Find a mentor", "My matches", "My profile", "Programs", "Notifications", "Log out"},
    "mentor": {"Home", "My matches", "My profile", "Programs", "Notifications", "Log out"},
    "coordinator": {"Home", "Programs", "Notifications", "Coordinate", "Log out"},
    "admin": {"Home", "Programs", "Notifications", "Administration", "Log out"},
    "two_programs": {"Home", "My matches", "My profile", "Programs", "Notifications", "Program", "Switch", "Log out"},
}

# Pages each role must get as themselves (200, no redirect): the world's ids are that role's own objects,
# so the sweep checks real pages rather than "not found".
REACHED = {
    "anonymous": {"/", "/auth/login", "/auth/signup", "/auth/reset/<token>", "/verify/<number>",
                  "/unsubscribe/<token>"},
    "mentee": {"/home", "/matches/<int:match_id>", "/agreements/<int:agreement_id>", "/matches/suggestions",
               "/matches/<int:match_id>/messages", "/matches/<int:match_id>/messages/<int:message_id>/report",
               "/profile/credentials", "/profile/credentials/<int:record_id>/edit", "/programs/<int:program_id>/exams",
               "/certificates/", "/certificates/<number>", "/surveys/<int:agreement_id>/<occasion>",
               "/reminders/preferences"},
    "mentor": {"/home", "/matches/<int:match_id>", "/agreements/<int:agreement_id>/terms", "/profile/",
               "/certificates/<number>"},
    "coordinator": {"/coordinator/", "/coordinator/people/<int:user_id>", "/matches/<int:match_id>",
                    "/coordinator/queues/unmatched/<int:user_id>/candidates", "/coordinator/messages/<int:message_id>",
                    "/coordinator/escalations/<int:escalation_id>/resolve",
                    "/coordinator/surveys/questions/<int:question_id>/edit", "/coordinator/outcome-report"},
    "admin": {"/admin/", "/admin/programs/<int:program_id>",
              "/admin/programs/<int:program_id>/coordinators/<int:user_id>/remove"},
    "two_programs": {"/home", "/programs/", "/agreements/<int:agreement_id>", "/matches/<int:match_id>/messages"},
}

STRAY_SPACE = re.compile(r"\s[.,;:!?](\s|$)")


def _routes(app) -> list[str]:
    """The GET page rules of the url map, in order; fails on a rule the sweep does not know."""
    pages, unknown = [], []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.rule in SKIPPED or rule.rule.endswith(DOWNLOADS):
            continue
        (pages if rule.rule in PAGES else unknown).append(rule.rule)
    assert not unknown, ("GET routes the phone sweep does not know: add each to PAGES in "
                         f"tests/browser/test_phone_sweep.py, or to SKIPPED with the reason: {unknown}")
    return pages


def _fill(rule: str, ids: dict) -> str:
    overrides = OVERRIDES.get(rule, {})

    def value(found: re.Match) -> str:
        name = found.group(1).split(":")[-1]
        assert name in ARGUMENTS, f"{rule}: the sweep has no object for <{found.group(1)}>: add it to ARGUMENTS"
        return str(ids[overrides.get(name, ARGUMENTS[name])])

    return re.sub(r"<([^>]+)>", value, rule)


def _person(role: str, program, label: str, **fields):
    return make_user(role, program=program, name=f"{label} Sweep",
                     email=f"{label.lower().replace(' ', '.')}.sweep@lab.example.org", **fields)


def _note(user, text: str, **fields) -> int:
    row = Notification(user_id=user.id, kind="agreement", text=text, **fields)
    db.session.add(row)
    db.session.commit()
    return row.id


@pytest.fixture
def world(app) -> dict:
    """The objects every page needs, and for each role who logs in and which ids fill its URLs."""
    from mentormatch.services import accounts, messages
    from mentormatch.services.transactions import transaction

    with app.app_context():
        home = default_program()
        home.name = "Hematology onboarding"
        db.session.commit()
        other = make_program("SBB exam preparation", track="certification",
                             description="Monthly sessions toward the ASCP specialist in blood banking exam.")
        coordinator = make_user("coordinator", program=home, name="Morgan Coordinator",
                                email="morgan.coordinator@lab.example.org")
        admin = make_user("admin", name="Sam Administrator", email="sam.admin@lab.example.org")
        mentee = _person("mentee", home, "Dana Okafor", time_zone="America/New_York")
        mentor = _person("mentor", home, "Grace Ho", time_zone="America/Los_Angeles")
        unmatched = _person("mentee", home, "Lee Unmatched")
        proposed_mentee, proposed_mentor = _person("mentee", home, "Ava Proposed"), _person("mentor", home, "Ben Proposed")
        # Someone in two programs: a mentor here, a mentee in the other, with a pair there.
        both = _person("mentor", home, "Riley Both")
        from tests.factories import join

        join(both, "mentee", other)
        other_mentor = _person("mentor", other, "Quinn Other")

        matching_round = MatchingRound(program_id=home.id, method="optimal", weights={}, excluded_pairs=[],
                                       proposals=1, total_score=0.5)
        proposal = Match(program_id=home.id, mentee_id=proposed_mentee.id, mentor_id=proposed_mentor.id,
                         origin=MatchOrigin.ROUND, status=MatchStatus.PROPOSED, round=matching_round)
        db.session.add(proposal)
        db.session.commit()

        def active_pair(a_mentee, a_mentor, program):
            match = matches.request_mentor(a_mentee, program, a_mentor.id, "I would like help with the MLS route.")
            matches.accept(match, a_mentor)
            agreement, today = match.agreement, agreements.today()
            version = agreements.propose_terms(agreement, a_mentee, TermsInput(
                "monthly", "virtual", today - timedelta(days=40), today + timedelta(days=140),
                ["specialty:hematology"]))
            agreements.confirm_terms(agreement, a_mentor, version.number)
            goal = agreements.add_goal(agreement, a_mentee, "Pass the MLS exam", today + timedelta(days=90))
            meeting = agreements.log_meeting(agreement, a_mentee,
                                             MeetingInput(today - timedelta(days=10), 60, "virtual",
                                                          ["specialty:hematology"]))
            scheduled = ScheduledMeeting(
                agreement_id=agreement.id, uid=f"{uuid.uuid4()}@mentormatch", status="proposed",
                starts_at=datetime.now(UTC).replace(microsecond=0) + timedelta(days=3),
                duration_minutes=45, mode="virtual", location="https://meet.example.org/okafor-ho",
                proposed_by_id=a_mentee.id)
            db.session.add(scheduled)
            db.session.commit()
            first = messages.send_message(match, a_mentee, "Hello! Could we meet next week to plan the exam?")
            second = messages.send_message(match, a_mentor, "Yes, Tuesday at noon works for me.")
            return match, agreement, goal, meeting, scheduled, first, second

        match, agreement, goal, meeting, scheduled, from_mentee, from_mentor = active_pair(mentee, mentor, home)
        messages.report_message(match, mentee, from_mentor.id, "Testing the report page.")
        both_match, both_agreement, *_rest, _, both_from_mentor = active_pair(both, other_mentor, other)
        both_goal, both_meeting, both_scheduled = _rest

        # Credentials with dates, a licence due for renewal and an exam plan: the pages show real rows.
        from mentormatch.services import credentials, exam_plans
        credentials.record_credential(mentee, credentials.CredentialInput("credential", "ascp_mlt",
                                                                          earned_on=agreements.today()))
        licence = credentials.record_credential(mentee, credentials.CredentialInput(
            "licence", "ny", expires_on=agreements.today() + timedelta(days=30), licence_number="NY-123456"))
        exam_plans.save_plan(mentee, mentee.membership_in(home.id), exam_plans.ExamPlanInput(
            "ascp_mls", category="Medical Laboratory Scientist (MLS)",
            planned_on=agreements.today() + timedelta(days=90)))
        from tests.services.test_certificates import certify_past_meetings
        certificate = certify_past_meetings(agreement, coordinator)  # the pair's meetings so far: CE certificates
        # A kick-off survey question (the pair's survey is open), an escalation and an unsubscribe link.
        from mentormatch.models import Escalation
        from mentormatch.services import surveys
        from mentormatch.services.reminders import preferences
        question = surveys.add_question(home, coordinator, "kickoff", "scale", "How clear are your goals for this year?")
        escalation = Escalation(program_id=home.id, kind="quiet_pair", subject=f"agreement:{agreement.id}",
                                period="start", reason="Dana Okafor Sweep and Grace Ho Sweep have logged no meeting "
                                "for 23 days.", action="Nudge the pair or check in with them",
                                path=f"/coordinator/people/{mentee.id}")
        db.session.add(escalation)
        db.session.commit()
        with transaction():
            token_email = accounts.reset_link_email(unmatched)
        reset_token = re.search(r"/auth/reset/(\S+)", token_email.body).group(1)
        common = {"match": match.id, "agreement": agreement.id, "user": unmatched.id, "program": home.id,
                  "goal": goal.id, "meeting": meeting.id, "round": matching_round.id, "mentor": mentor.id,
                  "token": "forged.token", "reset_token": reset_token, "scheduled": scheduled.id,
                  "message": from_mentor.id, "coordinator": coordinator.id, "email": 1, "record": licence.id,
                  "certificate": certificate[mentee.id], "question": question.id, "escalation": escalation.id,
                  "occasion": "kickoff", "unsubscribe_token": preferences.unsubscribe_token(mentee.id, ["survey"])}
        people = {
            "anonymous": (None, {**common, "notification": 1}),
            "mentee": (mentee, {"message": from_mentor.id}),
            "mentor": (mentor, {"message": from_mentee.id, "certificate": certificate[mentor.id]}),
            "coordinator": (coordinator, {}),
            "admin": (admin, {}),
            "two_programs": (both, {"match": both_match.id, "agreement": both_agreement.id, "program": other.id,
                                    "goal": both_goal.id, "meeting": both_meeting.id, "scheduled": both_scheduled.id,
                                    "message": both_from_mentor.id}),
        }
        found = {}
        for role, (user, own) in people.items():
            ids = {**common, **own}
            if user is not None:
                _note(user, f"A read notification for {user.name}", read_at=datetime.now(UTC))
                ids["notification"] = _note(user, f"Something new for {user.name}", match_id=ids["match"])
            found[role] = {"email": user.email if user else None, "ids": ids}
        db.session.remove()
    return found


def _log_in(page: Page, base_url: str, email: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)


NAV_CONTROLS = """() => {
  const nav = document.querySelector('nav[aria-label="Main"]');
  if (!nav) return null;
  return [...nav.querySelectorAll('a[href], button, select, summary')].map(el => {
    const r = el.getBoundingClientRect(), style = getComputedStyle(el);
    const label = el.labels && el.labels.length ? el.labels[0].textContent : '';
    // checkVisibility: a closed <details>' content has a layout box but is not rendered.
    return {name: (el.getAttribute('aria-label') || label || el.textContent || '').trim().replace(/\\s+/g, ' '),
            summary: el.tagName === 'SUMMARY',
            visible: el.checkVisibility({visibilityProperty: true, opacityProperty: true})
                     && r.width > 0 && r.height > 0 && style.visibility !== 'hidden'
                     && r.left >= -0.5 && r.right <= window.innerWidth + 0.5};
  });
}"""

NUMERIC_LINKS = """() => [...document.querySelectorAll('a[href]')].filter(a => a.getClientRects().length).filter(a => {
  let name = a.getAttribute('aria-label');
  const by = a.getAttribute('aria-labelledby');
  if (!name && by) name = by.split(/\\s+/).map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
  if (!name) name = a.innerText || a.getAttribute('title') || '';
  return /\\d/.test(name) && /^[\\s\\d.,:;#%/+()\\-–]*$/.test(name);
}).map(a => a.outerHTML.slice(0, 140))"""

OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"
# What sticks out, for the message: the innermost elements past the right edge.
WIDE = """() => [...document.body.querySelectorAll('*')].filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5
  && ![...el.children].some(c => c.getBoundingClientRect().right > window.innerWidth + 0.5))
  .slice(0, 3).map(el => el.outerHTML.slice(0, 100))"""


def _nav_problems(page: Page, role: str) -> list[str]:
    controls = page.evaluate(NAV_CONTROLS)
    if controls is None:
        return ["no main navigation"]
    problems = []
    if any(not c["visible"] for c in controls if not c["summary"]):
        summary = page.locator('nav[aria-label="Main"] summary')
        if summary.count() and summary.is_visible():
            summary.click()
            controls = page.evaluate(NAV_CONTROLS)
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                problems.append(f"the open menu is {overflow}px wider than the phone: {page.evaluate(WIDE)}")
    hidden = [c["name"] for c in controls if not c["visible"] and not c["summary"]]
    if hidden:
        problems.append(f"navigation targets out of reach: {hidden}")
    names = [c["name"] for c in controls]
    missing = [want for want in NAVIGATION[role] if not any(n == want or n.startswith(want + " ") for n in names)]
    if missing:
        problems.append(f"navigation lacks {missing} (has {names})")
    return problems


def _text_problems(page: Page) -> list[str]:
    text = page.evaluate("document.body.innerText")
    problems = [f"space before punctuation: …{text[max(0, m.start() - 30):m.end() + 10]!r}…"
                for m in STRAY_SPACE.finditer(text)]
    problems += [f"a link named only by a number: {html}" for html in page.evaluate(NUMERIC_LINKS)]
    problems += [f"a link posing as a button: {html}" for html in page.evaluate(
        "[...document.querySelectorAll('a[role=button]')].map(a => a.outerHTML.slice(0, 140))")]
    return problems


@pytest.mark.parametrize("role", ROLES)
def test_every_page_fits_a_phone_and_passes_axe(browser: Browser, app, live_server: str, world, role: str):
    rules = _routes(app)
    who = world[role]
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    if who["email"]:
        _log_in(page, live_server, who["email"])
    shots = os.environ.get("PHONE_SWEEP_SHOTS")
    seen, problems, reached = set(), [], set()
    try:
        for rule in rules:
            path = _fill(rule, who["ids"])
            response = page.goto(live_server + path)
            status = response.status if response else 0
            landed = urlsplit(page.url).path
            if status == 200 and landed == urlsplit(path).path:
                reached.add(rule)
            if status >= 500:
                problems.append(f"{path}: error {status}")
                continue
            # A redirect to a page already checked (the login page, the error page) is not checked again.
            key = landed if status == 200 else (landed, status)
            if key in seen:
                continue
            seen.add(key)
            where = path if landed == urlsplit(path).path else f"{path} (→ {landed}, {status})"
            overflow = page.evaluate(OVERFLOW)
            if overflow > 0:
                problems.append(f"{where}: {overflow}px wider than the phone: {page.evaluate(WIDE)}")
            problems += [f"{where}: {p}" for p in _text_problems(page)]
            if not (rule in PRINT_VIEWS and status == 200 and landed == urlsplit(path).path):
                problems += [f"{where}: {p}" for p in _nav_problems(page, role)]
            if landed.startswith("/coordinator/") and status == 200 and not page.locator(
                    'nav[aria-label="Coordinator area"]').count():
                problems.append(f"{where}: a coordinator page without the coordinator area's navigation")
            problems += [f"{where}: {v}" for v in serious_violations(page)]
            if shots:
                Path(shots).mkdir(parents=True, exist_ok=True)
                name = re.sub(r"[^a-z0-9]+", "-", f"{role}{landed}".lower()).strip("-")
                page.screenshot(path=f"{shots}/{name}.png", full_page=True)
    finally:
        context.close()
    assert not problems, f"{role}:\n" + "\n".join(problems)
    assert REACHED[role] <= reached, f"{role} did not reach {sorted(REACHED[role] - reached)}"
