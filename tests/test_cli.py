from mentormatch.extensions import db
from mentormatch.models import User
from mentormatch.services import accounts, demo
from tests.factories import default_program


def test_create_coordinator_asks_for_the_password_and_appoints_to_the_program(app):
    with app.app_context():
        program_id = default_program().id
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-coordinator", "Dana@Example.org", "--name", "Dana",
                                 "--program", "test-program"],
                           input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = accounts.authenticate("dana@example.org", "a long enough secret")
        assert user is not None and user.coordinates(program_id) and not user.is_admin


def test_create_coordinator_refuses_a_taken_email_a_short_password_and_an_unknown_program(app, person):
    person("mentee", email="taken@example.org")
    runner = app.test_cli_runner()
    taken = runner.invoke(args=["create-coordinator", "taken@example.org", "--name", "X", "--program",
                                "test-program", "--password", "a long enough secret"])
    short = runner.invoke(args=["create-coordinator", "new@example.org", "--name", "X", "--program",
                                "test-program", "--password", "short"])
    unknown = runner.invoke(args=["create-coordinator", "new@example.org", "--name", "X", "--program",
                                  "no-such-program", "--password", "a long enough secret"])
    missing = runner.invoke(args=["create-coordinator", "new@example.org", "--name", "X",
                                  "--password", "a long enough secret"])
    assert taken.exit_code != 0 and "already exists" in taken.output
    assert short.exit_code != 0
    assert unknown.exit_code != 0 and "no-such-program" in unknown.output
    assert missing.exit_code != 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_create_admin_takes_the_password_from_the_prompt(app):
    result = app.test_cli_runner().invoke(args=["create-admin", "--email", "Root@Example.org", "--name", "Root"],
                                          input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = accounts.authenticate("root@example.org", "a long enough secret")
        assert user is not None and user.is_admin and user.name == "Root"


def test_create_admin_takes_the_password_from_the_environment_and_refuses_a_taken_email(app):
    runner = app.test_cli_runner()
    env = {"MENTORMATCH_ADMIN_PASSWORD": "another long secret"}
    first = runner.invoke(args=["create-admin", "--email", "ops@example.org", "--name", "Ops"], env=env)
    again = runner.invoke(args=["create-admin", "--email", "ops@example.org", "--name", "Ops"], env=env)
    short = runner.invoke(args=["create-admin", "--email", "x@example.org", "--name", "X"],
                          env={"MENTORMATCH_ADMIN_PASSWORD": "short"})
    assert first.exit_code == 0, first.output
    assert again.exit_code != 0 and "already exists" in again.output
    assert short.exit_code != 0
    with app.app_context():
        assert accounts.authenticate("ops@example.org", "another long secret").is_admin
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_the_demo_command_loads_once_and_prints_the_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0
    assert "already loaded" in second.output
    for _, email in demo.demo_logins():
        assert email in second.output
    assert demo.DEMO_PASSWORD in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) > 100
        from mentormatch.models import Escalation, Reminder
        reminders = db.session.scalar(db.select(db.func.count()).select_from(Reminder))
        escalations = db.session.scalar(db.select(db.func.count()).select_from(Escalation))
    # The first load runs the automation once, so the demo starts with its reminders and escalations.
    assert reminders > 0 and escalations > 0
    assert f"The automation ran once: {reminders} reminders, {escalations} escalations" in first.output
