"""CSV exports: the right columns and rows, formulas neutralised, streamed in chunks without loading every row."""

from __future__ import annotations

import csv
import io
import re
import tracemalloc
from datetime import timedelta

from sqlalchemy import insert

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, Match, MatchStatus, User
from mentormatch.models.user import utcnow
from mentormatch.services.console import exports
from tests.factories import default_program, make_program, make_user
from tests.services.test_console_stats import build_program


def rows_of(kind: str, coordinator, program=None) -> list[dict]:
    text = "".join(exports.export_csv(program or default_program(), kind, coordinator))
    assert text.startswith("\ufeff")  # a byte order mark: Excel opens the file as UTF-8
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_pairings_export_has_scores_out_of_100_and_statuses_in_words(app_ctx):
    build_program(3)
    cora = make_user("coordinator")
    rows = rows_of("pairings", cora)
    assert len(rows) == 10 and list(rows[0]) == list(exports.PAIRINGS)
    assert {r["status"] for r in rows} == {"Active", "Proposed", "Declined", "Ended"}
    assert {r["origin"] for r in rows} == {"Matching round", "Paired by hand", "Requested by the mentee"}
    assert {r["decline_reason"] for r in rows} == {"", "I don't have time for this right now"}
    assert rows[0]["score"] == "80" and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d", rows[0]["created_at"])
    last = db.session.scalar(db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert (last.action, last.actor_id, last.after, last.program_id) == (
        "exported", cora.id, {"export": "pairings"}, default_program().id)


def test_exports_hold_the_program_s_rows_only(app_ctx):
    build_program(3)
    other = make_program("Leadership")
    ids = build_program(2, "b", program=other)
    make_user("mentee", name="Waiting There", program=other)
    cora = make_user("coordinator")
    theirs = {kind: rows_of(kind, cora, other) for kind in exports.EXPORTS}
    mine = {kind: rows_of(kind, cora) for kind in exports.EXPORTS}
    assert len(mine["pairings"]) == 10 and len(theirs["pairings"]) == 7
    assert not {r["match_id"] for r in mine["pairings"]} & {r["match_id"] for r in theirs["pairings"]}
    assert len(mine["meetings"]) == 4 and len(theirs["meetings"]) == 3
    assert [r["name"] for r in theirs["unmatched"]] == ["Waiting There"] and mine["unmatched"] == []
    assert ids["mentor_id"] not in {int(r["user_id"]) for r in mine["unmatched"]}
    assert list(exports.rows(other, "unmatched"))[0][1] == "Waiting There"


def test_meetings_export_lists_each_agreement_with_its_terms_and_meetings(app_ctx):
    build_program(3)
    rows = rows_of("meetings", make_user("coordinator"))
    assert len(rows) == 4  # three active pairs with one meeting each, one ended pair without terms or meetings
    assert sum(1 for r in rows if r["meeting_id"]) == 3 and {r["frequency"] for r in rows} >= {"Weekly", "Monthly"}
    assert {r["agreement_status"] for r in rows} == {"Active", "Ended"} and "Virtual" in {r["mode"] for r in rows}


def test_unmatched_export_lists_unmatched_mentees_with_their_specialties(app_ctx):
    make_user("mentee", name="=HYPERLINK(\"http://evil\")", specialties=["hematology", "blood_bank"])
    rows = rows_of("unmatched", make_user("coordinator"))
    assert len(rows) == 1 and rows[0]["specialties"] == "Hematology; Immunohematology / blood bank"
    assert rows[0]["name"].startswith("'=")  # a spreadsheet shows it as text, never runs it


def test_ten_thousand_rows_stream_in_chunks_without_holding_them_all(app_ctx):
    people = [make_user("mentor", profile=False) for _ in range(100)] + [make_user("mentee", profile=False)
                                                                       for _ in range(100)]
    mentors, mentees = [u.id for u in people[:100]], [u.id for u in people[100:]]
    when = utcnow() - timedelta(days=3)
    db.session.execute(insert(Match), [
        {"program_id": default_program().id, "mentee_id": e, "mentor_id": o, "status": MatchStatus.DECLINED.value, "origin": "round", "score": 0.5,
         "message": "", "decline_note": "", "created_at": when} for e in mentees for o in mentors])
    db.session.commit()
    db.session.expunge_all()
    chunks = exports.export_csv(default_program(), "pairings", make_user("coordinator"))
    tracemalloc.start()
    first = next(chunks)
    sizes, lines = [len(first)], first.count("\n")
    for chunk in chunks:
        sizes.append(len(chunk))
        lines += chunk.count("\n")
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    tracemalloc.start()
    whole = "".join(exports._csv(exports.PAIRINGS, list(exports._pairings(default_program()))))
    _, loaded = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert lines == 10_001 and len(sizes) > 40 and len(whole) == sum(sizes)
    assert first.startswith("\ufeffmatch_id,") and "Declined" in first
    assert peak < loaded / 3, f"streaming peaked at {peak} bytes, loading every row at {loaded}"
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 201


def test_an_export_quotes_what_a_spreadsheet_would_split_and_keeps_accents(app_ctx):
    make_user("mentee", name='Muñoz, "Ana"', specialties=["hematology"])
    text = "".join(exports.export_csv(default_program(), "unmatched", make_user("coordinator")))
    data = text.encode("utf-8")
    assert data.startswith(b"\xef\xbb\xbf") and '"Muñoz, ""Ana"""' in text and "\r\n" in text
    assert rows_of("unmatched", make_user("coordinator"))[0]["name"] == 'Muñoz, "Ana"'
