"""axe-core (shipped inside axe-playwright-python, no download) on the key pages.

Fails on serious or critical violations; moderate and minor ones are left to review.
Every page of every role gets the same check at phone size in test_phone_sweep.py;
this file keeps the pages with states the sweep does not reach (errors shown beside
fields) and the helpers both use.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser

axe_playwright = pytest.importorskip(
    "axe_playwright_python.sync_playwright",
    reason="axe-playwright-python is not installed (it belongs in the [test] extras)",
)

BLOCKING = {"serious", "critical"}


def serious_violations(page: Page) -> list[str]:
    results = axe_playwright.Axe().run(page)
    found = []
    for violation in results.response["violations"]:
        if violation["impact"] in BLOCKING:
            for node in violation["nodes"]:
                found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} "
                             f"at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
    return found


@pytest.mark.parametrize("path", ["/", "/auth/signup?role=mentee", "/auth/login"])
def test_public_pages_have_no_serious_violations(page: Page, live_server: str, path: str):
    page.goto(live_server + path)
    assert serious_violations(page) == []


def test_profile_form_has_no_serious_violations(page: Page, live_server: str, person, browser_login):
    mentee = person("mentee", profile=False)
    browser_login(mentee.email)
    page.goto(f"{live_server}/profile/edit")
    assert serious_violations(page) == []
    # And with an error shown beside a field.
    page.get_by_role("button", name="Save profile").click()
    page.get_by_role("alert").wait_for()
    assert serious_violations(page) == []


@pytest.mark.parametrize("browser_zone, expected", [("America/Denver", "America/Denver"),
                                                     ("Asia/Kolkata", "Asia/Kolkata"),  # Chrome says Asia/Calcutta
                                                     ("Europe/Kyiv", "Europe/Kyiv")])
def test_the_profile_form_starts_at_the_browsers_time_zone(browser, live_server: str, person, browser_zone, expected):
    mentee = person("mentee", profile=False)
    context = browser.new_context(timezone_id=browser_zone)
    page = context.new_page()
    log_in(page, live_server, mentee.email)
    page.goto(f"{live_server}/profile/edit")
    page.wait_for_load_state("load")  # the deferred script has run
    assert page.get_by_label("Time zone").input_value() == expected
    context.close()


def test_a_chosen_time_zone_is_not_replaced_by_the_browsers(browser, live_server: str, person):
    mentor = person("mentor")  # America/Chicago
    context = browser.new_context(timezone_id="Europe/London")
    page = context.new_page()
    log_in(page, live_server, mentor.email)
    page.goto(f"{live_server}/profile/edit")
    page.wait_for_load_state("load")
    assert page.get_by_label("Time zone").input_value() == "America/Chicago"
    context.close()


def test_without_javascript_the_zone_list_waits_for_a_choice(browser, live_server: str, person):
    mentee = person("mentee", profile=False)
    context = browser.new_context(timezone_id="America/Denver", java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, mentee.email)
    page.goto(f"{live_server}/profile/edit")
    assert page.get_by_label("Time zone").input_value() == ""
    context.close()


def test_the_menu_opens_from_the_keyboard_on_a_phone_and_is_in_the_bar_on_a_desktop(browser, live_server: str,
                                                                                   person):
    mentee = person("mentee")
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    log_in(page, live_server, mentee.email)
    nav = page.get_by_role("navigation", name="Main")
    assert not nav.get_by_role("link", name="My profile").is_visible()
    nav.locator("summary").focus()
    page.keyboard.press("Enter")
    assert nav.get_by_role("link", name="My profile").is_visible()
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent.trim()") == "Home"
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not nav.locator("summary").is_visible()
    page.goto(f"{live_server}/home")  # closed again: on a desktop the links are in the bar all the same
    assert nav.get_by_role("link", name="My profile").is_visible()
    assert nav.get_by_role("link", name="Home").get_attribute("aria-current") == "page"
    context.close()


def test_the_site_has_a_favicon(page: Page, live_server: str):
    page.goto(live_server + "/")
    icon = page.locator('link[rel="icon"]').get_attribute("href")
    response = page.request.get(live_server + icon)
    assert response.ok and response.headers["content-type"].startswith("image/svg+xml")
    assert "<svg" in response.text()


def fits_a_phone(page: Page) -> bool:
    """The whole page, navigation included, needs no horizontal scrolling at the width it was opened at."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def test_the_account_pages_of_this_change_pass_axe_and_fit_a_phone(page: Page, live_server: str, person,
                                                                      browser_login):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/auth/signup?role=mentee")
    page.get_by_label("Full name").fill("Jordan Reyes")
    page.get_by_label("Work email").fill("jordan.reyes@riverside.example.org")
    page.get_by_label("Password", exact=True).fill("violet microscope harbor 42")
    page.get_by_label("Repeat password").fill("violet microscope harbor 42")
    page.get_by_role("button", name="Create account").click()
    page.get_by_role("heading", name="Check your inbox").wait_for()
    assert serious_violations(page) == [] and fits_a_phone(page)

    page.goto(f"{live_server}/auth/email/cancel/forged.token")  # the question page, whatever the token
    assert serious_violations(page) == [] and fits_a_phone(page)

    unconfirmed = person("mentee", confirmed=False)
    browser_login(unconfirmed.email)
    for path in ("/auth/account", "/matches/suggestions", "/auth/delete"):
        page.goto(live_server + path)
        assert serious_violations(page) == [], path
        assert fits_a_phone(page), path


def _phone_page(browser, live_server: str, email: str) -> Page:
    """A new 390 px wide context, logged in as ``email``."""
    page = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
    log_in(page, live_server, email)
    return page


def _passes(page: Page, what: str) -> None:
    assert serious_violations(page) == [], what
    assert fits_a_phone(page), what


def test_the_program_pages_pass_axe_and_fit_a_phone(browser, app, live_server: str):
    from tests.factories import make_program, make_user

    with app.app_context():
        first = make_program("Supervisor and leadership track", track="leadership",
                             description="A year of monthly meetings for new and aspiring supervisors.")
        second = make_program("MLT to MLS pathway with a rather long name for a phone screen", track="mlt_to_mls")
        coordinator = make_user("coordinator", program=first)
        mentor = make_user("mentor", name="Priya Nair", program=first)
        admin = make_user("admin", name="Sam Admin")
        ids, emails = (first.id, second.id), (mentor.email, admin.email)
        coordinator_email, mentor_id = coordinator.email, mentor.id

    page = _phone_page(browser, live_server, emails[0])
    for path in ("/programs/", f"/programs/{ids[1]}/join", f"/programs/{ids[0]}/membership"):
        page.goto(live_server + path)
        _passes(page, path)
    # With the errors shown beside the fields.
    page.goto(f"{live_server}/programs/{ids[1]}/join")
    page.get_by_role("radio", name="A mentee: I want guidance").check()
    page.get_by_role("button", name="Join the program").click()
    page.get_by_role("alert").wait_for()
    _passes(page, "join, with errors")
    page.goto(f"{live_server}/programs/{ids[0]}/membership")
    page.get_by_label("How many mentees can you take at once in this program?").fill("")
    page.get_by_role("button", name="Save my answers").click()
    page.get_by_role("alert").wait_for()
    _passes(page, "membership, with errors")

    page = _phone_page(browser, live_server, emails[1])
    for path in ("/admin/", "/admin/programs/new", f"/admin/programs/{ids[0]}", f"/admin/programs/{ids[0]}/edit",
                 f"/admin/programs/{ids[1]}"):
        page.goto(live_server + path)
        _passes(page, path)
    page.goto(f"{live_server}/admin/programs/new")
    page.get_by_role("button", name="Create the program").click()
    page.get_by_role("alert").wait_for()
    _passes(page, "new program, with errors")
    page.goto(f"{live_server}/admin/programs/{ids[0]}")
    page.get_by_label("Email of an existing account").fill("nobody@lab.example.org")
    page.get_by_role("button", name="Appoint as coordinator").click()
    page.get_by_text("No active account uses that address").wait_for()
    _passes(page, "appoint, with an error")
    page.get_by_role("link", name=re.compile("^Remove ")).click()
    _passes(page, "remove a coordinator")

    # The coordinator's pages this change touched: a member's page with its membership actions, ending a
    # membership, and the round form with its "keep as the program's defaults" button.
    page = _phone_page(browser, live_server, coordinator_email)
    for path in (f"/coordinator/people/{mentor_id}", f"/coordinator/people/{mentor_id}/membership/end",
                 "/coordinator/rounds/new"):
        page.goto(live_server + path)
        _passes(page, path)
