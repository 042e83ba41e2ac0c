from mentormatch.extensions import db
from mentormatch.models import Role, User
from mentormatch.services import accounts, demo


def test_create_coordinator_asks_for_the_password_and_creates_the_account(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-coordinator", "Dana@Example.org", "--name", "Dana"],
                           input="a long enough secret\na long enough secret\n")
    assert result.exit_code == 0, result.output
    with app.app_context():
        user = accounts.authenticate("dana@example.org", "a long enough secret")
        assert user is not None and user.role == Role.COORDINATOR


def test_create_coordinator_refuses_a_taken_email_and_a_short_password(app, person):
    person("mentee", email="taken@example.org")
    runner = app.test_cli_runner()
    taken = runner.invoke(args=["create-coordinator", "taken@example.org", "--name", "X",
                                "--password", "a long enough secret"])
    short = runner.invoke(args=["create-coordinator", "new@example.org", "--name", "X", "--password", "short"])
    assert taken.exit_code != 0 and "already exists" in taken.output
    assert short.exit_code != 0
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_the_demo_command_loads_once_and_prints_the_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    second = runner.invoke(args=["demo"])
    assert first.exit_code == second.exit_code == 0
    assert "40 mentors, 120 mentees" in first.output
    assert "already loaded" in second.output
    for _, email in demo.demo_logins():
        assert email in second.output
    assert demo.DEMO_PASSWORD in second.output
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 161
