"""Roster import: every row checked first, a per-row report, all or nothing, idempotent, invitations."""

from __future__ import annotations

import re

import pytest

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Membership, TagKind, User
from mentormatch.services import accounts
from mentormatch.cli_console import import_roster_command
from mentormatch.services.console import roster
from tests.factories import default_program, make_program, make_user

HEADER = "email,name,role,specialties,goals,credentials,time_zone,capacity,job_title,organisation\n"
GOOD = (HEADER
        + "ana@lab.example.org,Ana Ruiz,mentee,hematology;Microbiology,mlt_to_mls,ascp_mlt,America/Chicago,,MLT,General\n"
        + "ben@lab.example.org,Ben Okafor,mentor,Hematology,supervisor,ascp_mls;ascp_sh,Europe/London,3,Lead,General\n")


def check(text: str | bytes, program=None, runs=None, **limits):
    data = text.encode() if isinstance(text, str) else text
    return roster.check_roster(data, program or default_program(), runs=runs,
                               max_bytes=limits.get("max_bytes", 1 << 20), max_rows=limits.get("max_rows", 100))


@pytest.fixture
def invited(outbox):
    """The addresses sent a password-set link so far, in order."""
    return lambda: [e.to for e in outbox if "/auth/welcome/" in e.body]


def test_a_good_file_invites_everyone_with_their_profile_and_membership(app_ctx, invited, outbox):
    here = default_program()
    result = roster.import_roster(check(GOOD), None)
    assert result.created == ["ana@lab.example.org", "ben@lab.example.org"]
    assert invited() == result.created
    ben = accounts.find_user_by_email("ben@lab.example.org")
    mentor = ben.membership_in(here.id)
    assert mentor.role == "mentor" and mentor.capacity == 3 and mentor.accepting_mentees and mentor.is_active
    assert ben.profile.codes(TagKind.SPECIALTY) == ["hematology"] and ben.profile.codes(TagKind.GOAL) == ["supervisor"]
    ana = accounts.find_user_by_email("ana@lab.example.org")
    mentee = ana.membership_in(here.id)
    assert ana.profile.codes(TagKind.SPECIALTY) == ["hematology", "microbiology"] and ana.profile.is_complete
    assert mentee.role == "mentee" and mentee.codes(TagKind.GOAL) == ["mlt_to_mls"] and mentee.is_complete()
    assert ana.profile.codes(TagKind.GOAL) == []  # a mentee's goals are the membership's
    welcome = next(e for e in outbox if e.to == ana.email)
    assert here.name in welcome.subject and here.name in welcome.body and "as a mentee" in welcome.body


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
        body = accounts.invitation_email(user, default_program(), "mentee").body
    return re.search(r"/auth/welcome/(\S+)", body).group(1)


def test_the_same_import_twice_creates_nobody_twice(app_ctx, invited):
    roster.import_roster(check(GOOD), None)
    again = check(GOOD)
    assert again.ok and again.people == again.joining == []
    assert again.existing == ["ana@lab.example.org", "ben@lab.example.org"]
    result = roster.import_roster(again, None)
    assert result.created == [] and db.session.scalar(db.select(db.func.count()).select_from(User)) == 2
    assert db.session.scalar(db.select(db.func.count()).select_from(Membership)) == 2
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
    coordinator = accounts.create_coordinator("c@example.org", "Cora", "long enough password", default_program())
    roster.import_roster(check(GOOD), coordinator)
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roster_imported"))
    assert (entry.actor_name, entry.after["invited"], entry.program_id) == ("Cora", 2, default_program().id)


def test_the_command_line_imports_a_large_file_with_a_progress_bar(app, tmp_path, outbox):
    rows = "".join(f"p{i}@lab.example.org,Person {i},mentee,hematology,mlt_to_mls,,UTC,,,\n" for i in range(600))
    source = tmp_path / "roster.csv"
    source.write_text(HEADER + rows)
    with app.app_context():
        default_program()
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
        assert db.session.scalar(db.select(db.func.count()).select_from(Membership)) == 600
    assert len(outbox) == 600  # one password-set link each, queued with the import


def test_the_command_line_needs_program_when_there_are_several(app, tmp_path):
    source = tmp_path / "roster.csv"
    source.write_text(GOOD)
    with app.app_context():
        default_program()
        other = make_program("Supervisor track", slug="supervisor")
        other_id = other.id
    runner = app.test_cli_runner()
    refused = runner.invoke(import_roster_command, [str(source)])
    assert refused.exit_code != 0 and "--program" in refused.output and "supervisor" in refused.output
    assert runner.invoke(import_roster_command, [str(source), "--program", "nope"]).exit_code != 0
    done = runner.invoke(import_roster_command, [str(source), "--program", "supervisor", "--no-invite"])
    assert done.exit_code == 0, done.output
    with app.app_context():
        assert set(db.session.scalars(db.select(Membership.program_id))) == {other_id}



def test_a_program_column_enrols_each_row_in_the_program_it_names(app_ctx, outbox):
    here = default_program()
    track = make_program("Supervisor track", slug="supervisor")
    make_program("Not mine", slug="not-mine")
    text = ("email,name,role,program,specialties,goals,capacity\n"
            "ana@lab.example.org,Ana Ruiz,mentee,,hematology,mlt_to_mls,\n"
            "ana@lab.example.org,Ana Ruiz,mentor,supervisor,hematology,,2\n"
            "ben@lab.example.org,Ben Okafor,mentee,SUPERVISOR,hematology,supervisor,\n")
    found = check(text, runs=[here, track])
    assert found.ok, found.errors
    result = roster.import_roster(found, None)
    assert result.created == ["ana@lab.example.org", "ben@lab.example.org"]
    ana = accounts.find_user_by_email("ana@lab.example.org")
    assert (ana.membership_in(here.id).role, ana.membership_in(track.id).role) == ("mentee", "mentor")
    ben = accounts.find_user_by_email("ben@lab.example.org")
    assert ben.membership_in(here.id) is None and ben.membership_in(track.id).role == "mentee"
    assert sum(1 for e in outbox if e.to == ana.email and "/auth/welcome/" in e.body) == 1  # one link, one account
    assert "Supervisor track" in next(e.body for e in outbox if e.to == ben.email and "/auth/welcome/" in e.body)
    logged = {e.program_id: e.after["invited"] for e in db.session.scalars(
        db.select(AuditEntry).where(AuditEntry.action == "roster_imported"))}
    assert logged == {here.id: 1, track.id: 2}


def test_a_row_naming_a_program_the_importer_does_not_run_is_an_error(app_ctx):
    make_program("Not mine", slug="not-mine")
    text = ("email,name,role,program,specialties\n"
            "ana@lab.example.org,Ana,mentee,not-mine,hematology\n"
            "ben@lab.example.org,Ben,mentee,no-such-program,hematology\n")
    found = check(text)
    problems = {e.line: " ".join(e.messages) for e in found.errors}
    assert not found.ok and "do not coordinate the program 'not-mine'" in problems[2]
    assert "unknown program 'no-such-program'" in problems[3]


def test_an_existing_account_gets_a_new_membership_or_an_error_on_the_other_side(app_ctx, outbox):
    here, track = default_program(), make_program("Supervisor track", slug="supervisor")
    mentor = make_user("mentor", email="dee@lab.example.org", name="Dee")
    header = "email,name,role,specialties,goals\n"
    clash = check(header + "dee@lab.example.org,Dee,mentee,hematology,supervisor\n")
    assert not clash.ok and "already a mentor in" in clash.errors[0].messages[0]
    joining = check(header + "dee@lab.example.org,Dee,mentee,hematology,supervisor\n", program=track)
    assert joining.ok and [p.email for p in joining.joining] == ["dee@lab.example.org"] and joining.people == []
    outbox.clear()
    result = roster.import_roster(joining, None)
    assert result.joined == ["dee@lab.example.org"] and result.created == []
    db.session.expire_all()
    assert mentor.membership_in(here.id).role == "mentor" and mentor.membership_in(track.id).role == "mentee"
    assert mentor.membership_in(track.id).codes(TagKind.GOAL) == ["supervisor"]
    told = [e for e in outbox if e.to == mentor.email]
    assert len(told) == 1 and "Supervisor track" in told[0].body and "/auth/welcome/" not in told[0].body
    assert accounts.authenticate(mentor.email, "correct horse battery staple") is not None  # password kept


def test_an_invitation_is_a_welcome_with_a_link_of_its_own_valid_for_seven_days(app, app_ctx, outbox, monkeypatch):
    roster.import_roster(check(GOOD), None)
    invitation = outbox[0]
    assert invitation.subject == f"Welcome to {default_program().name} on MentorMatch"
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


@pytest.mark.parametrize("written, code", [
    ("Blood bank", "blood_bank"), ("blood bank", "blood_bank"), ("BLOOD-BANK", "blood_bank"),
    ("Immunohematology", "blood_bank"), ("Immunohematology / blood bank", "blood_bank"), ("chemistry", "clinical_chemistry"),
    ("Clinical chemistry", "clinical_chemistry"), ("clinical_chemistry", "clinical_chemistry"), ("heme", "hematology"),
    ("Point of care", "point_of_care"), ("POCT", "point_of_care"), ("coag.", "coagulation"),
])
def test_specialties_are_read_from_labels_codes_and_common_names_in_any_case(app_ctx, written, code):
    found = check(f"email,name,role,specialties,goals\nana@lab.example.org,Ana,mentee,\"{written}\",supervisor\n")
    assert found.ok, found.errors
    assert found.people[0].profile.specialties == [code]


def test_credentials_goals_and_preferences_take_the_names_people_write(app_ctx):
    text = ("Email,Full name,Role,Specialty,Goals,Credentials,Working toward,Timezone,Mode,Frequency,Shift\n"
            "ana@lab.example.org,Ana,Mentee,Heme,MLT to MLS; QA,MLT(ASCP),MLS (ASCP),america/chicago,online,"
            "Every two weeks,nights\n")
    found = check(text)
    assert found.ok, found.errors
    person = found.people[0]
    assert person.membership.goals == ["mlt_to_mls", "quality"]
    assert person.membership.credentials_sought == ["ascp_mls"] and person.profile.credentials == ["ascp_mlt"]
    profile = person.profile
    assert (profile.time_zone, profile.meeting_mode, profile.meeting_frequency, profile.shift) == (
        "America/Chicago", "virtual", "biweekly", "night")


def test_a_semicolon_separated_file_is_read_like_a_comma_separated_one(app_ctx):
    text = ("email;name;role;specialties;goals;capacity\n"
            'ana@lab.example.org;Ana Ruiz;mentee;"Hematology; blood bank";supervisor;\n'
            "ben@lab.example.org;Ben Okafor;mentor;Chemistry, heme;supervisor;2\n")
    found = check(text)
    assert found.ok, found.errors
    assert [p.profile.specialties for p in found.people] == [["blood_bank", "hematology"],
                                                              ["clinical_chemistry", "hematology"]]
    assert roster.delimiter_of(text) == ";" and roster.delimiter_of(GOOD) == "," and roster.delimiter_of("email") == ","


def test_an_unknown_value_is_named_with_its_line_a_guess_and_the_accepted_values(app_ctx):
    found = check("email,name,role,specialties,shift,meeting_frequency\n"
                  "ana@lab.example.org,Ana,mentee,Hematolgy,day,monthly\n"
                  "ben@lab.example.org,Ben,mentee,hematology,graveyards,bimonthly\n")
    problems = {e.line: " ".join(e.messages) for e in found.errors}
    assert "unknown specialties 'Hematolgy' (did you mean 'Hematology'?)" in problems[2]
    assert "accepted: Clinical chemistry, Hematology," in problems[2] and "Phlebotomy" in problems[2]
    assert "unknown shift 'graveyards' (did you mean 'Night'?); accepted: Day, Evening, Night, Rotating" in problems[3]
    assert "'bimonthly' is ambiguous: write Every two weeks or Every two months" in problems[3]


def test_the_template_file_has_every_column_and_imports_as_it_is(app_ctx):
    text = roster.template_csv()
    assert text.startswith("\ufeff")
    header = text.removeprefix("\ufeff").splitlines()[0].split(",")
    assert header == list(roster.REQUIRED + roster.OPTIONAL)
    assert "Immunohematology / blood bank" in text and "blood_bank" not in text  # labels, as people write them
    found = check(text.encode())
    assert found.ok, found.errors
    mentee, mentor = found.people
    assert mentee.role == "mentee" and mentee.membership.credentials_sought == ["ascp_mls"]
    assert mentor.membership.capacity == 2 and mentor.profile.credentials == ["ascp_mls", "ascp_sbb"]


def test_the_accepted_values_list_every_label_of_every_vocabulary(app_ctx):
    from mentormatch import domain
    from mentormatch.services.console import roster_rows
    listed = {v.title: [label for label, _ in v.values] for v in roster_rows.vocabularies()}
    assert listed["Specialties"] == [label for _, label in domain.SPECIALTIES]
    assert listed["Shift"] == [label for _, label in domain.SHIFTS]
    blood_bank = dict(next(v for v in roster_rows.vocabularies() if v.title == "Specialties").values)
    assert "blood bank" in blood_bank["Immunohematology / blood bank"]
    assert set(roster_rows.COLUMN_HELP) == set(roster.REQUIRED + roster.OPTIONAL)


def test_no_synonym_means_two_values(app_ctx):
    from mentormatch.services.console import roster_rows
    for column in (*roster_rows.LISTS, *roster_rows.CHOICES):
        codes = dict(roster_rows.choices_of(column))
        base = "credentials" if column == "credentials_sought" else column
        named = {roster_rows.simplify(k): c for c, label in roster_rows.choices_of(column) for k in (c, label)}
        for code, words in roster_rows.SYNONYMS.get(base, {}).items():
            assert code in codes, (column, code)
            for word in words:
                assert named.get(roster_rows.simplify(word), code) == code, (column, word)
