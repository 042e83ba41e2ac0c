import pytest

from mentormatch.extensions import db
from mentormatch.mail import Email
from mentormatch.models import User
from mentormatch.services.transactions import queue_email, transaction


def _users() -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(User))


def test_a_nested_block_commits_only_with_the_outermost(app_ctx, monkeypatch):
    sent = []
    monkeypatch.setattr("mentormatch.services.transactions.send_all", sent.extend)
    with pytest.raises(RuntimeError):
        with transaction():
            with transaction():
                db.session.add(User(email="a@example.org", name="A", password_hash="x", role="mentee"))
                queue_email(Email("a@example.org", "s", "b"))
            assert sent == []  # the inner block neither committed nor sent
            raise RuntimeError("the outer use case fails after the inner one finished")
    assert _users() == 0 and sent == []
    with transaction():
        with transaction():
            db.session.add(User(email="b@example.org", name="B", password_hash="x", role="mentee"))
            queue_email(Email("b@example.org", "s", "b"))
    assert _users() == 1 and [e.to for e in sent] == ["b@example.org"]
