"""PostgreSQL: notify the app's change feed of new view_changes rows and notification changes.

Statement triggers (one per event: a trigger with a transition table takes
one event) send the distinct ids of the people a statement touched on
channel ``mentormatch_views`` (mentormatch.services.change_feed), or ``*``
when the list would pass NOTIFY's 8000-byte payload limit. Notifications are
covered because the unread count is part of every cached page. SQLite has no
NOTIFY: there the app reads the stamp from the database on every request.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

FUNCTION = """
CREATE FUNCTION mentormatch_notify_views() RETURNS trigger AS $$
DECLARE
    people text;
BEGIN
    SELECT string_agg(DISTINCT user_id::text, ',') INTO people FROM changed;
    IF people IS NOT NULL THEN
        PERFORM pg_notify('mentormatch_views', CASE WHEN length(people) > 7900 THEN '*' ELSE people END);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;
"""
TRIGGERS = [  # (name, table, event, transition table)
    ("view_changes_notify", "view_changes", "INSERT", "NEW"),
    ("notifications_notify_insert", "notifications", "INSERT", "NEW"),
    ("notifications_notify_update", "notifications", "UPDATE", "NEW"),
    ("notifications_notify_delete", "notifications", "DELETE", "OLD"),
]


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    for name, table, event, transition in TRIGGERS:
        op.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} REFERENCING {transition} TABLE AS changed "
                   "FOR EACH STATEMENT EXECUTE FUNCTION mentormatch_notify_views()")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, table, _event, _transition in TRIGGERS:
        op.execute(f"DROP TRIGGER {name} ON {table}")
    op.execute("DROP FUNCTION mentormatch_notify_views()")
