"""A mentee's first visit, in a real browser: sign up, fill the profile, answer the
program's questions, come back to it.

With one open program (the small hospital), signing up as a mentee enrols the
person in it directly; the goals and credentials sought are that membership's.
Every field is found by its accessible name (label, legend, role), so these
tests also prove that labels are tied to their inputs.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.factories import default_program
from tests.outbox import Outbox

pytestmark = pytest.mark.browser

NAME = "Dana Okafor"
EMAIL = "dana.okafor@riverside.example.org"
PASSWORD = "a long enough password"
PROGRAM = "Test program"  # tests.factories.default_program(): the only open program


def profile_value(page: Page, term: str):
    """The <dd> shown for a <dt> on the profile page."""
    return page.locator("dl.profile dt", has_text=re.compile(f"^{re.escape(term)}$")).locator("xpath=following-sibling::dd[1]")


def fill_profile(page: Page, *, years: str = "4") -> None:
    page.get_by_label("Job title").fill("Medical Laboratory Technician")
    page.get_by_label("Organisation").fill("Riverside General Hospital")
    page.get_by_label("Years working in the laboratory").fill(years)
    specialties = page.get_by_role("group", name="Specialties")
    specialties.get_by_role("checkbox", name="Microbiology").check()
    specialties.get_by_role("checkbox", name="Molecular diagnostics").check()
    page.get_by_role("group", name="Credentials you hold").get_by_role("checkbox", name="ASCP MLT").check()
    page.get_by_label("What do you hope to get from mentoring?").fill("Plan my route to the SM exam.")
    page.get_by_label("Time zone").select_option("America/Chicago")
    page.get_by_label("Shift you usually work").select_option(label="Evening")
    page.get_by_label("Preferred meeting frequency").select_option(label="Every two weeks")
    page.get_by_role("group", name="Preferred meeting mode").get_by_role("radio", name="Virtual").check()


def expect_saved_profile(page: Page) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(NAME)
    expect(page.get_by_text("Medical Laboratory Technician · Riverside General Hospital")).to_be_visible()
    expect(profile_value(page, PROGRAM)).to_contain_text("Mentee")
    expect(profile_value(page, "Years in the laboratory")).to_have_text("4")
    expect(profile_value(page, "Specialties")).to_contain_text("Microbiology")
    expect(profile_value(page, "Specialties")).to_contain_text("Molecular diagnostics")
    expect(profile_value(page, "Credentials held")).to_have_text("ASCP MLT")
    expect(profile_value(page, "What I hope to get from mentoring")).to_have_text("Plan my route to the SM exam.")
    # The zone reads by its name, with the IANA identifier beside it.
    expect(profile_value(page, "Time zone")).to_have_text("Central time (Chicago) (America/Chicago)")
    expect(profile_value(page, "Shift")).to_have_text("Evening")
    expect(profile_value(page, "Meetings")).to_have_text("Every two weeks, virtual")


def answer_the_program(page: Page) -> None:
    """The membership questions of the program: what this mentee seeks there."""
    goals = page.get_by_role("group", name="Career goals you seek in this program")
    goals.get_by_role("checkbox", name="MLT to MLS (bachelor's degree)").check()
    goals.get_by_role("checkbox", name="Specialist certification").check()
    page.get_by_role("group", name="Credentials you are working toward").get_by_role(
        "checkbox", name="ASCP SM (specialist in microbiology)").check()


def expect_saved_answers(page: Page) -> None:
    answers = profile_value(page, PROGRAM)
    expect(answers).to_contain_text("Mentee")
    expect(answers).to_contain_text("MLT to MLS (bachelor's degree)")
    expect(answers).to_contain_text("Specialist certification")
    expect(answers).to_contain_text("working toward ASCP SM (specialist in microbiology)")


def follow_emailed_link(page: Page, app, live_server: str, path: str) -> None:
    """Run the worker once, as the demo's would, then open the newest emailed link to ``path``."""
    body = Outbox(app, run_queue=True)[-1].body
    page.goto(live_server + re.search(rf"http://[^/]+({path}/\S+)", body).group(1))


def test_mentee_signs_up_fills_profile_and_finds_it_again(page: Page, app, live_server: str):
    with app.app_context():
        default_program()
    page.goto(live_server)
    page.get_by_role("link", name="Sign up as a mentee").click()

    expect(page.get_by_role("heading", name="Create your account")).to_be_visible()
    expect(page.get_by_role("radio", name="A mentee: I want guidance")).to_be_checked()
    page.get_by_label("Full name").fill(NAME)
    page.get_by_label("Work email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat password").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()

    expect(page.get_by_role("heading", name="Check your inbox")).to_be_visible()
    follow_emailed_link(page, app, live_server, "/auth/confirm")
    expect(page.get_by_role("status")).to_have_text("Thank you: your email address is confirmed.")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(re.compile(r"/home$"))
    page.goto(f"{live_server}/profile/edit")

    expect(page).to_have_url(re.compile(r"/profile/edit$"))
    expect(page.get_by_role("heading", name="Tell us about yourself")).to_be_visible()
    fill_profile(page)
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect(page.get_by_role("status")).to_have_text("Your profile is saved.")
    expect_saved_profile(page)

    # The program's own questions: the goals and credentials this mentee seeks there.
    page.get_by_role("link", name=f"Edit my answers for {PROGRAM}").click()
    expect(page.get_by_role("heading", name=PROGRAM, level=1)).to_be_visible()
    answer_the_program(page)
    page.get_by_role("button", name="Save my answers").click()
    expect(page.get_by_role("status")).to_have_text(f"Your answers for {PROGRAM} are saved.")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    expect_saved_profile(page)
    expect_saved_answers(page)

    page.reload()
    expect_saved_profile(page)
    expect_saved_answers(page)

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    page.get_by_role("link", name="Log in").click()
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="My profile").click()
    expect_saved_profile(page)
    expect_saved_answers(page)

    # The edit forms comes back filled with what was saved.
    page.get_by_role("link", name="Edit my profile").click()
    expect(page.get_by_label("Job title")).to_have_value("Medical Laboratory Technician")
    expect(page.get_by_label("Years working in the laboratory")).to_have_value("4")
    specialties = page.get_by_role("group", name="Specialties")
    expect(specialties.get_by_role("checkbox", name="Microbiology")).to_be_checked()
    expect(specialties.get_by_role("checkbox", name="Hematology", exact=True)).not_to_be_checked()
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    expect(page.get_by_label("Shift you usually work")).to_have_value("evening")
    expect(page.get_by_label("Preferred meeting frequency")).to_have_value("biweekly")
    expect(page.get_by_role("radio", name="Virtual")).to_be_checked()
    page.goto(f"{live_server}/profile/")
    page.get_by_role("link", name=f"Edit my answers for {PROGRAM}").click()
    goals = page.get_by_role("group", name="Career goals you seek in this program")
    expect(goals.get_by_role("checkbox", name="Specialist certification")).to_be_checked()
    expect(goals.get_by_role("checkbox", name="Supervisor or lead")).not_to_be_checked()
    expect(page.get_by_role("group", name="Credentials you are working toward").get_by_role(
        "checkbox", name="ASCP SM (specialist in microbiology)")).to_be_checked()


def test_bad_value_is_explained_beside_its_field_and_the_rest_is_kept(
        page: Page, live_server: str, person, browser_login):
    mentee = person("mentee", profile=False, name=NAME)
    browser_login(mentee.email)
    page.goto(f"{live_server}/profile/edit")
    fill_profile(page, years="99")
    page.get_by_role("button", name="Save profile").click()

    expect(page).to_have_url(re.compile(r"/profile/edit$"))
    expect(page.get_by_role("alert")).to_contain_text("Some answers need another look")
    years = page.get_by_label("Years working in the laboratory")
    expect(years).to_have_attribute("aria-invalid", "true")
    expect(years).to_have_accessible_description("Enter a number from 0 to 60.")
    expect(years).to_have_value("99")
    # Everything else typed or picked is still there.
    expect(page.get_by_label("Job title")).to_have_value("Medical Laboratory Technician")
    expect(page.get_by_label("Organisation")).to_have_value("Riverside General Hospital")
    specialties = page.get_by_role("group", name="Specialties")
    expect(specialties.get_by_role("checkbox", name="Microbiology")).to_be_checked()
    expect(specialties.get_by_role("checkbox", name="Molecular diagnostics")).to_be_checked()
    expect(page.get_by_role("group", name="Credentials you hold").get_by_role("checkbox", name="ASCP MLT")).to_be_checked()
    expect(page.get_by_label("What do you hope to get from mentoring?")).to_have_value("Plan my route to the SM exam.")
    expect(page.get_by_label("Time zone")).to_have_value("America/Chicago")
    expect(page.get_by_label("Shift you usually work")).to_have_value("evening")
    expect(page.get_by_label("Preferred meeting frequency")).to_have_value("biweekly")
    expect(page.get_by_role("radio", name="Virtual")).to_be_checked()

    # Fixing the one field saves the whole profile.
    years.fill("4")
    page.get_by_role("button", name="Save profile").click()
    expect(page).to_have_url(re.compile(r"/profile/$"))
    expect_saved_profile(page)
