"""The reviewed vocabulary (issue 16): stored codes that changed name. Data only; the schema is unchanged.

Upgrade:
- credential ``amt_mt`` -> ``amt_mls`` (AMT renamed MT(AMT) to MLS(AMT) in 2023), in profile and
  membership tags (held and sought), credential records and exam plans;
- meeting frequency ``bimonthly`` -> ``every_two_months`` (the word is ambiguous), on profiles and
  agreement terms.
Codes whose meaning stayed are kept: ``manager`` is now "Laboratory manager" beside the new
``director``; ``ascp_qls`` is still ASCP QLS, now labelled as the laboratory safety qualification it is.
Everything else in the new vocabulary is new codes, which old rows do not hold.

Downgrade maps back the renames (lossless) and, so that revision 0015's code knows every stored value,
the codes added with this revision that an older code covered: ``director`` -> ``manager`` (once
"Laboratory manager or director"), ``ascpi_<x>`` -> ``ascp_<x>``, 12-hour days -> day, 12-hour nights
-> night, weekend and per diem -> rotating. Lossy: where both codes were held, one row stays (a
credential record keeps the ASCP form's dates); the international form, the 12-hour, weekend and per
diem shifts and the director goal are not restored by a later upgrade. New specialties and the other
new credentials have no older code and stay as they are (0015 shows them by code).
Audit entries keep the codes they were written with (the log is append-only).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# The codes as they were written at each revision: migrations never read mentormatch.domain.
CREDENTIAL_RENAMES = {"amt_mt": "amt_mls"}
FREQUENCY_RENAMES = {"bimonthly": "every_two_months"}
ASCPI_FORMS = ("mls", "mlt", "pbt", "ht", "htl", "ct", "c", "h", "m", "bb", "mb", "cg", "sbb", "sh", "sm", "sc",
               "sct")
# Downgrade only: a code added in 0016 -> the 0015 code that covered it.
CREDENTIALS_BACK = {f"ascpi_{x}": f"ascp_{x}" for x in ASCPI_FORMS}
GOALS_BACK = {"director": "manager"}
SHIFTS_BACK = {"day_12h": "day", "night_12h": "night", "weekend": "rotating", "per_diem": "rotating"}

CREDENTIAL_KINDS = ("credential", "credential_sought")  # models.profile.TagKind
TAG_TABLES = (("profile_tags", "profile_id"), ("membership_tags", "membership_id"))


def _recode(table: str, column: str, keys: tuple[str, ...], old: str, new: str, where: str = "") -> None:
    """Rename ``old`` to ``new`` in a column that is unique with ``keys``; a row whose owner already holds
    ``new`` is deleted instead (the owner keeps one row for the code)."""
    same_owner = " AND ".join(f"other.{k} = {table}.{k}" for k in keys)
    guard = f" AND NOT EXISTS (SELECT 1 FROM {table} AS other WHERE {same_owner} AND other.{column} = :new)"
    params = {"old": old, "new": new}
    op.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old{where}{guard}").bindparams(**params))
    op.execute(sa.text(f"DELETE FROM {table} WHERE {column} = :old{where}").bindparams(old=old))


def _recode_credentials(mapping: dict[str, str]) -> None:
    kinds = ", ".join(f"'{k}'" for k in CREDENTIAL_KINDS)
    for old, new in mapping.items():
        for table, owner in TAG_TABLES:
            _recode(table, "code", (owner, "kind"), old, new, f" AND kind IN ({kinds})")
        _recode("credential_records", "code", ("user_id", "kind"), old, new, " AND kind = 'credential'")
        _recode("exam_plans", "credential", ("membership_id",), old, new)


def _recode_column(table: str, column: str, mapping: dict[str, str]) -> None:
    for old, new in mapping.items():
        op.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {column} = :old").bindparams(old=old, new=new))


def _recode_topics(mapping: dict[str, str]) -> None:
    """Agreed and covered topics are JSON lists of "kind:code" keys."""
    conn = op.get_bind()
    for name in ("agreement_versions", "meetings"):
        table = sa.table(name, sa.column("id", sa.Integer), sa.column("topics", sa.JSON))
        for row in conn.execute(sa.select(table.c.id, table.c.topics)).all():
            topics = list(dict.fromkeys(mapping.get(t, t) for t in row.topics or []))
            if topics != list(row.topics or []):
                conn.execute(sa.update(table).where(table.c.id == row.id).values(topics=topics))


def upgrade():
    _recode_credentials(CREDENTIAL_RENAMES)
    _recode_column("profiles", "meeting_frequency", FREQUENCY_RENAMES)
    _recode_column("agreement_versions", "frequency", FREQUENCY_RENAMES)


def downgrade():
    _recode_credentials({new: old for old, new in CREDENTIAL_RENAMES.items()} | CREDENTIALS_BACK)
    for old, new in GOALS_BACK.items():
        for table, owner in TAG_TABLES:
            _recode(table, "code", (owner, "kind"), old, new, " AND kind = 'goal'")
    _recode_topics({f"goal:{old}": f"goal:{new}" for old, new in GOALS_BACK.items()})
    _recode_column("profiles", "shift", SHIFTS_BACK)
    back = {new: old for old, new in FREQUENCY_RENAMES.items()}
    _recode_column("profiles", "meeting_frequency", back)
    _recode_column("agreement_versions", "frequency", back)
