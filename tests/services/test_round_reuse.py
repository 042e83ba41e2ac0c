"""Publishing reuses the preview's assignment when the pool and the settings are unchanged."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
from sqlalchemy import func, update

from mentormatch.extensions import db
from mentormatch.matching import MenteeFeatures, MentorFeatures, Weights
from mentormatch.models import Match, MatchOrigin, MatchStatus, Program, StoredPreview
from mentormatch.models.user import utcnow
from mentormatch.services import rounds
from mentormatch.services.pool import Pool
from mentormatch.services.rounds import RoundParams, previews, running
from tests.factories import default_program as P
from tests.factories import make_program, make_user, membership


@pytest.fixture
def coordinator(app_ctx, outbox):
    return make_user("coordinator")


@pytest.fixture
def engine_runs(monkeypatch):
    """How many times the engine scored and assigned a pool (it still runs)."""
    calls = {"score_matrix": 0, "assign": 0}

    def counted(name, real):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return real(*args, **kwargs)
        return wrapper

    monkeypatch.setattr(running, "score_matrix", counted("score_matrix", running.score_matrix))
    monkeypatch.setattr(running, "assign", counted("assign", running.assign))
    return calls


@pytest.fixture
def no_engine(monkeypatch):
    """From here on, running the engine fails the test."""
    def refuse(*args, **kwargs):
        raise AssertionError("the engine ran")

    def forbid():
        monkeypatch.setattr(running, "score_matrix", refuse)
        monkeypatch.setattr(running, "assign", refuse)
    return forbid


def people(mentees=3, capacities=(2, 1)):
    return [make_user("mentee") for _ in range(mentees)], [make_user("mentor", capacity=c) for c in capacities]


def published_pairs(round_id):
    return {(m.mentee_id, m.mentor_id, m.score) for m in db.session.scalars(
        db.select(Match).where(Match.round_id == round_id))}


def previewed_pairs(preview):
    return {(p.mentee_id, p.mentor_id, p.score) for p in preview.pairs}


def digest_now(params=RoundParams()):
    return previews.pool_digest(running.sorted_pool(P().id), params)


# --- Reuse ---------------------------------------------------------------------------


def test_publishing_right_after_a_preview_proposes_its_pairs_without_running_the_engine(coordinator, no_engine):
    people(mentees=4, capacities=(2, 1))
    preview = rounds.preview_round(P(), RoundParams())
    assert preview.matched == 3
    no_engine()
    result = rounds.publish_round(P(), RoundParams(), coordinator, expected_digest=preview.digest)
    assert result.reused and "engine" not in result.timings
    assert published_pairs(result.round.id) == previewed_pairs(preview)
    assert result.round.proposals == 3 and result.round.total_score == pytest.approx(preview.total_score)
    assert {m.status for m in db.session.scalars(db.select(Match))} == {MatchStatus.PROPOSED}


def test_a_reused_assignment_is_the_one_the_engine_would_publish(app_ctx, coordinator, engine_runs):
    people(mentees=5, capacities=(2, 2))
    params = RoundParams(method="stable", weights=Weights(schedule=4.0))
    preview = rounds.preview_round(P(), params)
    reused = rounds.publish_round(P(), params, coordinator, expected_digest=preview.digest)
    assert reused.reused and engine_runs == {"score_matrix": 1, "assign": 1}  # the preview's run only
    rounds.withdraw_round(reused.round, coordinator)  # the pool is as it was before publishing
    db.session.execute(db.delete(StoredPreview))  # ... and no preview of it is kept: the engine must run
    db.session.commit()
    fresh = rounds.publish_round(P(), params, coordinator, expected_digest=preview.digest)
    assert not fresh.reused and engine_runs["assign"] == 2
    assert published_pairs(fresh.round.id) == published_pairs(reused.round.id)


def test_a_mentors_new_capacity_makes_publishing_run_the_engine_again(coordinator, engine_runs):
    _, (roomy, _) = people(mentees=2, capacities=(3, 1))
    preview = rounds.preview_round(P(), RoundParams())
    membership(roomy).capacity = 4  # more room: the same pairs, but not the same pool
    db.session.commit()
    result = rounds.publish_round(P(), RoundParams(), coordinator, expected_digest=preview.digest)
    assert not result.reused and engine_runs["assign"] == 2
    assert published_pairs(result.round.id) == previewed_pairs(preview)


def test_a_new_mentee_makes_publishing_run_the_engine_and_refuse_a_changed_result(coordinator, engine_runs,
                                                                                  no_engine):
    people(mentees=2, capacities=(3,))
    preview = rounds.preview_round(P(), RoundParams())
    newcomer = make_user("mentee")
    with pytest.raises(rounds.RoundChanged) as changed:
        rounds.publish_round(P(), RoundParams(), coordinator, expected_digest=preview.digest)
    assert engine_runs["assign"] == 2
    assert newcomer.id in {p.mentee_id for p in changed.value.preview.pairs}
    assert db.session.scalar(db.select(func.count()).select_from(Match)) == 0
    # What the coordinator is shown now is kept: publishing it does not run the engine a third time.
    no_engine()
    result = rounds.publish_round(P(), RoundParams(), coordinator, expected_digest=changed.value.preview.digest)
    assert result.reused and published_pairs(result.round.id) == previewed_pairs(changed.value.preview)


def test_other_weights_make_publishing_run_the_engine_again(coordinator, engine_runs):
    people(mentees=1, capacities=(1,))
    preview = rounds.preview_round(P(), RoundParams())
    other = RoundParams(weights=Weights(specialty=9.0))
    result = rounds.publish_round(P(), other, coordinator, expected_digest=preview.digest)
    assert not result.reused and engine_runs["assign"] == 2
    assert result.round.weights["specialty"] == 9.0


def test_a_kept_preview_of_the_same_pool_with_other_pairs_than_the_form_says_is_refused(coordinator, engine_runs):
    people(mentees=2, capacities=(1,))
    rounds.preview_round(P(), RoundParams())
    with pytest.raises(rounds.RoundChanged):
        rounds.publish_round(P(), RoundParams(), coordinator, expected_digest="not-what-was-seen")
    assert db.session.scalar(db.select(func.count()).select_from(Match)) == 0


def test_a_preview_older_than_a_day_is_not_reused(coordinator, engine_runs):
    people(mentees=2, capacities=(2,))
    preview = rounds.preview_round(P(), RoundParams())
    db.session.execute(update(StoredPreview).values(created_at=utcnow() - previews.MAX_AGE - timedelta(minutes=1)))
    db.session.commit()
    result = rounds.publish_round(P(), RoundParams(), coordinator, expected_digest=preview.digest)
    assert not result.reused and engine_runs["assign"] == 2


def test_a_program_keeps_only_its_few_newest_previews(coordinator):
    people(mentees=1, capacities=(1,))
    for specialty in range(1, previews.KEPT + 3):
        rounds.preview_round(P(), RoundParams(weights=Weights(specialty=float(specialty))))
    rounds.preview_round(P(), RoundParams(weights=Weights(specialty=1.0)))  # again: replaces, not added
    kept = db.session.scalars(db.select(StoredPreview).order_by(StoredPreview.created_at)).all()
    assert len(kept) == previews.KEPT and len({k.digest for k in kept}) == previews.KEPT
    assert kept[-1].digest == digest_now(RoundParams(weights=Weights(specialty=1.0)))


# --- The digest ------------------------------------------------------------------------


def test_the_same_pool_read_twice_has_the_same_digest(coordinator):
    people()
    assert digest_now() == digest_now()
    assert len(digest_now()) == 64


def _decline(mentee, mentor):
    db.session.add(Match(program_id=P().id, mentee_id=mentee.id, mentor_id=mentor.id, status=MatchStatus.DECLINED,
                         origin=MatchOrigin.REQUEST))


CHANGES = {
    "a mentor's capacity": lambda e, o: setattr(membership(o[0]), "capacity", 5),
    "a new mentee": lambda e, o: make_user("mentee"),
    "a mentee's meeting mode": lambda e, o: setattr(e[0].profile, "meeting_mode", "either"),
    "a mentee's time zone": lambda e, o: setattr(e[1].profile, "time_zone", "Asia/Manila"),
    "a declined pair": lambda e, o: _decline(e[0], o[0]),
    "a mentor who stops accepting": lambda e, o: setattr(membership(o[1]), "accepting_mentees", False),
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_the_digest_differs_when_the_pool_differs(coordinator, change):
    mentees, mentors = people()
    before = digest_now()
    CHANGES[change](mentees, mentors)
    db.session.commit()
    assert digest_now() != before


@pytest.mark.parametrize("params", [
    RoundParams(method="stable"), RoundParams(weights=Weights(goals=2.5)),
    RoundParams(weights=Weights(strict_meeting_mode=False)), RoundParams(excluded=frozenset({(1, 2)})),
], ids=["method", "weights", "a program rule", "an excluded pair"])
def test_the_digest_differs_when_the_settings_differ(coordinator, params):
    people()
    assert digest_now(params) != digest_now()


def _pool(first: frozenset[str], second: frozenset[str]) -> Pool:
    return Pool(mentees=[MenteeFeatures(1, specialties=first, goals=second)],
                mentors=[MentorFeatures(2, specialties=second, goals_supported=first, capacity=2)],
                declined={(1, 3), (1, 2)})


def test_the_digest_of_a_pool_is_the_same_in_every_process():
    # Set order depends on the process's hash seed; the digest must not (previews are shared by every host).
    code = ("from mentormatch.matching import MenteeFeatures as E, MentorFeatures as O; "
            "from mentormatch.services.pool import Pool; "
            "from mentormatch.services.rounds import RoundParams, previews; "
            "many = frozenset({'hematology', 'microbiology', 'blood_bank', 'chemistry'}); "
            "print(previews.pool_digest(Pool([E(1, specialties=many)], [O(2, specialties=many, capacity=2)], "
            "{(1, 3), (1, 2), (4, 2)}), RoundParams()))")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                              env={**os.environ, "PYTHONHASHSEED": seed}).stdout.strip() for seed in ("1", "2", "3")}
    assert len(digests) == 1 and len(digests.pop()) == 64


def test_the_digest_of_a_pool_depends_on_every_record_field():
    base = _pool(frozenset({"hematology"}), frozenset({"mlt_to_mls"}))
    same = _pool(frozenset({"hematology"}), frozenset({"mlt_to_mls"}))
    assert previews.pool_digest(base, RoundParams()) == previews.pool_digest(same, RoundParams())
    more_room = Pool(base.mentees, [MentorFeatures(2, specialties=frozenset({"mlt_to_mls"}),
                                                   goals_supported=frozenset({"hematology"}), capacity=3)],
                     base.declined)
    other_zone = Pool([MenteeFeatures(1, specialties=frozenset({"hematology"}), goals=frozenset({"mlt_to_mls"}),
                                      time_zone="Asia/Manila")], base.mentors, base.declined)
    fewer_declined = Pool(base.mentees, base.mentors, {(1, 3)})
    swapped = _pool(frozenset({"mlt_to_mls"}), frozenset({"hematology"}))
    digests = {previews.pool_digest(p, RoundParams()) for p in (base, more_room, other_zone, fewer_declined, swapped)}
    assert len(digests) == 5


def test_a_programs_kept_previews_go_with_it(app_ctx):
    gone = make_program("Short-lived program")
    previews.remember(gone.id, "d" * 64, [(1, 2, 0.5)])
    assert previews.recall(gone.id, "d" * 64) == [(1, 2, 0.5)]
    db.session.execute(db.delete(Program).where(Program.id == gone.id))
    db.session.commit()
    assert db.session.scalar(db.select(func.count()).select_from(StoredPreview)) == 0
