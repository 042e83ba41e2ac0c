"""The warm-up: every compiled kernel ready before the first round, started by the app only when asked."""

import json
import subprocess
import sys
import textwrap
import threading

import pytest

from mentormatch.config import load_config
from mentormatch.matching import warmup

# Runs in a fresh interpreter: in this one other tests may already have compiled the kernels.
FRESH_PROCESS = textwrap.dedent("""
    import importlib, json
    import numpy as np
    from numba.core.registry import CPUDispatcher
    from mentormatch.matching import MenteeFeatures, MentorFeatures, assign, score_matrix
    from mentormatch.matching.warmup import KERNEL_MODULES, warm

    def compiled():
        found = {}
        for name in KERNEL_MODULES:
            module = importlib.import_module(f"mentormatch.matching.{name}")
            for attr, value in vars(module).items():
                if isinstance(value, CPUDispatcher):
                    found[f"{name}.{attr}"] = sorted(map(str, value.signatures))
        return found

    warm()
    after_warm = compiled()
    # Rounds as the app runs them: score_matrix's float32, other callers' float64, both modes,
    # and enough mentees for the row kernels to run on threads.
    zones = ["America/New_York", "America/Chicago", "Europe/London", None]
    mentees = [MenteeFeatures(id=i, specialties=frozenset({"hematology"} if i % 2 else {"microbiology"}),
                              years_experience=i % 7, time_zone=zones[i % 4]) for i in range(600)]
    mentors = [MentorFeatures(id=1000 + j, specialties=frozenset({"hematology"}), years_experience=10 + j % 5,
                              time_zone=zones[j % 4], capacity=1 + j % 3) for j in range(40)]
    scores = score_matrix(mentees, mentors)
    capacities = [m.capacity for m in mentors]
    for matrix in (scores, scores.astype(np.float64), scores[:30].tolist()):
        for method in ("optimal", "stable"):
            assign(matrix, capacities, method=method)
    print(json.dumps({"dtype": str(scores.dtype), "after_warm": after_warm, "after_rounds": compiled()}))
""")


@pytest.fixture(scope="module")
def fresh_process():
    out = subprocess.run([sys.executable, "-c", FRESH_PROCESS], capture_output=True, text=True, check=True, timeout=300)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_warm_leaves_every_kernel_of_every_numba_module_compiled(fresh_process):
    # The kernels assign() calls; private helpers (_less, ...) are compiled into them.
    kernels = {name: sigs for name, sigs in fresh_process["after_warm"].items() if not name.split(".")[1].startswith("_")}
    assert set(kernels) == {"_candidates.top_per_row", "_candidates.top_per_col", "_candidates.violations",
                            "_transport.solve_transport", "_stable.deferred_acceptance"}
    assert [name for name, signatures in kernels.items() if not signatures] == []


def test_warm_covers_both_score_dtypes(fresh_process):
    assert fresh_process["dtype"] == "float32"  # what score_matrix gives the engine
    assert len(fresh_process["after_warm"]["_candidates.top_per_row"]) == 2  # float32 and float64


def test_rounds_after_the_warm_up_compile_nothing_more(fresh_process):
    assert fresh_process["after_rounds"] == fresh_process["after_warm"]


@pytest.mark.parametrize("name, expected", [("production", True), ("development", True), ("testing", False)])
def test_the_warm_up_is_on_except_in_tests(tmp_path, name, expected):
    config = load_config(str(tmp_path), environ={"MENTORMATCH_ENV": name, "SECRET_KEY": "k" * 32})
    assert config["MATCHING_WARMUP"] is expected


@pytest.mark.parametrize("raw, expected", [("0", False), ("1", True)])
def test_the_environment_turns_the_warm_up_on_or_off(tmp_path, raw, expected):
    config = load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32, "MENTORMATCH_MATCHING_WARMUP": raw})
    assert config["MATCHING_WARMUP"] is expected


@pytest.mark.parametrize("flag", [True, False])
def test_the_app_factory_starts_the_warm_up_only_when_the_flag_says_so(monkeypatch, tmp_path, flag):
    from mentormatch.app import create_app

    calls = []
    monkeypatch.setattr(warmup, "warm", lambda: calls.append(threading.current_thread()))
    app = create_app({"MENTORMATCH_ENV": "testing", "SECRET_KEY": "k" * 32, "MATCHING_WARMUP": flag,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'app.db'}", "QUEUE_URL": "memory://"})
    thread = app.extensions.get("matching_warmup")
    if not flag:
        assert thread is None and calls == []
        return
    thread.join(timeout=10)
    assert thread.daemon  # never holds the process open
    assert calls == [thread]  # warm() ran once, on the background thread
