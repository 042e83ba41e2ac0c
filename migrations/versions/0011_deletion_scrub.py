"""The audit log lets a deleted account's name and email be replaced, and nothing else.

Deleting an account must remove the person's name and email from the audit
log too (summaries such as "Deactivated Dana Okafor (dana@…)", the actor's
name, values before and after, flag reasons about them). The table stays
append-only: on PostgreSQL the trigger from migration 0005 now lets one
more kind of UPDATE through, the one services.erasure makes:

- the transaction has set ``mentormatch.erasing_user`` (``set_config(...,
  true)``, so only for itself) to the id of an account already marked
  deleted (``deleted_at`` set) whose name and email are still on the row;
- id, at, actor_id, action, target_type and target_id are unchanged;
- actor_name and summary are exactly the old text with that email, then
  that name, replaced by "Former participant" (cut to the column's 120 and
  300 characters);
- before and after are exactly the old JSON with the same replacement in
  every string, after a ``reason`` on a flag entry about that account is
  replaced by "Removed when the account was deleted".

Every other UPDATE, and every DELETE, is still refused. SQLite has no
trigger (as in 0005): nothing to do there.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import sqlalchemy as sa  # noqa: F401
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

FK_SET_NULL = """
    IF TG_OP = 'UPDATE' AND OLD.actor_id IS NOT NULL AND NEW.actor_id IS NULL
       AND (NEW.id, NEW.at, NEW.actor_name, NEW.action, NEW.target_type, NEW.target_id, NEW.summary,
            NEW.before::text, NEW.after::text)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.at, OLD.actor_name, OLD.action, OLD.target_type, OLD.target_id, OLD.summary,
            OLD.before::text, OLD.after::text) THEN
        RETURN NEW;  -- ON DELETE SET NULL of the actor's account
    END IF;
"""

WITH_ERASURE = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
DECLARE
    erasing text := current_setting('mentormatch.erasing_user', true);
    gone users%ROWTYPE;
    email_json text;
    name_json text;
    want_before jsonb;
    want_after jsonb;
BEGIN
""" + FK_SET_NULL + """
    IF TG_OP = 'UPDATE' AND erasing ~ '^[0-9]{1,9}$' THEN
        SELECT * INTO gone FROM users WHERE id = erasing::integer AND deleted_at IS NOT NULL;
        IF FOUND AND (NEW.id, NEW.at, NEW.actor_id, NEW.action, NEW.target_type, NEW.target_id)
                     IS NOT DISTINCT FROM
                     (OLD.id, OLD.at, OLD.actor_id, OLD.action, OLD.target_type, OLD.target_id) THEN
            -- How the email and name are spelt inside a JSON string (quotes, backslashes escaped).
            email_json := substr(to_jsonb(gone.email)::text, 2, length(to_jsonb(gone.email)::text) - 2);
            name_json := substr(to_jsonb(gone.name)::text, 2, length(to_jsonb(gone.name)::text) - 2);
            want_before := OLD.before::jsonb;
            want_after := OLD.after::jsonb;
            IF OLD.target_type = 'user' AND OLD.target_id = gone.id AND OLD.action IN ('flagged', 'flag_cleared') THEN
                IF want_before ? 'reason' THEN
                    want_before := jsonb_set(want_before, '{reason}', '"Removed when the account was deleted"');
                END IF;
                IF want_after ? 'reason' THEN
                    want_after := jsonb_set(want_after, '{reason}', '"Removed when the account was deleted"');
                END IF;
            END IF;
            want_before := replace(replace(want_before::text, email_json, 'Former participant'),
                                   name_json, 'Former participant')::jsonb;
            want_after := replace(replace(want_after::text, email_json, 'Former participant'),
                                  name_json, 'Former participant')::jsonb;
            IF NEW.actor_name = left(replace(replace(OLD.actor_name, gone.email, 'Former participant'),
                                             gone.name, 'Former participant'), 120)
               AND NEW.summary = left(replace(replace(OLD.summary, gone.email, 'Former participant'),
                                              gone.name, 'Former participant'), 300)
               AND NEW.before::jsonb = want_before AND NEW.after::jsonb = want_after THEN
                RETURN NEW;  -- the deleted account's name and email replaced (services.erasure)
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql;
"""

APPEND_ONLY = """
CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger AS $$
BEGIN
""" + FK_SET_NULL + """
    RAISE EXCEPTION 'audit_entries is append-only';
END;
$$ LANGUAGE plpgsql;
"""


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(WITH_ERASURE)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute(APPEND_ONLY)  # migration 0005's function, as it was
