"""Load the engine's compiled kernels before the first round needs them.

Numba compiles a kernel on its first call, or loads it from the on-disk cache
(``__pycache__`` beside the modules, or ``NUMBA_CACHE_DIR`` when set): about
9 s without the cache, about 1 s with it. ``warm()`` pays that once, at
start-up, by solving tiny problems through ``assign`` itself in both modes
and in both score dtypes the engine sees (float32 from ``score_matrix``,
float64 from other callers), so every kernel gets exactly the argument types
a real round passes.

    python -c 'from mentormatch.matching.warmup import warm; warm()'   # fills the disk cache
"""

from __future__ import annotations

import logging
import threading
import time

import numpy as np

from mentormatch.matching.assignment import assign

log = logging.getLogger(__name__)

KERNEL_MODULES = ("_candidates", "_transport", "_stable")  # the numba modules assign() imports
SCORE_DTYPES = (np.float32, np.float64)


def warm() -> None:
    """Compile, or load from the disk cache, every kernel for the types a round passes it."""
    for dtype in SCORE_DTYPES:
        # A forbidden pair and more mentees than places: the optimal mode runs every kernel.
        scores = np.array([[0.9, 0.5], [0.4, -np.inf], [0.7, 0.6]], dtype=dtype)
        for method in ("optimal", "stable"):
            assign(scores, [1, 1], method=method)


def _warm_and_log() -> None:
    started = time.perf_counter()
    try:
        warm()
    except Exception:  # the first round would raise the same error: say it now, keep the app up
        log.exception("matching warm-up failed (is the numba cache directory writable? see NUMBA_CACHE_DIR)")
        return
    log.info("matching kernels ready in %.2f s", time.perf_counter() - started)


def warm_in_background() -> threading.Thread:
    """Start ``warm()`` in a daemon thread (the process may end before it does); return the thread."""
    thread = threading.Thread(target=_warm_and_log, name="matching-warmup", daemon=True)
    thread.start()
    return thread
