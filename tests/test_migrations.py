"""The models and the migrations describe the same schema (like `flask db check`)."""

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from mentormatch.extensions import db


def test_the_migrated_schema_matches_the_models(app_ctx):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        assert compare_metadata(context, db.metadata) == []
