"""The audit log: entries for each coordinator action, filters, and no way to change an entry."""

from __future__ import annotations

import inspect
from datetime import date, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mentormatch.extensions import db
from mentormatch.models import AuditEntry
from mentormatch.services.console import audit
from tests.factories import default_program, make_program, make_user


def test_an_entry_keeps_who_when_what_and_the_values_before_and_after(app_ctx):
    cora = make_user("coordinator", name="Cora")
    mentee = make_user("mentee")
    audit.record(cora, "deactivated", "Deactivated someone", target=mentee, program=default_program(),
                 before={"active": True}, after={"active": False})
    db.session.commit()
    entry = db.session.scalar(db.select(AuditEntry))
    assert (entry.actor_id, entry.actor_name, entry.action, entry.target_type, entry.target_id, entry.program_id) == (
        cora.id, "Cora", "deactivated", "user", mentee.id, default_program().id)
    assert entry.before == {"active": True} and entry.after == {"active": False} and entry.at is not None


def test_unknown_actions_are_refused(app_ctx):
    with pytest.raises(ValueError):
        audit.record(None, "made_up", "nothing")


def test_entries_are_filtered_by_action_actor_and_dates_newest_first(app_ctx):
    cora, dan = make_user("coordinator", name="Cora"), make_user("coordinator", name="Dan")
    here = default_program()
    audit.record(cora, "nudge_sent", "one", program=here)
    audit.record(dan, "exported", "two", program=here)
    audit.record(cora, "exported", "three", program=here)
    db.session.commit()
    summaries = lambda **f: [e.summary for e in audit.entries_page(here, audit.AuditFilter(**f), 1, 25).items]  # noqa: E731
    assert summaries() == ["three", "two", "one"]
    assert summaries(action="exported") == ["three", "two"]
    assert summaries(actor="cor") == ["three", "one"]
    assert summaries(since=date.today() + timedelta(days=1)) == []
    assert summaries(until=date.today()) == ["three", "two", "one"]


def test_a_program_s_log_holds_its_own_entries_only(app_ctx):
    here, other = default_program(), make_program("Leadership")
    cora = make_user("coordinator", name="Cora")
    audit.record(cora, "exported", "mine", program=here)
    audit.record(cora, "exported", "theirs", program=other.id)
    audit.record(cora, "program_created", "site-wide")
    db.session.commit()
    summaries = lambda programs: [e.summary for e in audit.entries_page(programs, audit.AuditFilter(), 1, 25).items]  # noqa: E731
    assert summaries(here) == ["mine"] and summaries(other) == ["theirs"]
    assert summaries([here, other]) == ["theirs", "mine"]
    assert audit.entries_page(other, audit.AuditFilter(), 1, 25).total == 1


def test_the_service_offers_no_way_to_change_or_remove_an_entry():
    names = [name for name, _ in inspect.getmembers(audit, inspect.isfunction) if _.__module__ == audit.__name__]
    assert names and not [n for n in names if any(w in n for w in ("update", "delete", "remove", "edit", "change",
                                                                    "clear", "purge"))]
    source = inspect.getsource(audit)
    assert "db.session.delete" not in source and "update(" not in source


@pytest.mark.postgres_only
def test_postgresql_refuses_updates_and_deletes_of_entries(app_ctx):
    audit.record(make_user("coordinator"), "exported", "x")
    db.session.commit()
    for statement in ("UPDATE audit_entries SET summary = 'changed'", "DELETE FROM audit_entries"):
        with pytest.raises(DBAPIError, match="append-only"):
            db.session.execute(text(statement))
        db.session.rollback()
    assert db.session.scalar(db.select(AuditEntry.summary)) == "x"
