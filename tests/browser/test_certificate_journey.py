"""A CE certificate from policy to verification, in a real Chromium on a phone.

The coordinator sets the program's CE policy, issues certificates for a
completed mentorship and opens one; the mentee downloads its PDF from "My CE
certificates"; someone not logged in opens /verify/<number> and sees it valid.
Each page is checked with axe-core and for fitting the phone's width.
"""

from __future__ import annotations

import io

import pytest
from playwright.sync_api import Browser, Page, expect
from pypdf import PdfReader

from mentormatch.extensions import db
from mentormatch.services import agreements
from tests.browser.test_accessibility import serious_violations
from tests.factories import PASSWORD, make_user
from tests.services.test_certificates import agreed, meet

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}
OVERFLOW = "document.documentElement.scrollWidth - window.innerWidth"


@pytest.fixture
def completed(app):
    """A coordinator, and Dana and Grace's mentorship ended with its goals achieved after 90 minutes of meetings."""
    with app.app_context():
        coordinator = make_user("coordinator", name="Cora Ordinator")
        agreement = agreed(start_days_ago=60, length=180)
        meet(agreement, 50, 60)
        meet(agreement, 20, 30)
        agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
        found = {"coordinator": coordinator.email, "mentee": agreement.match.mentee.email}
        db.session.remove()
    return found


def _checked(page: Page) -> None:
    """No serious accessibility violation, nothing wider than the phone."""
    assert serious_violations(page) == [], page.url
    assert page.evaluate(OVERFLOW) <= 0, page.url


def _phone(browser: Browser, live_server: str, email: str | None) -> Page:
    page = browser.new_context(viewport=PHONE, accept_downloads=True).new_page()
    if email:
        page.goto(f"{live_server}/auth/login")
        page.get_by_label("Email").fill(email)
        page.get_by_label("Password", exact=True).fill(PASSWORD)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/auth/login" not in url)
    return page


def test_a_coordinator_issues_a_certificate_that_anyone_can_verify(browser: Browser, live_server: str, completed):
    coordinator = _phone(browser, live_server, completed["coordinator"])
    coordinator.goto(f"{live_server}/coordinator/")
    coordinator.get_by_role("navigation", name="Coordinator area").get_by_role("link", name="CE certificates").click()
    expect(coordinator.get_by_role("heading", name="CE certificates", exact=True)).to_be_visible()
    _checked(coordinator)

    coordinator.get_by_role("link", name="Set the CE policy").click()
    coordinator.get_by_label("The provider").fill("Riverside General Hospital Laboratory")
    coordinator.get_by_label("Activity title").fill("Structured lab mentoring")
    coordinator.get_by_label("Contact hours per completed mentorship").fill("2")
    coordinator.get_by_label("Contact hours per hour of logged meetings").fill("1")
    coordinator.get_by_label("Most contact hours on one certificate").fill("10")
    coordinator.get_by_label("Signed by: name").fill("Pat Quinn")
    coordinator.get_by_label("Signed by: title").fill("Laboratory Education Coordinator")
    _checked(coordinator)
    coordinator.get_by_role("button", name="Save the CE policy").click()
    expect(coordinator.get_by_role("status")).to_contain_text("The CE policy of Test program is saved")

    coordinator.get_by_role("link", name="Issue certificates").click()
    _checked(coordinator)
    coordinator.get_by_role("link", name="Issue certificates to Dana Okafor with Grace Ho").click()
    expect(coordinator.get_by_role("row", name="Dana Okafor")).to_contain_text("3.5")
    _checked(coordinator)
    coordinator.get_by_role("button", name="Issue 2 certificates").click()
    expect(coordinator.get_by_role("status")).to_contain_text("2 certificates issued")
    _checked(coordinator)

    dana = coordinator.get_by_role("row").filter(has_text="Dana Okafor")
    number = dana.get_by_role("link").first.inner_text()
    dana.get_by_role("link", name=number, exact=True).click()
    expect(coordinator.get_by_role("heading", name="Certificate of Continuing Education")).to_be_visible()
    expect(coordinator.locator("article")).to_contain_text(f"/verify/{number}")
    assert coordinator.locator("nav, form").count() == 0  # a print view
    _checked(coordinator)

    mentee = _phone(browser, live_server, completed["mentee"])
    mentee.goto(f"{live_server}/certificates/")
    _checked(mentee)
    with mentee.expect_download() as download:
        mentee.get_by_role("link", name=f"PDF of certificate {number}").click()
    text = " ".join(PdfReader(io.BytesIO(open(download.value.path(), "rb").read())).pages[0].extract_text().split())
    assert "Dana Okafor" in text and "Contact hours awarded: 3.5" in text and number in text

    anyone = _phone(browser, live_server, None)
    anyone.goto(f"{live_server}/verify/{number}")
    expect(anyone.get_by_role("heading", name=f"Certificate {number} is valid")).to_be_visible()
    expect(anyone.get_by_role("status")).to_contain_text("has not been altered")
    expect(anyone.locator("dl")).to_contain_text("Dana Okafor")
    expect(anyone.locator("dl")).to_contain_text("Pat Quinn, Laboratory Education Coordinator")
    _checked(anyone)
    unknown = number[:-1] + ("Y" if number.endswith("Z") else "Z")
    anyone.goto(f"{live_server}/verify/{unknown}")
    expect(anyone.get_by_role("heading", name="No certificate with this number")).to_be_visible()
    _checked(anyone)
