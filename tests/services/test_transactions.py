import pytest

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import User
from mentormatch.services.outbox import queue_email
from mentormatch.services.transactions import transaction


def _users() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def test_a_nested_block_commits_only_with_the_outermost_and_its_emails_with_it(app_ctx, outbox):
    with pytest.raises(RuntimeError):
        with transaction():
            with transaction():
                db.session.add(User(email="a@example.org", name="A", password_hash="x"))
                queue_email(Email("a@example.org", "s", "b"))
            raise RuntimeError("the outer use case fails after the inner one finished")
    assert _users() == 0 and outbox == []
    with transaction():
        with transaction():
            db.session.add(User(email="b@example.org", name="B", password_hash="x"))
            queue_email(Email("b@example.org", "s", "b"))
    assert _users() == 1 and [e.to for e in outbox] == ["b@example.org"]


class _Conflict(Exception):
    def __init__(self, sqlstate):
        self.sqlstate = sqlstate


def test_a_use_case_is_retried_after_a_deadlock_but_not_after_other_errors(app_ctx):
    from sqlalchemy.exc import DBAPIError

    from mentormatch.services.transactions import retry_on_conflict

    calls = []

    @retry_on_conflict
    def flaky(code):
        calls.append(code)
        if len(calls) == 1:
            raise DBAPIError("UPDATE ...", {}, _Conflict(code))
        return "done"

    assert flaky("40P01") == "done" and len(calls) == 2
    calls.clear()
    with pytest.raises(DBAPIError):
        flaky("23505")  # a unique violation is not worth repeating
    assert len(calls) == 1
