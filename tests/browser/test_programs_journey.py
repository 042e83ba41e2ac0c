"""Issue 13's journey: the administrator creates a program and appoints its coordinator; a
person who mentors in program A joins the new program B as a mentee, gets suggestions there
only, asks a mentor of B, is accepted; the coordinator of A sees nothing of that pair.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from mentormatch.extensions import db
from mentormatch.models import Match, Program
from mentormatch.models.user import utcnow
from mentormatch.services import accounts
from tests.factories import PASSWORD, make_program, make_user

pytestmark = pytest.mark.browser

PROGRAM_A = "New graduate onboarding"
PROGRAM_B = "Blood bank SBB preparation"
MENTEE = "Priya Nair"          # mentors in A, joins B as a mentee
A_ONLY_MENTOR = "Omar Haddad"  # a mentor in A only: a perfect fit, but never suggested in B
B_MENTOR = "Grace Ho"
COORDINATOR_A = "Alma Reyes"
COORDINATOR_B = "Bea Lindqvist"


def _log_in(browser: Browser, base_url: str, email: str) -> Page:
    page = browser.new_context().new_page()
    page.goto(f"{base_url}/auth/login")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(lambda url: "/auth/login" not in url)
    return page


def _main(page: Page):
    return page.locator("main")


def test_admin_creates_a_program_and_a_mentor_of_another_joins_it_as_a_mentee(browser: Browser, app,
                                                                               live_server: str):
    microbiology = dict(specialties=["microbiology"], credentials=["ascp_mls", "ascp_sm"],
                        goals=["specialist_certification", "supervisor"])
    with app.app_context():
        program_a = make_program(PROGRAM_A, track="new_graduate")
        admin = make_user("admin", name="Sam Admin")
        coordinator_a = make_user("coordinator", name=COORDINATOR_A, program=program_a)
        mentee = make_user("mentor", name=MENTEE, program=program_a, specialties=["microbiology"],
                           credentials=["ascp_mls"])
        a_only = make_user("mentor", name=A_ONLY_MENTOR, program=program_a, **microbiology)
        # An existing account with no program yet: the administrator appoints it by its email.
        coordinator_b = accounts.register("bea.lindqvist@lab.example.org", COORDINATOR_B, PASSWORD)
        coordinator_b.email_confirmed_at = utcnow()
        db.session.commit()
        emails = dict(admin=admin.email, coordinator_a=coordinator_a.email, mentee=mentee.email,
                      coordinator_b=coordinator_b.email)
        ids = dict(mentee=mentee.id, a_only=a_only.id)
        db.session.remove()

    # The administrator creates program B through the form and appoints its coordinator.
    admin_page = _log_in(browser, live_server, emails["admin"])
    admin_page.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    expect(admin_page.get_by_role("heading", name="Administration")).to_be_visible()
    admin_page.get_by_role("link", name="Create a program").click()
    admin_page.get_by_label("Name", exact=True).fill(PROGRAM_B)
    admin_page.get_by_label("Description").fill("Six months toward the ASCP SBB exam.")
    admin_page.get_by_label("Track").select_option(label="Certification exam preparation (e.g. SBB)")
    expect(admin_page.get_by_label("Who may join", exact=True)).to_have_value("open")
    admin_page.get_by_role("button", name="Create the program").click()
    expect(admin_page.get_by_role("heading", name=PROGRAM_B, level=1)).to_be_visible()
    expect(admin_page.get_by_role("status")).to_have_text(f"{PROGRAM_B} is created. Appoint its coordinators next.")
    expect(admin_page.get_by_text("No coordinator yet:")).to_be_visible()
    admin_page.get_by_label("Email of an existing account").fill(emails["coordinator_b"])
    admin_page.get_by_role("button", name="Appoint as coordinator").click()
    # A confirmation page names the account behind the address before anything changes.
    expect(admin_page.get_by_role("heading", level=1)).to_have_text(
        f"Make {COORDINATOR_B} a coordinator of {PROGRAM_B}?")
    with app.app_context():
        assert db.session.scalar(db.select(Program).where(Program.name == PROGRAM_B)).coordinators == []
        db.session.remove()
    admin_page.get_by_role("button", name=f"Appoint {COORDINATOR_B}").click()
    expect(admin_page.get_by_role("status")).to_have_text(f"{COORDINATOR_B} now coordinates {PROGRAM_B}.")
    coordinators = admin_page.locator("section", has=admin_page.get_by_role("heading", name="Coordinators"))
    expect(coordinators).to_contain_text(COORDINATOR_B)
    admin_page.get_by_role("link", name="Back to the programs").click()
    row = admin_page.get_by_role("row", name=re.compile(PROGRAM_B))
    expect(row).to_contain_text(COORDINATOR_B)
    expect(admin_page.get_by_role("row", name=re.compile(PROGRAM_A))).to_contain_text(COORDINATOR_A)

    # The appointed coordinator sees program B's coordinator area.
    coordinator_b_page = _log_in(browser, live_server, emails["coordinator_b"])
    coordinator_b_page.get_by_role("navigation", name="Main").get_by_role("link", name="Coordinate").click()
    expect(coordinator_b_page.get_by_role("heading", level=1)).to_have_text(f"{PROGRAM_B}: dashboard")
    expect(coordinator_b_page.get_by_role("navigation", name="Coordinator area")).to_contain_text(PROGRAM_B)

    with app.app_context():
        program_b = db.session.scalar(db.select(Program).where(Program.name == PROGRAM_B))
        assert program_b is not None and [c.email for c in program_b.coordinators] == [emails["coordinator_b"]]
        b_mentor = make_user("mentor", name=B_MENTOR, program=program_b, specialties=["microbiology"],
                             credentials=["ascp_mls", "ascp_sbb"], goals=["supervisor"])
        emails["b_mentor"], ids["b_mentor"] = b_mentor.email, b_mentor.id
        db.session.remove()

    # A mentor of A joins B as a mentee, answering B's questions.
    mentee_page = _log_in(browser, live_server, emails["mentee"])
    mentee_page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    mine = mentee_page.locator("section", has=mentee_page.get_by_role("heading", name="My programs"))
    expect(mine.get_by_role("row", name=re.compile(PROGRAM_A))).to_contain_text("Mentor")
    joinable = mentee_page.locator("section", has=mentee_page.get_by_role("heading", name="Programs you can join"))
    expect(joinable).not_to_contain_text(PROGRAM_A)  # already in it
    joinable.get_by_role("link", name=f"Join {PROGRAM_B}").click()
    expect(mentee_page.get_by_role("heading", name=f"Join {PROGRAM_B}")).to_be_visible()
    mentee_page.get_by_role("radio", name="A mentee: I want guidance").check()
    goals = mentee_page.get_by_role("group", name="Career goals you seek in this program")
    goals.get_by_role("checkbox", name="Supervisor or lead").check()
    mentee_page.get_by_role("group", name="Credentials you are working toward").get_by_role(
        "checkbox", name="ASCP SBB (specialist in blood banking)").check()
    mentee_page.get_by_role("button", name="Join the program").click()
    expect(mentee_page.get_by_role("status")).to_have_text(f"Welcome to {PROGRAM_B}.")
    mentee_page.get_by_role("navigation", name="Main").get_by_role("link", name="Programs").click()
    expect(mine.get_by_role("row", name=re.compile(PROGRAM_B))).to_contain_text("Mentee")

    # Suggestions come from B's mentors only: the A-only mentor is a perfect fit but is never shown.
    mentee_page.get_by_role("navigation", name="Main").get_by_role("link", name="Find a mentor").click()
    suggestions = mentee_page.locator("article.suggestion")
    expect(suggestions.first).to_contain_text(B_MENTOR)
    expect(_main(mentee_page)).not_to_contain_text(A_ONLY_MENTOR)
    expect(suggestions).to_have_count(1)
    first = suggestions.first
    first.get_by_label(f"A short message to {B_MENTOR} (optional)").fill("I sit the SBB exam in spring.")
    first.get_by_role("button", name=f"Ask {B_MENTOR} to mentor me").click()
    expect(mentee_page.get_by_text(f"Your request was sent to {B_MENTOR}.")).to_be_visible()
    match_url = mentee_page.url
    # Asking the A-only mentor anyway (a forged form post) is refused: a match never crosses programs.
    token = mentee_page.locator("input[name=csrf_token]").first.get_attribute("value")
    forged = mentee_page.request.post(f"{live_server}/matches/request/{ids['a_only']}",
                                      form={"csrf_token": token, "message": ""})
    assert forged.ok and f"Your request was sent to {A_ONLY_MENTOR}" not in forged.text()
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(Match)
                                 .where(Match.mentor_id == ids["a_only"])) == 0
        db.session.remove()

    # B's mentor accepts.
    mentor_page = _log_in(browser, live_server, emails["b_mentor"])
    mentor_page.get_by_role("link", name="My matches").click()
    mentor_page.get_by_role("link", name=MENTEE).click()
    expect(mentor_page.get_by_text("I sit the SBB exam in spring.")).to_be_visible()
    mentor_page.get_by_role("button", name="Accept").click()
    expect(mentor_page.get_by_text("You are matched!")).to_be_visible()
    mentee_page.goto(match_url)
    expect(mentee_page.locator("hgroup")).to_contain_text("Active")

    # B's coordinator sees the pair: the pages below do show it where it belongs ...
    coordinator_b_page.goto(f"{live_server}/coordinator/")
    active_b = coordinator_b_page.locator("article", has=coordinator_b_page.get_by_text("Active pairs", exact=True))
    expect(active_b.locator(".figure")).to_have_text("1")
    coordinator_b_page.goto(f"{live_server}/coordinator/people/{ids['mentee']}")
    expect(_main(coordinator_b_page)).to_contain_text(B_MENTOR)

    # ... and A's coordinator sees nothing of it anywhere in their area.
    coordinator_a_page = _log_in(browser, live_server, emails["coordinator_a"])
    coordinator_a_page.get_by_role("navigation", name="Main").get_by_role("link", name="Coordinate").click()
    expect(coordinator_a_page.get_by_role("heading", level=1)).to_have_text(f"{PROGRAM_A}: dashboard")
    active_a = coordinator_a_page.locator("article", has=coordinator_a_page.get_by_text("Active pairs", exact=True))
    expect(active_a.locator(".figure")).to_have_text("0")
    for path in ("/coordinator/", "/coordinator/queues/unmatched", "/coordinator/queues/waiting?days=0",
                 "/coordinator/queues/declined", "/coordinator/queues/cadence", "/coordinator/queues/flagged",
                 "/coordinator/rounds", "/coordinator/people/", "/coordinator/people/?q=Grace",
                 f"/coordinator/people/{ids['mentee']}", "/coordinator/audit"):
        coordinator_a_page.goto(live_server + path)
        expect(_main(coordinator_a_page), path).not_to_contain_text(B_MENTOR)
        expect(_main(coordinator_a_page), path).not_to_contain_text(PROGRAM_B)
    # The mentee is A's mentor: A's people page shows her, as a mentor, and no match of hers.
    coordinator_a_page.goto(f"{live_server}/coordinator/people/")
    expect(_main(coordinator_a_page)).to_contain_text(MENTEE)
    expect(_main(coordinator_a_page)).to_contain_text(A_ONLY_MENTOR)
    coordinator_a_page.goto(f"{live_server}/coordinator/people/{ids['b_mentor']}")
    expect(coordinator_a_page.get_by_role("heading", level=1)).not_to_have_text(B_MENTOR)
    assert coordinator_a_page.request.get(f"{live_server}/coordinator/people/{ids['b_mentor']}").status == 404
    pairings = coordinator_a_page.request.get(f"{live_server}/coordinator/exports/pairings.csv")
    assert pairings.ok and B_MENTOR not in pairings.text() and MENTEE not in pairings.text()
