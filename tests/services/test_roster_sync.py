"""Full-roster sync: a preview of who leaves that changes nothing, then the import and the leaving in one
transaction, only for the plan confirmed; coordinators, other programs and active pairs untouched; the guard."""

from __future__ import annotations

import pytest

from mentormatch.cli_console import import_roster_command
from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Match, MatchStatus, Membership, MembershipStatus, Program, User
from mentormatch.services import matches, programs
from mentormatch.services.console import roster, roster_sync
from mentormatch.services.pool import load_pool
from tests.factories import default_program, join, make_pair, make_program, make_user


def roster_file(*people: tuple[str, str, str]) -> str:
    return "email,name,role\n" + "".join(f"{email},{name},{role}\n" for email, name, role in people)


def check(text: str, program=None):
    return roster.check_roster(text.encode(), program or default_program(), max_bytes=1 << 20, max_rows=1000)


def status_of(email: str, program=None) -> str | None:
    program = program or default_program()
    return db.session.scalar(db.select(Membership.status).join(User, User.id == Membership.user_id)
                             .where(User.email == email, Membership.program_id == program.id))


def supervisor() -> Program:
    return db.session.scalar(db.select(Program).where(Program.slug == "supervisor"))


def actions() -> list[str]:
    return list(db.session.scalars(db.select(AuditEntry.action).order_by(AuditEntry.id)))


@pytest.fixture
def world(app_ctx):
    """A program with people in the file and out of it, a coordinator and an administrator who are members,
    someone who left already, and a member of another program only."""
    here = default_program()
    other = make_program("Supervisor track", slug="supervisor")
    people = {
        "kept": make_user("mentee", email="kept@lab.example.org", name="Kept Mentee"),
        "gone": make_user("mentee", email="gone@lab.example.org", name="Gone Mentee"),
        "paused": make_user("mentor", email="paused@lab.example.org", name="Paused Mentor"),
        "applied": make_user("mentee", email="applied@lab.example.org", name="Applied Mentee"),
        "left": make_user("mentee", email="left@lab.example.org", name="Left Already"),
        "coordinator": make_user("coordinator", email="coord@lab.example.org", name="Cora Coordinator"),
        "admin": make_user("admin", email="admin@lab.example.org", name="Ada Admin"),
        "elsewhere": make_user("mentee", email="elsewhere@lab.example.org", name="Elsewhere", program=other),
    }
    join(people["coordinator"], "mentor")  # coordinates the program and mentors in it
    join(people["admin"], "mentee")
    join(people["gone"], "mentee", other)  # leaves this program, keeps the other one
    for key, status in (("paused", MembershipStatus.PAUSED), ("applied", MembershipStatus.APPLIED),
                        ("left", MembershipStatus.LEFT)):
        people[key].membership_in(here.id).status = status
    db.session.commit()
    return people


FILE = roster_file(("kept@lab.example.org", "Kept Mentee", "mentee"), ("new@lab.example.org", "New Person", "mentor"))


def test_the_preview_lists_exactly_the_members_missing_from_the_file_and_changes_nothing(world):
    before = db.session.scalar(db.select(db.func.count()).select_from(User))
    plan = roster_sync.plan_sync(check(FILE))
    assert sorted(p.email for p in plan.leaving) == ["applied@lab.example.org", "gone@lab.example.org",
                                                     "paused@lab.example.org"]
    assert plan.paired == [] and plan.members == 4 and plan.problem == "" and plan.large
    assert {p.email: p.status for p in plan.leaving}["paused@lab.example.org"] == "paused"
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == before
    assert status_of("gone@lab.example.org") == "active" and actions() == []
    assert roster_sync.plan_sync(check(FILE)).digest == plan.digest  # the same file, the same program


def test_after_confirmation_the_missing_leave_and_everyone_in_the_file_stays(world, outbox):
    plan = roster_sync.plan_sync(check(FILE))
    coordinator = world["coordinator"]
    result = roster_sync.sync_roster(check(FILE), coordinator, plan.digest, large_confirmed=True)
    assert sorted(p.email for p in result.left) == sorted(p.email for p in plan.leaving)
    assert result.imported.created == ["new@lab.example.org"]
    for email in ("gone@lab.example.org", "paused@lab.example.org", "applied@lab.example.org"):
        assert status_of(email) == "left"
    assert status_of("kept@lab.example.org") == "active" and status_of("new@lab.example.org") == "active"
    # Coordinators, administrators, those who left, other programs and accounts are untouched.
    assert status_of("coord@lab.example.org") == "active" and status_of("admin@lab.example.org") == "active"
    assert status_of("left@lab.example.org") == "left"
    assert status_of("elsewhere@lab.example.org", supervisor()) == "active"
    assert status_of("gone@lab.example.org", supervisor()) == "active"
    assert all(u.active for u in db.session.scalars(db.select(User)))
    removed = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "roster_sync_removed")).all()
    assert sorted(e.target_id for e in removed) == sorted(p.user_id for p in plan.leaving)
    assert {(e.actor_name, e.program_id, e.after["status"]) for e in removed} == {
        ("Cora Coordinator", default_program().id, "left")}
    assert {e.before["status"] for e in removed} == {"active", "paused", "applied"}
    summary = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roster_synced"))
    assert summary.after["left"] == 3 and actions().count("roster_imported") == 1


def test_a_stale_confirmation_is_refused_with_the_new_plan_and_changes_nothing(world):
    plan = roster_sync.plan_sync(check(FILE))
    make_user("mentee", email="late@lab.example.org", name="Joined Later")  # after the preview
    with pytest.raises(roster_sync.StaleSync) as refused:
        roster_sync.sync_roster(check(FILE), world["coordinator"], plan.digest, large_confirmed=True)
    assert "late@lab.example.org" in [p.email for p in refused.value.plan.leaving]
    assert refused.value.plan.digest != plan.digest
    assert status_of("gone@lab.example.org") == "active" and actions() == []
    assert db.session.scalar(db.select(User).where(User.email == "new@lab.example.org")) is None


def test_a_confirmation_of_another_file_is_refused(world):
    plan = roster_sync.plan_sync(check(FILE))
    other_file = FILE + "gone@lab.example.org,Gone Mentee,mentee\n"
    with pytest.raises(roster_sync.StaleSync):
        roster_sync.sync_roster(check(other_file), world["coordinator"], plan.digest, large_confirmed=True)
    with pytest.raises(roster_sync.StaleSync):
        roster_sync.sync_roster(check(FILE), world["coordinator"], "not a digest", large_confirmed=True)
    assert status_of("paused@lab.example.org") == "paused" and actions() == []


def test_a_leavers_pending_matches_are_withdrawn_and_the_places_freed(app_ctx):
    here = default_program()
    mentee = make_user("mentee", email="mentee@lab.example.org", name="Staying Mentee")
    mentor = make_user("mentor", email="mentor@lab.example.org", name="Leaving Mentor", capacity=1)
    other_mentor = make_user("mentor", email="m2@lab.example.org", name="Staying Mentor", capacity=1)
    leaving_mentee = make_user("mentee", email="m3@lab.example.org", name="Leaving Mentee")
    asked = matches.request_mentor(mentee, here, mentor.id, "")
    asking = matches.request_mentor(leaving_mentee, here, other_mentor.id, "")
    assert load_pool(here.id).mentors == []  # both places taken by the pending matches
    text = roster_file(("mentee@lab.example.org", "Staying Mentee", "mentee"),
                       ("m2@lab.example.org", "Staying Mentor", "mentor"))
    plan = roster_sync.plan_sync(check(text))
    assert {p.email: p.pending for p in plan.leaving} == {"mentor@lab.example.org": 1, "m3@lab.example.org": 1}
    result = roster_sync.sync_roster(check(text), None, plan.digest)
    assert sorted(result.withdrawn) == sorted([asked.id, asking.id])
    assert {db.session.get(Match, asked.id).status, db.session.get(Match, asking.id).status} == {
        MatchStatus.WITHDRAWN}
    assert db.session.get(Match, asked.id).closed_by_id == mentor.id  # the command line: in the leaver's name
    assert not mentor.membership_in(here.id).accepting_mentees
    assert matches.open_requests(mentee, here) == 0  # the mentee may ask someone else
    pool = load_pool(here.id)  # a round's view: pending matches take places
    assert {m.id: m.capacity for m in pool.mentors} == {other_mentor.id: 1}  # the place the leaver held is free
    assert [m.id for m in pool.mentees] == [mentee.id]  # unmatched again
    assert {e.actor_name for e in db.session.scalars(db.select(AuditEntry))} == {"Command line"}


def test_someone_in_an_active_pair_stays_and_the_preview_says_so(app_ctx):
    pair = make_pair("Paired Mentee", "Paired Mentor")
    make_user("mentee", email="solo@lab.example.org", name="Solo")
    text = roster_file(("solo@lab.example.org", "Solo", "mentee"))
    plan = roster_sync.plan_sync(check(text))
    assert plan.leaving == [] and sorted(p.name for p in plan.paired) == ["Paired Mentee", "Paired Mentor"]
    result = roster_sync.sync_roster(check(text), None, plan.digest)
    assert result.left == [] and len(result.paired) == 2
    assert db.session.get(Match, pair.id).status == MatchStatus.ACTIVE
    assert status_of(pair.mentee.email) == status_of(pair.mentor.email) == "active"
    assert db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roster_synced")).after[
        "stayed_paired"] == 2


def test_more_than_half_leaving_needs_a_second_confirmation(app_ctx):
    people = [make_user("mentee", email=f"p{i}@lab.example.org", name=f"P {i}") for i in range(4)]
    half = roster_file(*((p.email, p.name, "mentee") for p in people[:2]))
    assert not roster_sync.plan_sync(check(half)).large  # two of four: exactly half is allowed
    most = roster_file((people[0].email, people[0].name, "mentee"))
    plan = roster_sync.plan_sync(check(most))
    assert plan.large and len(plan.leaving) == 3 and "more than 50%" in plan.guard_message()
    with pytest.raises(roster_sync.SyncRefused, match="3 of the 4 people"):
        roster_sync.sync_roster(check(most), None, plan.digest)
    assert [status_of(p.email) for p in people] == ["active"] * 4 and actions() == []
    roster_sync.sync_roster(check(most), None, plan.digest, large_confirmed=True)
    assert [status_of(p.email) for p in people] == ["active", "left", "left", "left"]


def test_a_file_naming_nobody_in_the_program_or_nobody_at_all_is_refused(app_ctx):
    make_user("mentee", email="here@lab.example.org")
    make_program("Supervisor track", slug="supervisor")
    elsewhere = "email,name,role,program\nx@lab.example.org,X,mentee,supervisor\n"
    checked = roster.check_roster(elsewhere.encode(), default_program(), runs=programs.all_programs(),
                                  max_bytes=1 << 20, max_rows=10)
    plan = roster_sync.plan_sync(checked)
    assert checked.ok and "names nobody in Test program" in plan.problem
    with pytest.raises(roster_sync.SyncRefused, match="names nobody"):
        roster_sync.sync_roster(checked, None, plan.digest, large_confirmed=True)
    assert status_of("here@lab.example.org") == "active"
    assert db.session.scalar(db.select(User).where(User.email == "x@lab.example.org")) is None
    assert not check("email,name,role\n").ok  # an empty file is refused before any plan


def test_nothing_is_half_applied_when_one_leaving_fails(world, monkeypatch):
    plan = roster_sync.plan_sync(check(FILE))
    real, calls = roster_sync.people.end_membership, []

    def fail_second(*args):
        calls.append(args)
        if len(calls) == 2:
            raise RuntimeError("the database went away")
        return real(*args)

    monkeypatch.setattr(roster_sync.people, "end_membership", fail_second)
    with pytest.raises(RuntimeError):
        roster_sync.sync_roster(check(FILE), world["coordinator"], plan.digest, large_confirmed=True)
    db.session.rollback()
    assert [status_of(p.email) for p in plan.leaving] == [p.status for p in plan.leaving]
    assert db.session.scalar(db.select(User).where(User.email == "new@lab.example.org")) is None
    assert actions() == []


def test_a_member_who_left_and_is_in_the_file_is_skipped_as_before(world):
    text = FILE + "left@lab.example.org,Left Already,mentee\n"
    plan = roster_sync.plan_sync(check(text))
    assert "left@lab.example.org" not in [p.email for p in plan.leaving]
    roster_sync.sync_roster(check(text), None, plan.digest, large_confirmed=True)
    assert status_of("left@lab.example.org") == "left"


# The command line -----------------------------------------------------------------------------------------------

@pytest.fixture
def cli_world(app, tmp_path):
    with app.app_context():
        for i in range(3):
            make_user("mentee", email=f"p{i}@lab.example.org", name=f"Person {i}")
    source = tmp_path / "roster.csv"
    source.write_text(roster_file(("p0@lab.example.org", "Person 0", "mentee"), ("p1@lab.example.org", "Person 1",
                                                                                   "mentee")))
    return source


def statuses(app) -> list[str]:
    with app.app_context():
        return [status_of(f"p{i}@lab.example.org") for i in range(3)]


def test_the_command_line_lists_who_leaves_and_answering_no_changes_nothing(app, cli_world):
    runner = app.test_cli_runner()
    answered = runner.invoke(import_roster_command, [str(cli_world), "--full"], input="n\n")
    assert answered.exit_code != 0 and "Aborted" in answered.output
    assert "leaving Test program: 1" in answered.output and "Person 2 <p2@lab.example.org>" in answered.output
    checked = runner.invoke(import_roster_command, [str(cli_world), "--full", "--check-only"])
    assert checked.exit_code == 0 and "p2@lab.example.org" in checked.output and "?" not in checked.output
    assert statuses(app) == ["active"] * 3
    with app.app_context():
        assert actions() == []


def test_the_command_line_syncs_after_yes_or_with_yes(app, cli_world):
    runner = app.test_cli_runner()
    done = runner.invoke(import_roster_command, [str(cli_world), "--full"], input="y\n")
    assert done.exit_code == 0, done.output
    assert "1 left Test program" in done.output and statuses(app) == ["active", "active", "left"]
    with app.app_context():
        entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "roster_sync_removed"))
        assert (entry.actor_id, entry.actor_name) == (None, "Command line")
        make_user("mentee", email="p3@lab.example.org", name="Person 3")
    scripted = runner.invoke(import_roster_command, [str(cli_world), "--full", "--yes"])
    assert scripted.exit_code == 0, scripted.output
    with app.app_context():
        assert status_of("p3@lab.example.org") == "left"


def test_the_command_line_guard_needs_its_own_flag_or_answer(app, cli_world):
    cli_world.write_text(roster_file(("p0@lab.example.org", "Person 0", "mentee")))  # two of three leave
    runner = app.test_cli_runner()
    refused = runner.invoke(import_roster_command, [str(cli_world), "--full", "--yes"])
    assert refused.exit_code != 0 and "--allow-large-removal" in refused.output
    declined = runner.invoke(import_roster_command, [str(cli_world), "--full"], input="n\n")
    assert declined.exit_code != 0 and "really the whole roster" in declined.output
    assert statuses(app) == ["active"] * 3
    done = runner.invoke(import_roster_command, [str(cli_world), "--full", "--yes", "--allow-large-removal"])
    assert done.exit_code == 0, done.output
    assert statuses(app) == ["active", "left", "left"]


def test_the_command_line_refuses_a_plan_that_changed_while_it_asked(app, cli_world, monkeypatch):
    from mentormatch import cli_console

    def someone_joins_meanwhile(*args, **kwargs):
        make_user("mentee", email="late@lab.example.org", name="Late")
        return True

    monkeypatch.setattr(cli_console.click, "confirm", someone_joins_meanwhile)
    stale = app.test_cli_runner().invoke(import_roster_command, [str(cli_world), "--full"])
    assert stale.exit_code != 0 and "Run the command again" in stale.output
    assert statuses(app) == ["active"] * 3
