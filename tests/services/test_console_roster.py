"""Roster import: every row checked first, a per-row report, all or nothing, idempotent, invitations."""

from __future__ import annotations

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Role, TagKind, User
from mentormatch.services import accounts
from mentormatch.cli_console import import_roster_command
from mentormatch.services.console import roster

HEADER = "email,name,role,specialties,goals,credentials,time_zone,capacity,job_title,organisation\n"
GOOD = (HEADER
        + "ana@lab.example.org,Ana Ruiz,mentee,hematology;Microbiology,mlt_to_mls,ascp_mlt,America/Chicago,,MLT,General\n"
        + "ben@lab.example.org,Ben Okafor,mentor,Hematology,supervisor,ascp_mls;ascp_sh,Europe/London,3,Lead,General\n")


def check(text: str | bytes, **limits):
    data = text.encode() if isinstance(text, str) else text
    return roster.check_roster(data, max_bytes=limits.get("max_bytes", 1 << 20), max_rows=limits.get("max_rows", 100))


@pytest.fixture
def invited(outbox):
    """The addresses sent a password-set link so far, in order."""
    return lambda: [e.to for e in outbox if "/auth/welcome/" in e.body]


def test_a_good_file_invites_everyone_with_their_profile(app_ctx, invited):
    result = roster.import_roster(check(GOOD), None)
    assert result.created == ["ana@lab.example.org", "ben@lab.example.org"]
    assert invited() == result.created
    ben = accounts.find_user_by_email("ben@lab.example.org")
    assert ben.role == Role.MENTOR and ben.profile.capacity == 3 and ben.profile.accepting_mentees
    assert ben.profile.codes(TagKind.SPECIALTY) == ["hematology"]
    ana = accounts.find_user_by_email("ana@lab.example.org")
    assert ana.profile.codes(TagKind.SPECIALTY) == ["hematology", "microbiology"] and ana.profile.is_complete


def test_invited_people_cannot_log_in_until_they_set_a_password_through_the_link(app_ctx, app):
    roster.import_roster(check(GOOD), None, invite=False)
    ana = accounts.find_user_by_email("ana@lab.example.org")
    assert accounts.authenticate("ana@lab.example.org", "") is None
    assert accounts.authenticate("ana@lab.example.org", ana.password_hash) is None
    token = roster_token(app, ana)
    assert accounts.reset_password(token, "a brand new password") is not None
    assert accounts.authenticate("ana@lab.example.org", "a brand new password") is not None
    assert accounts.reset_password(token, "another password here") is None  # single use


def roster_token(app, user):
    """The token of the invitation link a coordinator's import sends."""
    from mentormatch.services.transactions import transaction

    with transaction():
        body = accounts.invitation_email(user).body
    return re.search(r"/auth/welcome/(\S+)", body).group(1)


def test_the_same_import_twice_creates_nobody_twice(app_ctx, invited):
    roster.import_roster(check(GOOD), None)
    again = check(GOOD)
    assert again.ok and again.people == [] and again.existing == ["ana@lab.example.org", "ben@lab.example.org"]
    result = roster.import_roster(again, None)
    assert result.created == [] and db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
    assert invited() == ["ana@lab.example.org", "ben@lab.example.org"]


def test_bad_emails_unknown_specialties_and_duplicates_are_reported_per_line_and_nothing_imported(app_ctx):
    text = (HEADER
            + "not-an-email,Ana,mentee,hematology,,,UTC,,,\n"
            + "ben@lab.example.org,Ben,mentor,Hematology;Astrology,,,UTC,3,,\n"
            + "cy@lab.example.org,Cy,mentee,hematology,,,Mars/Olympus,,,\n"
            + "dee@lab.example.org,Dee,wizard,hematology,,,UTC,,,\n"
            + "eve@lab.example.org,Eve,mentor,hematology,,,UTC,11,,\n"
            + "ok@lab.example.org,Ok,mentee,hematology,,,UTC,,,\n"
            + "OK@lab.example.org ,Ok again,mentee,hematology,,,UTC,,,\n"
            + "fay@lab.example.org,,mentee,hematology,,,UTC,,,\n")
    found = check(text)
    assert not found.ok
    problems = {e.line: " ".join(e.messages) for e in found.errors}
    assert "not an email address" in problems[2]
    assert "unknown specialties 'Astrology'" in problems[3]
    assert "unknown time zone" in problems[4]
    assert "role must be mentee or mentor" in problems[5]
    assert "capacity must be a whole number from 1 to 10" in problems[6]
    assert "the same email is on line 7" in problems[8]
    assert "name is missing" in problems[9]
    assert 7 not in problems
    with pytest.raises(ValueError):
        roster.import_roster(found, None)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_a_file_that_is_not_utf8_is_refused_whole(app_ctx):
    found = check(GOOD.replace("Ana Ruiz", "Ana Muñoz").encode("latin-1"))
    assert found.file_errors and "not UTF-8" in found.file_errors[0] and found.people == []


def test_a_utf8_file_with_a_byte_order_mark_is_fine(app_ctx):
    assert check(b"\xef\xbb\xbf" + GOOD.replace("Ana Ruiz", "Ana Muñoz").encode()).ok


def test_too_large_a_file_and_too_many_rows_are_refused(app_ctx):
    assert "larger than" in check(GOOD, max_bytes=100).file_errors[0]
    assert "more than 1 people" in check(GOOD, max_rows=1).file_errors[0]


def test_missing_columns_and_empty_files_are_refused(app_ctx):
    assert "missing: role" in check("email,name\na@b.org,A\n").file_errors[0]
    assert check("").file_errors
    assert "no people" in check(HEADER).file_errors[0]


def test_the_import_is_written_to_the_audit_log(app_ctx, invited):
    coordinator = accounts.create_coordinator("c@example.org", "Cora", "long enough password")
    roster.import_roster(check(GOOD), coordinator)
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.action, entry.actor_name, entry.after["invited"]) == ("roster_imported", "Cora", 2)


def test_the_command_line_imports_a_large_file_with_a_progress_bar(app, tmp_path, outbox):
    rows = "".join(f"p{i}@lab.example.org,Person {i},mentee,hematology,mlt_to_mls,,UTC,,,\n" for i in range(600))
    source = tmp_path / "roster.csv"
    source.write_text(HEADER + rows)
    runner = app.test_cli_runner()
    result = runner.invoke(import_roster_command, [str(source)])
    assert result.exit_code == 0, result.output
    assert "Imported 600 people" in result.output
    again = runner.invoke(import_roster_command, [str(source)])
    assert "Imported 0 people" in again.output and "skipped 600" in again.output
    source.write_text(HEADER + rows + "bad,Bad,mentee,,,,,,,\n")
    failed = runner.invoke(import_roster_command, [str(source), "--check-only"])
    assert failed.exit_code != 0 and "line 602" in failed.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 600
    assert len(outbox) == 600  # one password-set link each, queued with the import



def test_an_invitation_is_a_welcome_with_a_link_of_its_own_valid_for_seven_days(app, app_ctx, outbox, monkeypatch):
    roster.import_roster(check(GOOD), None)
    invitation = outbox[0]
    assert invitation.subject == "Welcome to the MentorMatch mentoring program"
    assert "reset" not in invitation.body.lower() and "seven days" in invitation.body
    token = re.search(r"/auth/welcome/(\S+)", invitation.body).group(1)
    monkeypatch.setitem(app.config, "PASSWORD_RESET_MAX_AGE", 60)  # a reset link's life says nothing here
    assert accounts.user_for_reset_token(token).email == invitation.to
    monkeypatch.setattr(accounts, "INVITE_MAX_AGE", -1)
    assert accounts.user_for_reset_token(token) is None


@pytest.mark.parametrize("name", ["Ana\nRivera", "Ana \u202eareviR", "\u200b \u200b"])
def test_a_name_must_be_one_visible_line_in_a_roster_as_in_the_forms(app_ctx, name):
    result = check(HEADER + f'ana@lab.example.org,"{name}",mentee,hematology,,,UTC,,,\n')
    problems = {e.line: " ".join(e.messages) for e in result.errors}
    assert not result.ok and result.people == []
    assert "name:" in problems[2], problems
