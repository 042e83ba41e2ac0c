"""The engine stays pure: no web framework, no database."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_importing_the_engine_loads_neither_flask_nor_sqlalchemy():
    code = (
        "import sys, mentormatch.matching as m\n"
        "m.assign([[1.0]], [1])\n"
        "bad = sorted(n for n in sys.modules"
        " if n.split('.')[0] in ('flask', 'sqlalchemy', 'flask_sqlalchemy', 'flask_login', 'werkzeug'))\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_public_api_is_exported_from_the_package():
    import mentormatch.matching as matching

    for name in ("MenteeFeatures", "MentorFeatures", "Weights", "score_matrix", "explain", "suggest", "assign", "blocking_pairs"):
        assert name in matching.__all__
        assert getattr(matching, name).__doc__
