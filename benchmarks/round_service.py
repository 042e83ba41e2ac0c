"""A matching round through the service layer: database read, engine, proposals written.

    .venv/bin/python benchmarks/round_service.py                       # temp SQLite file
    .venv/bin/python benchmarks/round_service.py --database-url postgresql+psycopg://u:p@127.0.0.1:5432/bench

The database named by --database-url gets a fresh MentorMatch schema (its
tables are dropped first, so point it at a throwaway database; the script
refuses if it already holds users unless --reset is given).

1. The largest program of ``flask demo``'s data: median of 3 previews.
2. A large program, by default 10,000 mentees and 2,500 mentors with 4
   places each and realistic profiles (benchmarks/instances.py), inserted
   in bulk with their memberships in one program (and a coordinator of it):
   median of 3 previews, each split into database read / engine / summary.
3. Publishing that large round, median of 3 runs of each of two kinds,
   split into database read / engine / write (and commit plus queued emails):
   right after a preview of the same pool and settings, which reuses the
   preview's assignment (``services.rounds.previews``), and after one
   mentee's time zone changed, which must run the engine again. Each round
   is withdrawn before the next publish, which returns the pool to the
   state previewed.

Emails are not sent (MAIL_SERVER unset): each is written to the log, whose
cost is counted (the log goes to /dev/null). The first call of a process
also loads the engine's compiled kernels; it is reported as warm-up and
kept out of the medians. Compare the ratios printed, not absolute times:
the machines this runs on are noisy.
"""

from __future__ import annotations

import argparse
import importlib.util
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from sqlalchemy import func, insert
from werkzeug.security import generate_password_hash

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
_spec = importlib.util.spec_from_file_location("mentormatch_bench_instances", HERE / "instances.py")
instances = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(instances)

from mentormatch.app import create_app  # noqa: E402
from mentormatch.extensions import db  # noqa: E402
from mentormatch.models import (  # noqa: E402
    Match, Membership, MembershipStatus, MembershipTag, Notification, Profile, ProfileTag, Program,
    ProgramCoordinator, ProgramRole, TagKind, User,
)
from mentormatch.models.user import utcnow  # noqa: E402
from mentormatch.services import rounds  # noqa: E402
from mentormatch.services.programs import ProgramInput, create_program  # noqa: E402
from mentormatch.services.demo import seed_demo  # noqa: E402

BATCH = 5000
BENCH_SLUG = "bench-program"
COORDINATOR_EMAIL = "coordinator@bench.example.org"
ZONES = ("Asia/Manila", "Europe/London", "America/Halifax", "Australia/Perth")  # a changed pool, one per run


def _app(url: str):
    app = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "benchmark", "SQLALCHEMY_DATABASE_URI": url,
                      "MAIL_SERVER": "", "TESTING": False})
    mail_log = logging.getLogger("mentormatch.mail")
    mail_log.setLevel(logging.INFO)
    mail_log.addHandler(logging.FileHandler(os.devnull))
    mail_log.propagate = False
    return app


def _fresh_schema(reset: bool) -> None:
    db.session.remove()
    inspector = db.inspect(db.engine)
    if inspector.has_table("users") and not reset:
        with db.engine.connect() as conn:
            if conn.execute(db.select(func.count()).select_from(User)).scalar():
                sys.exit("The database already holds users; pass --reset to wipe it.")
    db.drop_all()
    if inspector.has_table("alembic_version"):
        with db.engine.begin() as conn:
            conn.exec_driver_sql("DROP TABLE alembic_version")
    db.create_all()


def _insert(table, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        db.session.execute(insert(table), rows[start:start + BATCH])


def _years(value: float | None) -> int:
    return int(min(60, max(0, round(value or 0))))


def load_large_program(mentees: int, mentors: int, capacity: int, seed: int) -> tuple[float, float]:
    """Bulk-insert users, profiles, tags and memberships of one realistic program; returns (generate, insert) s."""
    started = time.perf_counter()
    rng = np.random.default_rng(seed)
    people = [(ProgramRole.MENTEE, p) for p in instances.make_mentees(mentees, rng)]
    people += [(ProgramRole.MENTOR, p) for p in instances.make_mentors(mentors, rng, capacity=capacity)]
    generated = time.perf_counter()
    program = create_program(ProgramInput(name="Bench program", slug=BENCH_SLUG))
    password_hash = generate_password_hash("benchmark-password")
    now = utcnow()
    _insert(User.__table__, [
        {"email": f"{role}{k}@bench.example.org", "name": f"Bench {role.title()} {k}", "password_hash": password_hash,
         "active": True, "created_at": now, "email_confirmed_at": now}
        for k, (role, _) in enumerate(people)])
    user_ids = dict(db.session.execute(db.select(User.email, User.id)).all())
    profiles, memberships = [], []
    for k, (role, p) in enumerate(people):
        mentor = role == ProgramRole.MENTOR
        user_id = user_ids[f"{role}{k}@bench.example.org"]
        profiles.append({
            "user_id": user_id, "job_title": "Medical Laboratory Scientist",
            "organisation": "Bench General Hospital", "years_experience": _years(p.years_experience),
            "time_zone": p.time_zone, "meeting_mode": p.meeting_mode, "meeting_frequency": p.frequency,
            "shift": p.shift, "bio": "", "hopes": "", "updated_at": now})
        memberships.append({
            "user_id": user_id, "program_id": program.id, "role": role.value,
            "status": MembershipStatus.ACTIVE.value, "capacity": p.capacity if mentor else None,
            "accepting_mentees": mentor, "created_at": now, "updated_at": now})
    _insert(Profile.__table__, profiles)
    _insert(Membership.__table__, memberships)
    profile_ids = dict(db.session.execute(db.select(Profile.user_id, Profile.id)).all())
    membership_ids = dict(db.session.execute(
        db.select(Membership.user_id, Membership.id).where(Membership.program_id == program.id)).all())
    tags, own = [], []
    for k, (role, p) in enumerate(people):
        user_id = user_ids[f"{role}{k}@bench.example.org"]
        kinds = [(TagKind.SPECIALTY, p.specialties), (TagKind.CREDENTIAL, p.credentials)]
        if role == ProgramRole.MENTOR:
            kinds.append((TagKind.GOAL, p.goals_supported))
        else:  # what a mentee seeks belongs to their membership
            own += [{"membership_id": membership_ids[user_id], "kind": kind.value, "code": code}
                    for kind, codes in ((TagKind.GOAL, p.goals), (TagKind.CREDENTIAL_SOUGHT, p.credentials_sought))
                    for code in codes]
        tags += [{"profile_id": profile_ids[user_id], "kind": kind.value, "code": code}
                 for kind, codes in kinds for code in codes]
    _insert(ProfileTag.__table__, tags)
    _insert(MembershipTag.__table__, own)
    coordinator = User(email=COORDINATOR_EMAIL, name="Bench Coordinator", password_hash=password_hash)
    db.session.add(coordinator)
    db.session.flush()
    db.session.add(ProgramCoordinator(program_id=program.id, user_id=coordinator.id))
    db.session.commit()
    return generated - started, time.perf_counter() - generated


def _program() -> Program:
    """The bench program once loaded, else the program with the most members (the demo's largest)."""
    bench = db.session.scalar(db.select(Program).where(Program.slug == BENCH_SLUG))
    if bench is not None:
        return bench
    return db.session.scalar(
        db.select(Program).outerjoin(Membership, Membership.program_id == Program.id)
        .group_by(Program.id).order_by(func.count(Membership.id).desc(), Program.id).limit(1))


def _coordinator(program: Program) -> User:
    """A coordinator of ``program`` (the bench's, the demo's), else a site administrator."""
    return (db.session.scalar(db.select(User).join(ProgramCoordinator, ProgramCoordinator.user_id == User.id)
                              .where(ProgramCoordinator.program_id == program.id).limit(1))
            or db.session.scalar(db.select(User).where(User.is_admin.is_(True)).limit(1)))


def time_previews(count: int) -> tuple[dict[str, float], rounds.RoundPreview, float]:
    """Median timings of ``count`` previews after one warm-up; returns (medians, last preview, warm-up)."""
    program = _program()
    params = rounds.default_params(program)
    started = time.perf_counter()
    rounds.preview_round(program, params)
    warm_up = time.perf_counter() - started
    runs = []
    for _ in range(count):
        started = time.perf_counter()
        preview = rounds.preview_round(program, params)
        runs.append({**preview.timings, "total": time.perf_counter() - started})
    medians = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    return medians, preview, warm_up


def time_publish(program: Program, params: rounds.RoundParams, expected_digest: str | None) -> dict[str, float]:
    """One publish, split as its timings say; the round is withdrawn afterwards (untimed)."""
    coordinator = _coordinator(program)
    started = time.perf_counter()
    result = rounds.publish_round(program, params, coordinator, expected_digest=expected_digest)
    total = time.perf_counter() - started
    timings = dict(result.timings)
    timings["commit_and_emails"] = total - sum(timings.values())
    timings["total"] = total
    timings["proposals"] = result.round.proposals
    timings["reused"] = float(result.reused)
    rounds.withdraw_round(result.round, coordinator)
    return timings


def time_publishes(preview: rounds.RoundPreview, count: int) -> tuple[dict[str, float], dict[str, float]]:
    """Medians of ``count`` publishes right after ``preview`` (reused) and after a mentee's time zone changed."""
    program = _program()
    profile = db.session.scalar(db.select(Profile).join(Membership, Membership.user_id == Profile.user_id).where(
        Membership.program_id == program.id, Membership.role == ProgramRole.MENTEE).order_by(Profile.id).limit(1))
    zone = profile.time_zone
    reused, changed = [], []
    for k in range(count):
        reused.append(time_publish(program, preview.params, preview.digest))
        profile = db.session.get(Profile, profile.id)
        profile.time_zone = ZONES[k % len(ZONES)] if ZONES[k % len(ZONES)] != zone else "Pacific/Auckland"
        db.session.commit()  # a pool no preview saw, with as many places as before
        changed.append(time_publish(program, preview.params, None))
        profile = db.session.get(Profile, profile.id)
        profile.time_zone = zone
        db.session.commit()
    if not all(run["reused"] for run in reused) or any(run["reused"] for run in changed):
        sys.exit("publishing did not reuse the preview where it should (or did where it should not)")

    def medians(runs: list[dict[str, float]]) -> dict[str, float]:
        return {key: statistics.median(run.get(key, 0.0) for run in runs) for key in {k for r in runs for k in r}}
    return medians(reused), medians(changed)


def _split(t: dict[str, float], keys: tuple[str, ...]) -> str:
    return " + ".join(f"{key.replace('_', ' ')} {t[key]:.3f}" for key in keys if key in t)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a temporary SQLite file)")
    parser.add_argument("--mentees", type=int, default=10_000)
    parser.add_argument("--mentors", type=int, default=2_500)
    parser.add_argument("--capacity", type=int, default=4)
    parser.add_argument("--previews", type=int, default=3)
    parser.add_argument("--publishes", type=int, default=3, help="publishes of each kind (reused, changed pool)")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--reset", action="store_true", help="wipe a database that already holds users")
    args = parser.parse_args(argv)
    folder = None
    url = args.database_url
    if not url:
        folder = tempfile.TemporaryDirectory(prefix="mentormatch-bench-")
        url = f"sqlite:///{folder.name}/bench.db"
    app = _app(url)
    with app.app_context():
        dialect = db.engine.dialect.name
        print(f"database: {dialect} ({db.engine.url.render_as_string(hide_password=True)}); "
              f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")

        _fresh_schema(args.reset)
        seed_demo()
        demo, demo_preview, warm_up = time_previews(args.previews)
        print(f"\ndemo program ({_program().name}): {demo_preview.mentees} mentees, {demo_preview.mentors} mentors, "
              f"{demo_preview.places} places -> {demo_preview.matched} matched")
        print(f"  warm-up preview (loads compiled kernels): {warm_up:.3f} s")
        print(f"  preview, median of {args.previews}: {demo['total']:.3f} s  "
              f"({_split(demo, ('read', 'engine', 'summary'))})")

        _fresh_schema(True)
        generated, inserted = load_large_program(args.mentees, args.mentors, args.capacity, args.seed)
        print(f"\nlarge program: {args.mentees} mentees x {args.mentors} mentors (capacity {args.capacity}), "
              f"profiles generated in {generated:.1f} s, bulk-inserted in {inserted:.1f} s")
        large, preview, _ = time_previews(args.previews)
        print(f"  pool: {preview.mentees} mentees, {preview.mentors} mentors, {preview.places} places -> "
              f"{preview.matched} matched, total score {preview.total_score:.1f}, "
              f"{len(preview.unmatched)} unmatched")
        print(f"  preview, median of {args.previews}: {large['total']:.3f} s  "
              f"({_split(large, ('read', 'digest', 'engine', 'summary', 'remember'))})")
        reused, changed = time_publishes(preview, args.publishes)
        print(f"  publish right after the preview (its assignment reused), median of {args.publishes}: "
              f"{reused['total']:.3f} s for {int(reused['proposals'])} proposals  "
              f"({_split(reused, ('read', 'recall', 'engine', 'write', 'commit_and_emails'))})")
        print(f"  publish after a mentee's time zone changed (engine runs), median of {args.publishes}: "
              f"{changed['total']:.3f} s for {int(changed['proposals'])} proposals  "
              f"({_split(changed, ('read', 'recall', 'engine', 'write', 'commit_and_emails'))})")
        matches = db.session.scalar(db.select(func.count()).select_from(Match))
        notices = db.session.scalar(db.select(func.count()).select_from(Notification))
        print(f"  written in all ({2 * args.publishes} rounds published and withdrawn): {matches} matches, "
              f"{notices} notifications")

        print(f"\ncomparison (load average now {os.getloadavg()[0]:.1f})")
        print(f"  large / demo preview: {large['total'] / demo['total']:.0f}x the time for "
              f"{preview.mentees * preview.mentors / max(1, demo_preview.mentees * demo_preview.mentors):.0f}x the pairs")
        print(f"  publish after a changed pool / publish reusing the preview: "
              f"{changed['total'] / reused['total']:.2f}x")
        print(f"  reused publish / large preview: {reused['total'] / large['total']:.2f}x")
        print(f"  engine share of the large preview: {large['engine'] / large['total']:.0%}")
        db.session.remove()
    if folder is not None:
        folder.cleanup()


if __name__ == "__main__":
    main()
