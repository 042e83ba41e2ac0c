"""A backup taken while the app runs restores every row, on SQLite and PostgreSQL."""

import shutil

import pytest

from mentormatch.extensions import db
from mentormatch.models import Match, MatchOrigin, MatchStatus, Membership, MembershipTag, ProfileTag, Program, User
from tests.conftest import in_ci
from tests.factories import default_program, make_user


def _counts():
    return {model.__name__: db.session.scalar(db.select(db.func.count()).select_from(model))
            for model in (User, ProfileTag, Program, Membership, MembershipTag, Match)}


def test_a_backup_restores_what_was_lost(app, tmp_path):
    if db_backend(app) == "postgresql" and shutil.which("pg_dump") is None:
        if in_ci():
            pytest.fail("pg_dump is missing")
        pytest.skip("pg_dump is missing")
    runner = app.test_cli_runner()
    with app.app_context():
        mentee, mentor = make_user("mentee"), make_user("mentor")
        db.session.add(Match(program_id=default_program().id, mentee_id=mentee.id, mentor_id=mentor.id, origin=MatchOrigin.REQUEST,
                             status=MatchStatus.ACTIVE))
        db.session.commit()
        before = _counts()
        db.session.remove()

    target = tmp_path / "mentormatch.backup"
    result = runner.invoke(args=["backup", str(target)])
    assert result.exit_code == 0, result.output
    assert target.stat().st_size > 0

    with app.app_context():
        db.session.execute(db.delete(Match))
        db.session.execute(db.delete(ProfileTag))
        db.session.execute(db.delete(MembershipTag))
        db.session.commit()
        assert _counts()["Match"] == 0
        db.session.remove()

    refused = runner.invoke(args=["restore", str(target)], input="n\n")
    assert refused.exit_code != 0
    result = runner.invoke(args=["restore", str(target), "--yes"])
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert _counts() == before
        assert db.session.scalar(db.select(Match.status)) == MatchStatus.ACTIVE
        db.session.remove()


def test_restoring_a_missing_file_is_a_clear_error(app, tmp_path):
    result = app.test_cli_runner().invoke(args=["restore", str(tmp_path / "nope.backup"), "--yes"])
    assert result.exit_code != 0 and "does not exist" in result.output


def db_backend(app) -> str:
    with app.app_context():
        return db.engine.dialect.name
