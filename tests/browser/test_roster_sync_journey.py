"""A coordinator syncs the whole roster in a real Chromium at phone width: the preview lists who leaves, nothing
changes until the same file is chosen again and both boxes are ticked; every page passes axe and fits 390 px."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from mentormatch.extensions import db
from mentormatch.models import Membership, User
from tests.browser.test_accessibility import fits_a_phone, serious_violations
from tests.factories import make_user

pytestmark = pytest.mark.browser

PHONE = {"width": 390, "height": 844}


def _checked(page: Page, where: str) -> None:
    assert serious_violations(page) == [], where
    assert fits_a_phone(page), where


def test_a_full_sync_previews_who_leaves_and_applies_only_when_confirmed(page: Page, live_server: str, app, person,
                                                                         browser_login, tmp_path):
    with app.app_context():
        make_user("mentee", email="kept@lab.example.org", name="Kept Mentee")
        make_user("mentee", email="gone@lab.example.org", name="Gone Mentee")
        make_user("mentor", email="also.gone@lab.example.org", name="Also Gone")
    coordinator = person("coordinator")
    source = tmp_path / "roster.csv"
    source.write_text("email,name,role\nkept@lab.example.org,Kept Mentee,mentee\n")
    page.set_viewport_size(PHONE)
    browser_login(coordinator.email)
    page.goto(f"{live_server}/coordinator/roster/import")
    page.get_by_label("CSV file of people").set_input_files(str(source))
    page.get_by_label("This file is the whole roster").check()
    page.get_by_role("button", name="Check and import").click()
    expect(page.get_by_role("heading", name="2 people are not in the file and will leave Test program")).to_be_visible()
    expect(page.get_by_role("rowheader", name="Gone Mentee")).to_be_visible()
    _checked(page, "full sync preview with the guard")
    page.get_by_label("CSV file of people").set_input_files(str(source))
    page.get_by_label("I have checked the list").check()
    page.get_by_label("Yes, more than half of the program leaves").check()  # two of three: more than half
    page.get_by_role("button", name="Import and take 2 people out").click()
    expect(page.get_by_text("2 not in the file left Test program").first).to_be_visible()
    _checked(page, "full sync done")
    with app.app_context():
        statuses = dict(db.session.execute(db.select(User.email, Membership.status)
                                           .join(User, User.id == Membership.user_id)).all())
        assert statuses == {"kept@lab.example.org": "active", "gone@lab.example.org": "left",
                            "also.gone@lab.example.org": "left"}
