"""After an account is deleted, nothing anyone can open shows the person's name or email.

The history is built through the services as people would make it: a
request with a message, a decline with a note, a pair with terms, goals and
meetings, a coordinator who nudged, ended, flagged, deactivated and paired
by hand, feedback, exports. Then the person deletes their account and every
GET route the partners and the coordinator can reach is read with every id
that exists, CSV exports included; the database is searched too.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text

from mentormatch.extensions import db
from mentormatch.models import Agreement, AgreementGoal, AuditEntry, Match, Meeting, ReviewFlag, User
from mentormatch import clock
from mentormatch.models import Escalation, Reminder
from mentormatch.services import agreements, automation, matches, surveys
from mentormatch.services.console import exports, people, queues
from mentormatch.services.pairing import pair_by_hand
from mentormatch.models.user import NO_PASSWORD
from mentormatch.services.account_deletion import delete_account
from tests.factories import PASSWORD, default_program, make_user

NAME, EMAIL = "Dana Okafor", "dana.okafor@lab.example.org"
SECRET_TEXT = "Dana's private worry about the SBB exam"  # things only she wrote
HER_WORDS = ["hoping to learn blood bank from you", "found a mentor already", "Dana reads the AABB guide",
             "Dana's exam plan", "Dana prepares questions", "Pat was a great mentor", "Dana's survey words"]


def _build_history(app) -> dict:
    with app.app_context():
        cora = make_user("coordinator", name="Cora Ordinator", email="cora@lab.example.org")
        dana = make_user("mentee", name=NAME, email=EMAIL)
        pat = make_user("mentor", name="Pat Lindqvist", email="pat@lab.example.org")
        lee = make_user("mentor", name="Lee Moreau", email="lee@lab.example.org")
        grace = make_user("mentor", name="Grace Ho", email="grace@lab.example.org")
        program = default_program()
        today = agreements.today()

        # Lee declines Dana's request; she wrote the message, he the note (naming her).
        asked = matches.request_mentor(dana, program, lee.id, "Hello Lee, hoping to learn blood bank from you")
        matches.decline(asked, lee, "no_time", f"Sorry {NAME}, no time this quarter")
        # Dana declines a proposal with her own note.
        proposed = pair_by_hand(program, dana.id, lee.id, cora, confirmed=True)
        matches.decline(proposed, dana, "other", "I have found a mentor already")

        # A first pair with Pat: terms with her free topic, goals, meetings, ended by the coordinator.
        first = matches.request_mentor(dana, program, pat.id, "Hi Pat")
        matches.accept(first, pat)
        one = first.agreement
        version = agreements.propose_terms(one, dana, agreements.TermsInput(
            "monthly", "virtual", today - timedelta(days=60), today + timedelta(days=120),
            ["specialty:hematology", "text:Dana's exam plan"], "Dana prepares questions"))
        agreements.confirm_terms(one, pat, version.number)
        agreements.add_goal(one, dana, "Pass the ASCP SBB exam", None)
        agreements.add_goal(one, pat, f"{NAME} shadows the blood bank lead", None)
        agreements.log_meeting(one, dana, agreements.MeetingInput(
            today - timedelta(days=30), 45, "virtual", ["text:Dana's exam plan"],
            shared_notes="Dana reads the AABB guide", private_note=SECRET_TEXT))
        agreements.log_meeting(one, pat, agreements.MeetingInput(
            today - timedelta(days=10), 30, "in_person", ["specialty:hematology"],
            shared_notes=f"Met {NAME} ({EMAIL}) at the core lab", private_note="Pat's own note"))
        queues.nudge(program, one.id, cora)
        queues.end_pair(program, one.id, cora, "other", f"Ending for {NAME}: schedule clash")
        agreements.leave_feedback(one, dana, 5, "Pat was a great mentor")
        agreements.leave_feedback(one, pat, 4, f"{NAME} worked hard")

        # The coordinator's own dealings with her.
        people.flag(program, dana, f"{NAME} claims an SBB; check with {EMAIL}", cora)
        people.deactivate(program, dana, cora)
        people.reactivate(program, dana, cora)
        for kind in exports.EXPORTS:
            "".join(exports.export_csv(program, kind, cora))

        # The pair she is in when she leaves: paired by hand, reminded, accepted, terms, a meeting.
        second = pair_by_hand(program, dana.id, grace.id, cora, confirmed=True)
        queues.send_reminder(second, cora)
        matches.accept(second, dana)
        matches.accept(second, grace)
        two = second.agreement
        version = agreements.propose_terms(two, grace, agreements.TermsInput(
            "biweekly", "virtual", today - timedelta(days=20), today + timedelta(days=160),
            ["specialty:microbiology"], "We meet on Tuesdays"))
        agreements.confirm_terms(two, dana, version.number)
        agreements.log_meeting(two, grace, agreements.MeetingInput(
            today - timedelta(days=5), 60, "virtual", ["specialty:microbiology"], shared_notes="Culture reading"))

        # The automation: her kick-off survey in her words, then reminders and escalations that name her.
        written = surveys.add_question(program, cora, "kickoff", "text", "What do you hope for?")
        surveys.submit(dana, two.id, "kickoff", {written.id: "Dana's survey words"}, clock.now())
        later = clock.now() + timedelta(days=30)
        automation.run_all(later)
        assert db.session.scalar(db.select(db.func.count()).select_from(Reminder)
                                 .where(Reminder.text.contains(NAME))) > 0
        assert db.session.scalar(db.select(db.func.count()).select_from(Escalation)
                                 .where(Escalation.reason.contains(NAME))) > 0
        ids = {"dana": dana.id, "readers": [pat.email, lee.email, grace.email, cora.email],
               "agreements": [one.id, two.id]}
        db.session.remove()
    return ids


def _ids(app) -> dict[str, list[int]]:
    with app.app_context():
        found = {
            "agreement_id": db.session.scalars(db.select(Agreement.id)).all(),
            "match_id": db.session.scalars(db.select(Match.id)).all(),
            "user_id": db.session.scalars(db.select(User.id)).all(),
            "meeting_id": db.session.scalars(db.select(Meeting.id)).all(),
            "round_id": [1],
        }
        db.session.remove()
    return found


def _get_paths(app) -> list[str]:
    """Every GET route, once with each id that exists (routes that take a token are links in emails)."""
    ids, paths = _ids(app), []
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "static" or "<token>" in rule.rule:
            continue
        found = [rule.rule]
        for name in sorted(rule.arguments):
            found = [p.replace(f"<int:{name}>", str(value)) for p in found for value in ids.get(name, [1])]
        paths.extend(found)
    return sorted(set(paths))


def _traces(body: str) -> list[str]:
    lower = body.lower()
    return [t for t in (NAME, EMAIL, "Okafor", *HER_WORDS, SECRET_TEXT) if t.lower() in lower]


def test_nothing_anyone_can_open_shows_a_deleted_persons_name_or_email(app, client, login):
    ids = _build_history(app)
    readers = {}
    for email in ids["readers"]:
        readers[email] = app.test_client()
        assert readers[email].post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
    paths = _get_paths(app)
    coordinator = readers["cora@lab.example.org"]
    before = {p: coordinator.get(p).get_data(as_text=True) for p in paths}
    assert sum(NAME in body for body in before.values()) >= 10  # the pages do show her while she is here

    login(EMAIL)
    assert client.post("/auth/delete", data={"password": PASSWORD, "understood": "y"}).status_code == 302

    seen, shown = 0, 0
    for email, reader in readers.items():
        for path in paths:
            response = reader.get(path)
            body = response.get_data(as_text=True)
            assert _traces(body) == [], f"{email} sees {_traces(body)} on {path} ({response.status_code})"
            seen += response.status_code == 200
            shown += "Former participant" in body
    assert seen > 60 and shown > 10

    partner = readers["grace@lab.example.org"]
    record = partner.get(f"/agreements/{ids['agreements'][1]}").get_data(as_text=True)
    assert "We meet on Tuesdays" in record and "Culture reading" in record  # what the partner wrote stays
    pat_view = readers["pat@lab.example.org"].get(f"/agreements/{ids['agreements'][0]}").get_data(as_text=True)
    assert "logged by Former participant" in pat_view and "Former participant shadows the blood bank lead" in pat_view
    assert "Met Former participant (Former participant) at the core lab" in pat_view


def test_the_database_keeps_no_copy_of_the_name_email_or_what_she_wrote(app, client, login):
    ids = _build_history(app)
    login(EMAIL)
    client.post("/auth/delete", data={"password": PASSWORD, "understood": "y"})
    with app.app_context():
        found = []
        for table in db.metadata.sorted_tables:
            for row in db.session.execute(db.select(table)).mappings():
                for column, value in row.items():
                    if value is not None and _traces(str(value)):
                        found.append(f"{table.name}.{column}: {_traces(str(value))}")
        assert found == []
        assert db.session.scalar(db.select(ReviewFlag).where(ReviewFlag.user_id == ids["dana"])) is None
        flag = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "flagged"))
        assert flag.after == {"reason": "Removed when the account was deleted"}
        assert flag.summary == "Flagged Former participant's profile for review"
        db.session.remove()


def test_the_delete_page_says_what_is_removed(client, person, login):
    login(person("mentee"))
    page = client.get("/auth/delete").get_data(as_text=True)
    for promise in ("name", "email", "notifications", "private notes", "shared meeting notes",
                    "request messages", "Former participant", "audit log"):
        assert promise in page, promise


@pytest.mark.postgres_only
def test_postgresql_still_refuses_any_other_change_to_the_audit_log(app_ctx):
    from sqlalchemy.exc import DBAPIError

    from mentormatch.services.console import audit

    cora, dana = make_user("coordinator"), make_user("mentee", name=NAME, email=EMAIL)
    audit.record(cora, "deactivated", f"Deactivated {NAME} ({EMAIL})", target=dana, after={"who": NAME})
    db.session.commit()
    scrub = ("UPDATE audit_entries SET summary = replace(summary, :name, 'Former participant'), "
             "after = CAST(replace(CAST(after AS text), :name, 'Former participant') AS json)")
    attempts = [
        ("not deleted yet", "", scrub),
        ("replaces other words", "deleted", "UPDATE audit_entries SET summary = replace(summary, 'Deactivated', 'x')"),
        ("changes the action", "deleted", scrub.replace("UPDATE audit_entries SET", "UPDATE audit_entries SET "
                                                        "action = 'reactivated',")),
        ("deletes", "deleted", "DELETE FROM audit_entries"),
    ]
    for why, state, statement in attempts:
        if state:
            db.session.execute(text("UPDATE users SET deleted_at = now() WHERE id = :id"), {"id": dana.id})
        db.session.execute(text("SELECT set_config('mentormatch.erasing_user', :id, true)"), {"id": str(dana.id)})
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement), {"name": NAME})
            pytest.fail(why)
        db.session.rollback()
    # Exactly the scrub (email first, then name) goes through.
    db.session.execute(text("UPDATE users SET deleted_at = now() WHERE id = :id"), {"id": dana.id})
    db.session.execute(text("SELECT set_config('mentormatch.erasing_user', :id, true)"), {"id": str(dana.id)})
    db.session.execute(text(
        "UPDATE audit_entries SET summary = replace(replace(summary, :email, 'Former participant'), :name, "
        "'Former participant'), after = CAST(replace(CAST(after AS text), :name, 'Former participant') AS json)"),
        {"name": NAME, "email": EMAIL})
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry))
    assert entry.summary == "Deactivated Former participant (Former participant)"
    assert entry.after == {"who": "Former participant"}
    # And the setting lasts only for its transaction.
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE audit_entries SET summary = summary"))
    db.session.rollback()


@pytest.mark.parametrize("name", ['Zoë "Z" Núñez', "Ann\\Lee 李"])
def test_names_json_escapes_are_replaced_in_the_audit_log_too(app_ctx, name):
    from mentormatch.services.console import audit

    cora, zoe = make_user("coordinator"), make_user("mentee", name=name, email="zoe@lab.example.org")
    people.flag(default_program(), zoe, "check credentials", cora)
    audit.record(cora, "exported", f"Looked at {name}", after={"people": [name, "zoe@lab.example.org"]})
    db.session.commit()
    assert delete_account(zoe, PASSWORD)
    db.session.expire_all()
    entries = {e.action: e for e in db.session.scalars(db.select(AuditEntry))}
    assert entries["exported"].summary == "Looked at Former participant"
    assert entries["exported"].after == {"people": ["Former participant", "Former participant"]}
    assert entries["flagged"].after == {"reason": "Removed when the account was deleted"}


def test_a_short_name_in_a_full_length_text_is_replaced_within_the_columns_length(app_ctx):
    from mentormatch.services.console import audit
    from tests.factories import make_pair

    match = make_pair(mentee_name="Al Li", mentor_name="Grace Ho")
    al, grace, cora = match.mentee, match.mentor, make_user("coordinator")
    long_goal = f"{'g' * 290} for Al Li"[:300]
    agreements.add_goal(match.agreement, grace, long_goal, None)
    audit.record(cora, "nudge_sent", f"{'s' * 290} Al Li", target=match)
    db.session.commit()
    assert delete_account(al, PASSWORD)
    db.session.expire_all()
    goal = db.session.scalar(db.select(AgreementGoal.description))
    summary = db.session.scalar(db.select(AuditEntry.summary).where(AuditEntry.action == "nudge_sent"))
    assert goal == f"{'g' * 290} for Former participant"[:300] and len(goal) == 300
    assert summary == f"{'s' * 290} Former participant"[:300]


def test_an_account_made_by_single_sign_on_is_deleted_by_typing_its_address(app, client, login, person):
    zoe = person("mentee", name="Zoe Sso", email="zoe.sso@lab.example.org")
    login(zoe)
    with app.app_context():  # as single sign-on makes it: no password to ask for
        db.session.get(User, zoe.id).password_hash = NO_PASSWORD
        db.session.commit()
    page = client.get("/auth/delete").get_data(as_text=True)
    assert "Type your email address to confirm" in page and "Current password" not in page
    wrong = client.post("/auth/delete", data={"password": "someone.else@lab.example.org", "understood": "y"})
    assert wrong.status_code == 200 and "not the email address of this account" in wrong.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, zoe.id).deleted_at is None
    done = client.post("/auth/delete", data={"password": " Zoe.Sso@lab.example.org ", "understood": "y"})
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, zoe.id).deleted_at is not None
    assert client.get("/home").status_code == 302  # logged out


def test_a_password_account_still_needs_its_password(app_ctx):
    al = make_user("mentee", email="al.pw@lab.example.org")
    assert not delete_account(al, "al.pw@lab.example.org")  # the address is no proof when a password exists
    assert al.deleted_at is None
