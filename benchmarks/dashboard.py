"""Program-health dashboard speed: 10 programs x 1,000 participants on PostgreSQL.

    .venv/bin/python benchmarks/dashboard.py                          # 10 programs x 1,000 people, 15 requests
    .venv/bin/python benchmarks/dashboard.py --programs 1 --people 10000
    .venv/bin/python benchmarks/dashboard.py --people 200 --requests 30

Starts a throwaway PostgreSQL cluster, migrates it, bulk-inserts
``--programs`` programs of ``--people`` participants each (a quarter mentors
with capacity 1-4, the rest mentees) with profiles, memberships and
specialty/goal tags, active pairs with confirmed terms and meetings (some
behind their cadence), pending proposals, declines, ended pairs with
feedback, then logs in as the coordinator of the first program and requests
its dashboard (GET /coordinator/) repeatedly through the app's test client:
the other programs are there to show that the page reads one program's rows.

Prints the first (cold: charts drawn) and the median of the following
requests (warm: charts cached because the figures did not change), the
figures alone (services.console.stats.dashboard) and the charts drawn from
scratch, and the number of SQL statements per request. Exits 1 when the
median is over the 300 ms budget.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from _server import Postgres  # noqa: E402

BUDGET_MS = 300.0
PASSWORD = "benchmark password"


def populate(db, programs: int, people: int, seed: int = 7) -> str:
    """Insert the programs with bulk statements; returns the email of the first program's coordinator."""
    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from mentormatch import domain
    from mentormatch.models import (
        Agreement, AgreementFeedback, AgreementVersion, Match, Meeting, Membership, MembershipTag, Profile,
        ProfileTag, Program, ProgramCoordinator, User,
    )
    from mentormatch.models.user import utcnow

    rng = random.Random(seed)
    now = utcnow()
    digest = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
    rows: dict = {model: [] for model in (Program, User, ProgramCoordinator, Profile, ProfileTag, Membership,
                                          MembershipTag, Match, Agreement, AgreementVersion, Meeting,
                                          AgreementFeedback)}
    ids = {"user": 0, "match": 0, "membership": 0}
    for p in range(1, programs + 1):
        rows[Program].append({"id": p, "slug": f"program-{p}", "name": f"Program {p}", "description": "",
                              "track": "general", "enrolment": "open", "agreement_months": 6,
                              "mentors_may_join": True, "mentees_may_join": True, "matching_method": "optimal",
                              "weights": {}, "max_open_requests": 3, "expiry_days": 14, "suggestions": 10,
                              "direct_requests": True, "created_at": now})
        ids["user"] += 1
        rows[User].append({"id": ids["user"], "email": f"coordinator{p}@bench.example.org",
                           "name": f"Coordinator {p}", "password_hash": digest, "active": True, "created_at": now})
        rows[ProgramCoordinator].append({"program_id": p, "user_id": ids["user"], "appointed_at": now})
        _program(rows, ids, p, people, rng, digest, now, domain)
    models = list(rows)
    for model in models:
        for start in range(0, len(rows[model]), 5000):
            db.session.execute(insert(model), rows[model][start:start + 5000])
    for table in ("programs", "users", "profiles", "memberships", "matches", "agreements"):
        db.session.execute(db.text(f"SELECT setval('{table}_id_seq', (SELECT max(id) FROM {table}))"))
    db.session.commit()
    db.session.execute(db.text("ANALYZE"))
    db.session.commit()
    return "coordinator1@bench.example.org"


def _program(rows, ids, program_id, people, rng, digest, now, domain) -> None:
    """One program's participants, pairs and history, appended to ``rows``."""
    from mentormatch.models import (
        Agreement, AgreementFeedback, AgreementVersion, Match, Meeting, Membership, MembershipTag, Profile,
        ProfileTag, User,
    )

    today = date.today()
    specialties, goals = domain.codes(domain.SPECIALTIES), domain.codes(domain.CAREER_GOALS)
    n_mentors = people // 4
    mentors, mentees = [], []
    for k in range(people):
        ids["user"] += 1
        ids["membership"] += 1
        uid, mid = ids["user"], ids["membership"]
        role = "mentor" if k < n_mentors else "mentee"
        (mentors if role == "mentor" else mentees).append(uid)
        rows[User].append({"id": uid, "email": f"p{uid}@bench.example.org", "name": f"Person {uid}",
                           "password_hash": digest, "active": rng.random() > .02,
                           "created_at": now - timedelta(days=rng.randint(0, 400))})
        rows[Profile].append({"id": uid, "user_id": uid, "job_title": "Technologist", "organisation": "General",
                              "years_experience": rng.randint(0, 30), "time_zone": "America/Chicago",
                              "meeting_mode": "virtual", "meeting_frequency": "monthly", "shift": "day",
                              "bio": "", "hopes": "", "updated_at": now})
        rows[Membership].append({"id": mid, "user_id": uid, "program_id": program_id, "role": role,
                                 "status": "active", "capacity": rng.randint(1, 4) if role == "mentor" else None,
                                 "accepting_mentees": role == "mentor" and rng.random() > .1,
                                 "created_at": now - timedelta(days=rng.randint(0, 400)), "updated_at": now})
        for code in rng.sample(specialties, rng.randint(1, 3)):
            rows[ProfileTag].append({"profile_id": uid, "kind": "specialty", "code": code})
        for code in rng.sample(goals, rng.randint(1, 2)):
            if role == "mentor":
                rows[ProfileTag].append({"profile_id": uid, "kind": "goal", "code": code})
            else:
                rows[MembershipTag].append({"membership_id": mid, "kind": "goal", "code": code})
    rng.shuffle(mentees)
    matches, agreements, versions = rows[Match], rows[Agreement], rows[AgreementVersion]
    meetings, feedback = rows[Meeting], rows[AgreementFeedback]
    slots = [m for m in mentors for _ in range(2)]
    rng.shuffle(slots)
    for mentee, mentor in zip(mentees[: len(slots) // 2], slots):  # active pairs
        ids["match"] += 1
        match_id = ids["match"]
        created = now - timedelta(days=rng.randint(20, 120))
        matches.append({"id": match_id, "program_id": program_id, "mentee_id": mentee, "mentor_id": mentor,
                        "status": "active",
                        "origin": "round", "score": rng.random(), "created_at": created, "decided_at": created,
                        "message": "", "decline_note": ""})
        agreements.append({"id": match_id, "match_id": match_id, "status": "active", "created_at": created,
                           "end_note": ""})
        start = today - timedelta(days=rng.randint(30, 100))
        versions.append({"agreement_id": match_id, "number": 1, "status": "confirmed",
                         "frequency": rng.choice(list(domain.FREQUENCY_DAYS)), "mode": "virtual",
                         "start_date": start, "end_date": start + timedelta(days=180), "topics": [],
                         "expectations": "", "created_at": created})
        for _ in range(rng.randint(0, 4)):
            meetings.append({"agreement_id": match_id, "held_on": today - timedelta(days=rng.randint(1, 60)),
                             "duration_minutes": 60, "mode": "virtual", "topics": [], "shared_notes": "",
                             "created_at": now})
    rest = mentees[len(slots) // 2:]
    for k, mentee in enumerate(rest[: len(rest) // 2]):  # pending, declined and ended matches
        mentor = mentors[k % len(mentors)]
        status = ("proposed", "declined", "ended", "expired")[k % 4]
        ids["match"] += 1
        match_id = ids["match"]
        created = now - timedelta(days=rng.randint(0, 90))
        matches.append({"id": match_id, "program_id": program_id, "mentee_id": mentee, "mentor_id": mentor,
                        "status": status,
                        "origin": "manual" if k % 3 else "request", "score": rng.random(), "created_at": created,
                        "decided_at": created + timedelta(days=2), "message": "",
                        "decline_reason": "no_time" if status == "declined" else None, "decline_note": ""})
        if status == "ended":
            agreements.append({"id": match_id, "match_id": match_id, "status": "ended", "created_at": created,
                               "ended_at": now, "end_reason": "goals_achieved", "end_note": ""})
            feedback.append({"agreement_id": match_id, "author_id": mentee, "rating": rng.randint(3, 5),
                             "comment": "", "created_at": now})


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--programs", type=int, default=10)
    parser.add_argument("--people", type=int, default=1_000, help="participants per program")
    parser.add_argument("--requests", type=int, default=15)
    args = parser.parse_args()

    from flask_migrate import upgrade

    from mentormatch.app import create_app
    from mentormatch.extensions import db
    from mentormatch.web.console import charts
    from tests.querycount import count_statements

    with Postgres() as pg:
        app = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "bench", "SQLALCHEMY_DATABASE_URI": pg.url,
                          "WTF_CSRF_ENABLED": False})
        with app.app_context():
            upgrade()
            started = time.perf_counter()
            email = populate(db, args.programs, args.people)
            print(f"inserted {args.programs} programs x {args.people:,} participants in "
                  f"{time.perf_counter() - started:.1f} s")
            db.session.remove()
        client = app.test_client()
        assert client.post("/auth/login", data={"email": email, "password": PASSWORD}).status_code == 302
        times = []
        for _ in range(args.requests + 1):
            started = time.perf_counter()
            with count_statements() as seen:
                response = client.get("/coordinator/")
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
        with app.test_request_context():
            from mentormatch.models import Program
            from mentormatch.services.console.stats import dashboard
            program = db.session.get(Program, 1)
            figures = []
            for _ in range(5):
                started = time.perf_counter()
                board = dashboard(program)
                figures.append((time.perf_counter() - started) * 1000)
                db.session.rollback()
            for cached in (charts._supply_demand, charts._weekly, charts._cadence):
                cached.cache_clear()
            started = time.perf_counter()
            charts.charts_for(board)
            drawing = (time.perf_counter() - started) * 1000
        median = statistics.median(times[1:])
        print(f"dashboard GET /coordinator/ of one program of {args.people:,} participants, {args.programs} programs "
              f"in the database (PostgreSQL), {len(seen)} SQL statements:")
        print(f"  first request (charts drawn):   {times[0]:7.1f} ms")
        print(f"  median of {args.requests} following requests: {median:7.1f} ms   (budget {BUDGET_MS:.0f} ms)")
        print(f"  figures alone, median of 5:     {statistics.median(figures):7.1f} ms")
        print(f"  three charts drawn from scratch:{drawing:7.1f} ms")
        return 0 if median <= BUDGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
