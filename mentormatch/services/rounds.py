"""Matching rounds and the coordinator's hand work: preview, publish, withdraw, end.

A round belongs to one program and runs the engine over that program's pool
(``services.pool.load_pool``): it never proposes people of another program.
The program's matching method and weights are the round's defaults
(``default_params``).
``preview_round`` only reads, so a coordinator can repeat it with other
weights or exclusions as often as they like; ``publish_round`` re-runs it
with the same parameters and writes every proposal and notification with
bulk inserts in one transaction, so 10,000 proposals take seconds, not
minutes. The digest of a preview travels with the form: if the pool
changed in between, publishing refuses and shows the new preview instead.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, fields

import numpy as np
from sqlalchemy import func, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from mentormatch.extensions import db
from mentormatch.matching import CRITERIA, MenteeFeatures, MentorFeatures, Weights, assign, score_matrix
from mentormatch.matching.scoring import MODE_CLASH, MODE_INDEX, score_parts
from mentormatch.models import PENDING, Match, MatchingRound, MatchOrigin, MatchStatus, Notification, Program, User
from mentormatch.models.match import RoundStatus
from mentormatch.models.user import utcnow
from mentormatch.services.console import audit
from mentormatch.services.matches import expiry_for, withdraw
from mentormatch.services.notifications import Kind, notification_email
from mentormatch.services.paging import Page, bounds
from mentormatch.services.pool import Pool, load_pool
from mentormatch.services.bulk import insert_rows
from mentormatch.services.outbox import queue_emails
from mentormatch.services.transactions import transaction

METHODS = ("optimal", "stable")
BUCKETS = 10  # score distribution in 0.1-wide buckets
NO_TIME_WINDOW = 0.25  # schedule criterion at or below this: hours and shifts do not meet
REASON_BLOCK = 256  # unmatched mentees whose criteria are computed at once
ROUND_LOCK_KEY = 7_340_021  # PostgreSQL advisory lock (with the program's id) for what proposes in bulk

NO_SPECIALTY = "No mentor in their specialty"
NO_MODE = "No mentor offers their meeting mode"
ALL_EXCLUDED = "Every mentor in their specialty was declined or excluded"
NO_TIME = "No shared time window"
ALL_FULL = "All suitable mentors are full"

ANSWERED = (MatchStatus.ACCEPTED_BY_MENTEE, MatchStatus.ACCEPTED_BY_MENTOR, MatchStatus.ACTIVE,
            MatchStatus.DECLINED, MatchStatus.ENDED)


class RoundError(ValueError):
    """The round cannot be published or withdrawn; the message says why."""


@dataclass(frozen=True)
class RoundParams:
    """What a coordinator chose: method, weights and pairs never to propose."""

    method: str = "optimal"
    weights: Weights = field(default_factory=Weights)
    excluded: frozenset[tuple[int, int]] = frozenset()

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise ValueError(f"method must be one of {', '.join(METHODS)}")


@dataclass(frozen=True)
class ProposedPair:
    mentee_id: int
    mentor_id: int
    mentee_name: str
    mentor_name: str
    score: float

    @property
    def key(self) -> str:
        """The pair as the form carries it: ``"menteeId:mentorId"``."""
        return f"{self.mentee_id}:{self.mentor_id}"


@dataclass(frozen=True)
class UnmatchedMentee:
    mentee_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class Bucket:
    low: float
    high: float
    count: int


@dataclass
class RoundPreview:
    """What publishing would propose, and who would be left out and why."""

    params: RoundParams
    mentees: int  # in the pool
    mentors: int  # with free places
    places: int  # free places in all
    pairs: list[ProposedPair]  # weakest first
    unmatched: list[UnmatchedMentee]
    buckets: list[Bucket]
    names: dict[int, str]
    digest: str
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def matched(self) -> int:
        return len(self.pairs)

    @property
    def total_score(self) -> float:
        return float(sum(p.score for p in self.pairs))

    @property
    def mean_score(self) -> float:
        return self.total_score / len(self.pairs) if self.pairs else 0.0

    @property
    def largest_bucket(self) -> int:
        return max((b.count for b in self.buckets), default=0)

    def reason_counts(self) -> list[tuple[str, int]]:
        """How many unmatched mentees each reason covers, most common first."""
        counts: dict[str, int] = {}
        for person in self.unmatched:
            counts[person.reason] = counts.get(person.reason, 0) + 1
        return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def default_params(program: Program) -> RoundParams:
    """The round form's starting point: the program's matching method and weights ({} = the engine's defaults)."""
    names = {f.name for f in fields(Weights)}
    known = {name: value for name, value in (program.weights or {}).items() if name in names}
    try:
        weights = Weights(**known)
    except (TypeError, ValueError):
        weights = Weights()
    method = program.matching_method if program.matching_method in METHODS else "optimal"
    return RoundParams(method=method, weights=weights)


def save_defaults(program: Program, params: RoundParams, coordinator: User) -> None:
    """Make ``params``' method and weights where the program's next rounds start (``default_params``)."""
    if not coordinator.coordinates(program.id):
        raise RoundError("Only a coordinator of this program can change its round defaults.")
    weights = {f.name: getattr(params.weights, f.name) for f in fields(Weights)}
    with transaction():
        before = {"method": program.matching_method, "weights": dict(program.weights or {})}
        program.matching_method, program.weights = params.method, weights
        audit.record(coordinator, "round_defaults_saved", f"Saved the round defaults of {program.name}",
                     target=program, program=program, before=before, after={"method": params.method,
                                                                            "weights": weights})


class RoundChanged(RoundError):
    """The pool changed since the preview; ``preview`` is what publishing would do now."""

    def __init__(self, preview: RoundPreview) -> None:
        super().__init__("Nothing was published: the result differs from your last preview (the settings "
                         "or the program changed since). Check this new preview, then publish again.")
        self.preview = preview


@dataclass(frozen=True)
class _Run:
    pool: Pool
    scores: np.ndarray
    assignment: np.ndarray


def _sorted_pool(program_id: int) -> Pool:
    """The program's pool in id order, so the same program always gives the same result."""
    pool = load_pool(program_id)
    pool.mentees.sort(key=lambda m: m.id)
    pool.mentors.sort(key=lambda m: m.id)
    return pool


def _run(program: Program, params: RoundParams, timings: dict[str, float]) -> _Run:
    started = time.perf_counter()
    pool = _sorted_pool(program.id)
    read = time.perf_counter()
    scores = score_matrix(pool.mentees, pool.mentors, params.weights,
                          declined=pool.declined, excluded=params.excluded)
    assignment = assign(scores, np.array([m.capacity for m in pool.mentors], dtype=np.int64), params.method)
    timings["read"] = read - started
    timings["engine"] = time.perf_counter() - read
    return _Run(pool, scores, assignment)


def _digest(pairs: list[tuple[int, int]]) -> str:
    return hashlib.sha256(",".join(f"{a}:{b}" for a, b in sorted(pairs)).encode()).hexdigest()[:20]


def _pairs(run: _Run) -> list[tuple[int, int, float]]:
    rows = np.flatnonzero(run.assignment >= 0)
    cols = run.assignment[rows]
    values = run.scores[rows, cols].astype(float)
    return [(run.pool.mentees[r].id, run.pool.mentors[c].id, s)
            for r, c, s in zip(rows.tolist(), cols.tolist(), values.tolist())]


def _buckets(values: np.ndarray) -> list[Bucket]:
    index = np.minimum((np.asarray(values, dtype=float) * BUCKETS).astype(int), BUCKETS - 1)
    counts = np.bincount(index, minlength=BUCKETS) if len(values) else np.zeros(BUCKETS, dtype=int)
    return [Bucket(k / BUCKETS, (k + 1) / BUCKETS, int(counts[k])) for k in range(BUCKETS)]


def _mode_clash(mentees: list[MenteeFeatures], mentors: list[MentorFeatures]) -> np.ndarray:
    unknown = len(MODE_INDEX)  # the tables' last row and column
    e = np.array([MODE_INDEX.get(m.meeting_mode, unknown) for m in mentees], dtype=np.intp)
    o = np.array([MODE_INDEX.get(m.meeting_mode, unknown) for m in mentors], dtype=np.intp)
    return MODE_CLASH[e[:, None], o[None, :]]


def _reasons(run: _Run, params: RoundParams) -> list[UnmatchedMentee]:
    """Why each mentee the engine left out could not be matched, in pool order.

    Both methods leave a mentee out only when every mentor they may be paired
    with is full, so the reason looks for what narrowed their choice first:
    no shared specialty, then meeting mode, then exclusions, then time.
    """
    pool, rows = run.pool, np.flatnonzero(run.assignment < 0)
    out: list[UnmatchedMentee] = []
    schedule = CRITERIA.index("schedule")
    for start in range(0, len(rows), REASON_BLOCK):
        block = rows[start:start + REASON_BLOCK]
        mentees = [pool.mentees[r] for r in block.tolist()]
        parts = score_parts(mentees, pool.mentors, params.weights)
        shares = parts[0] > 0
        clash = (_mode_clash(mentees, pool.mentors) if params.weights.strict_meeting_mode
                 else np.zeros(shares.shape, dtype=bool))
        allowed = np.isfinite(run.scores[block])
        for k, mentee in enumerate(mentees):
            fits = shares[k]
            if not pool.mentors or not fits.any():
                reason = NO_SPECIALTY if pool.mentors else ALL_FULL
            elif clash[k, fits].all():
                reason = NO_MODE
            elif not allowed[k, fits].any():
                reason = ALL_EXCLUDED
            elif (parts[schedule, k][fits & allowed[k]] <= NO_TIME_WINDOW).all():
                reason = NO_TIME
            else:
                reason = ALL_FULL
            out.append(UnmatchedMentee(mentee.id, pool.names.get(mentee.id, ""), reason))
    return out


def _preview(run: _Run, params: RoundParams, timings: dict[str, float]) -> RoundPreview:
    started = time.perf_counter()
    names = run.pool.names
    found = _pairs(run)
    pairs = sorted((ProposedPair(e, o, names.get(e, ""), names.get(o, ""), s) for e, o, s in found),
                   key=lambda p: (p.score, p.mentee_name, p.mentee_id))
    preview = RoundPreview(
        params=params, mentees=len(run.pool.mentees), mentors=len(run.pool.mentors),
        places=sum(m.capacity for m in run.pool.mentors), pairs=pairs, unmatched=_reasons(run, params),
        buckets=_buckets(np.array([p.score for p in pairs])), names=names,
        digest=_digest([(e, o) for e, o, _ in found]), timings=timings,
    )
    timings["summary"] = time.perf_counter() - started
    return preview


def preview_round(program: Program, params: RoundParams) -> RoundPreview:
    """Run the engine over the program's pool and describe the result; writes nothing."""
    timings: dict[str, float] = {}
    preview = _preview(_run(program, params, timings), params, timings)
    db.session.rollback()  # end the read-only transaction rather than leave it idle
    return preview


@dataclass(frozen=True)
class PublishResult:
    round: MatchingRound
    timings: dict[str, float]


def _begin_exclusive(program_id: int) -> None:
    """Start a transaction in which no other bulk proposal in the program can interleave.

    PostgreSQL: a transaction-scoped advisory lock on (ROUND_LOCK_KEY, program
    id), so rounds of different programs do not wait for each other. SQLite:
    BEGIN IMMEDIATE. Acceptances lock their pair's memberships
    (services.transactions), so capacity stays honest either way; this keeps
    two coordinators from publishing the same pool twice.
    """
    if db.session().in_transaction():
        db.session.commit()
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.connection(execution_options={"sqlite_immediate": True})
    else:
        db.session.execute(text("SELECT pg_advisory_xact_lock(:key, :program)"),
                           {"key": ROUND_LOCK_KEY, "program": program_id})


def _bulk_notify(rows: list[tuple[int, str, str, str, int]], kind: Kind) -> None:
    """Notify many people at once, as ``notify`` would: ``rows`` of (user_id, email, name, text, match_id)."""
    if not rows:
        return
    now = utcnow()
    insert_rows(Notification.__table__, [
        {"user_id": user_id, "kind": str(kind), "text": body, "match_id": match_id, "created_at": now}
        for user_id, _, _, body, match_id in rows])
    queue_emails([notification_email(email, name, kind, body, match_id) for _, email, name, body, match_id in rows])


def proposal_text(other: str, as_what: str) -> str:
    return f"The program coordinator proposes {other} as your {as_what}. Please accept or decline."


def _round_people(round_id: int, *statuses: str):
    """(match id, mentee id, email, name, mentor id, email, name) of a round's matches."""
    mentee, mentor = aliased(User), aliased(User)
    query = (db.select(Match.id, mentee.id, mentee.email, mentee.name, mentor.id, mentor.email, mentor.name)
             .join(mentee, mentee.id == Match.mentee_id).join(mentor, mentor.id == Match.mentor_id)
             .where(Match.round_id == round_id))
    if statuses:
        query = query.where(Match.status.in_(statuses))
    return db.session.execute(query).all()


def _check_coordinator(program_id: int, coordinator: User) -> None:
    if not coordinator.coordinates(program_id):
        raise RoundError("Only a coordinator of this program can do that.")


def publish_round(program: Program, params: RoundParams, coordinator: User,
                  expected_digest: str | None = None) -> PublishResult:
    """Re-run the previewed round over the program's pool and propose every pair, telling both sides.

    Raises ``RoundChanged`` when ``expected_digest`` no longer matches what
    the engine proposes, and ``RoundError`` when nobody would be matched.
    """
    _check_coordinator(program.id, coordinator)
    timings: dict[str, float] = {}
    try:
        with transaction():
            _begin_exclusive(program.id)
            run = _run(program, params, timings)
            found = _pairs(run)
            if expected_digest is not None and _digest([(e, o) for e, o, _ in found]) != expected_digest:
                raise RoundChanged(_preview(run, params, timings))
            if not found:
                raise RoundError("Nothing to publish: this round would not match anybody.")
            started = time.perf_counter()
            now = utcnow()
            expires = expiry_for(program)
            matching_round = MatchingRound(
                program_id=program.id, created_by_id=coordinator.id, method=params.method, status=RoundStatus.PUBLISHED,
                weights={name: getattr(params.weights, name) for name in CRITERIA},
                excluded_pairs=sorted([e, o] for e, o in params.excluded),
                proposals=len(found), total_score=float(sum(s for _, _, s in found)), created_at=now)
            db.session.add(matching_round)
            db.session.flush()
            insert_rows(Match.__table__, [
                {"program_id": program.id, "mentee_id": e, "mentor_id": o, "status": MatchStatus.PROPOSED.value,
                 "origin": MatchOrigin.ROUND.value, "round_id": matching_round.id, "score": s,
                 "message": "", "decline_note": "", "created_at": now, "expires_at": expires}
                for e, o, s in found])
            people = _round_people(matching_round.id)
            notices = []
            for match_id, e_id, e_mail, e_name, o_id, o_mail, o_name in people:
                notices.append((e_id, e_mail, e_name, proposal_text(o_name, "mentor"), match_id))
                notices.append((o_id, o_mail, o_name, proposal_text(e_name, "mentee"), match_id))
            _bulk_notify(notices, Kind.PROPOSAL)
            audit.record(coordinator, "round_published",
                         f"Published round {matching_round.id}: {len(found)} proposals", target=matching_round,
                         program=program,
                         after={"method": params.method, "proposals": len(found),
                                "total_score": round(matching_round.total_score, 4),
                                "weights": matching_round.weights, "excluded_pairs": len(params.excluded)})
            timings["write"] = time.perf_counter() - started
    except IntegrityError as error:
        raise RoundError("Someone's matches changed while publishing; nothing was published. "
                         "Preview again.") from error
    return PublishResult(matching_round, timings)


def withdraw_round(matching_round: MatchingRound, coordinator: User) -> int:
    """Withdraw every proposal of a round nobody has answered yet; returns how many.

    The round's program is the one worked on: ``coordinator`` must run it.
    """
    _check_coordinator(matching_round.program_id, coordinator)
    with transaction():
        _begin_exclusive(matching_round.program_id)
        db.session.refresh(matching_round)
        if matching_round.status != RoundStatus.PUBLISHED:
            raise RoundError("This round was withdrawn already.")
        answered = db.session.scalar(db.select(func.count()).select_from(Match).where(
            Match.round_id == matching_round.id, Match.status.in_(ANSWERED)))
        if answered:
            raise RoundError(
                f"{answered} {'proposal has' if answered == 1 else 'proposals have'} already been answered, "
                f"so this round can no longer be withdrawn as a whole. End the open proposals one by one "
                f"from the list of pending proposals instead.")
        people = _round_people(matching_round.id, MatchStatus.PROPOSED)
        now = utcnow()
        db.session.execute(
            update(Match).where(Match.round_id == matching_round.id, Match.status == MatchStatus.PROPOSED)
            .values(status=MatchStatus.WITHDRAWN.value, closed_by_id=coordinator.id, decided_at=now),
            execution_options={"synchronize_session": False})
        matching_round.status = RoundStatus.WITHDRAWN
        notices = []
        for match_id, e_id, e_mail, e_name, o_id, o_mail, o_name in people:
            body = f"The proposed match between {e_name} and {o_name} was withdrawn by the program coordinator."
            notices += [(e_id, e_mail, e_name, body, match_id), (o_id, o_mail, o_name, body, match_id)]
        _bulk_notify(notices, Kind.WITHDRAWN)
        audit.record(coordinator, "round_withdrawn", f"Withdrew round {matching_round.id}: {len(people)} proposals",
                     target=matching_round, program=matching_round.program_id,
                     before={"status": RoundStatus.PUBLISHED.value},
                     after={"status": RoundStatus.WITHDRAWN.value, "withdrawn_proposals": len(people)})
    return len(people)


@dataclass(frozen=True)
class RoundSummary:
    round: MatchingRound
    counts: dict[str, int]  # match status -> how many

    @property
    def answered(self) -> int:
        return sum(self.counts.get(s, 0) for s in ANSWERED)

    @property
    def open(self) -> int:
        return sum(self.counts.get(s, 0) for s in PENDING)

    @property
    def can_withdraw(self) -> bool:
        return self.round.status == RoundStatus.PUBLISHED and not self.answered

    def count(self, status: str) -> int:
        return self.counts.get(status, 0)


def round_summary(matching_round: MatchingRound) -> RoundSummary:
    """One round with its matches counted by status (for the page that asks before withdrawing it)."""
    counts = dict(db.session.execute(db.select(Match.status, func.count()).where(Match.round_id == matching_round.id)
                                     .group_by(Match.status)).all())
    return RoundSummary(matching_round, counts)


def rounds_page(program: Program, page: int, per_page: int) -> Page:
    """One page of the program's rounds, newest first, with their matches counted by status (three queries)."""
    total = db.session.scalar(db.select(func.count()).select_from(MatchingRound)
                              .where(MatchingRound.program_id == program.id))
    page, pages = bounds(total, page, per_page)
    rounds = db.session.scalars(
        db.select(MatchingRound).where(MatchingRound.program_id == program.id)
        .options(selectinload(MatchingRound.created_by))
        .order_by(MatchingRound.created_at.desc(), MatchingRound.id.desc())
        .limit(per_page).offset((page - 1) * per_page)).all()
    counts: dict[int, dict[str, int]] = {r.id: {} for r in rounds}
    if rounds:
        for round_id, status, n in db.session.execute(
                db.select(Match.round_id, Match.status, func.count())
                .where(Match.round_id.in_(list(counts))).group_by(Match.round_id, Match.status)):
            counts[round_id][status] = n
    return Page([RoundSummary(r, counts[r.id]) for r in rounds], page, pages, total)


def pending_proposals(program: Program, page: int, per_page: int) -> Page:
    """One page of the program's matches still waiting for an answer, oldest first (two queries plus names)."""
    waiting = (Match.program_id == program.id) & Match.status.in_(PENDING)
    total = db.session.scalar(db.select(func.count()).select_from(Match).where(waiting))
    page, pages = bounds(total, page, per_page)
    items = db.session.scalars(
        db.select(Match).where(waiting)
        .options(selectinload(Match.mentee), selectinload(Match.mentor))
        .order_by(Match.created_at, Match.id).limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total)


def end_proposal(match: Match, coordinator: User) -> Match:
    """A coordinator of the match's program ends (withdraws) one pending proposal; both sides are told
    and the audit log keeps it."""
    before = match.status
    with transaction():
        withdraw(match, coordinator)
        audit.record(coordinator, "proposal_ended", f"Ended the proposal between {match.mentee.name} and "
                                                    f"{match.mentor.name}", target=match, program=match.program_id,
                     before={"status": str(before)}, after={"status": MatchStatus.WITHDRAWN.value})
    return match


def get_round(program: Program, round_id: int) -> MatchingRound | None:
    """One of the program's rounds; None for a round of another program (a 404)."""
    found = db.session.get(MatchingRound, round_id)
    return found if found is not None and found.program_id == program.id else None


def get_match(program: Program, match_id: int) -> Match | None:
    """One of the program's matches; None for a match of another program (a 404)."""
    found = db.session.get(Match, match_id)
    return found if found is not None and found.program_id == program.id else None
