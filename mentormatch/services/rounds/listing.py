"""A program's rounds and pending proposals as the coordinator's pages list them, and ending one proposal."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func
from sqlalchemy.orm import selectinload

from mentormatch.extensions import db
from mentormatch.models import PENDING, Match, MatchingRound, MatchStatus, Program, User
from mentormatch.models.match import RoundStatus
from mentormatch.services.console import audit
from mentormatch.services.matches import withdraw
from mentormatch.services.paging import Page, bounds
from mentormatch.services.transactions import transaction

ANSWERED = (MatchStatus.ACCEPTED_BY_MENTEE, MatchStatus.ACCEPTED_BY_MENTOR, MatchStatus.ACTIVE,
            MatchStatus.DECLINED, MatchStatus.ENDED)


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
