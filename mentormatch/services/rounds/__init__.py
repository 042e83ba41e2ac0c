"""Matching rounds of a program: preview, publish, withdraw, and the coordinator's lists.

A round belongs to one program and runs the engine over that program's pool
(``services.pool.load_pool``): it never proposes people of another program.
The program's matching method and weights are the round's defaults
(``default_params``). The package splits by job:

- ``params``: what a coordinator chooses (``RoundParams``) and the program's defaults;
- ``running``: reading the pool, running the engine, ``preview_round`` and
  why someone is left out;
- ``previews``: a preview's assignment kept under a digest of the pool and
  settings, which publishing reuses instead of running the engine again;
- ``publishing``: ``publish_round`` and ``withdraw_round``, in one exclusive
  transaction each; ``writes``: their bulk writes (proposals, notifications, emails);
- ``listing``: rounds and pending proposals page by page, ending one proposal;
- ``errors``: ``RoundError`` and ``RoundChanged``.

The digest of a preview's pairs travels with the form: if the pool changed in
between, publishing refuses and shows the new preview instead.
"""

from mentormatch.services.rounds.errors import RoundChanged, RoundError
from mentormatch.services.rounds.listing import (
    ANSWERED, RoundSummary, end_proposal, get_match, get_round, pending_proposals, round_summary, rounds_page,
)
from mentormatch.services.rounds.params import METHODS, RoundParams, default_params, save_defaults
from mentormatch.services.rounds.publishing import ROUND_LOCK_KEY, PublishResult, publish_round, withdraw_round
from mentormatch.services.rounds.running import (
    ALL_EXCLUDED, ALL_FULL, NO_MODE, NO_SPECIALTY, NO_TIME, Bucket, ProposedPair, RoundPreview, UnmatchedMentee,
    preview_round,
)
from mentormatch.services.rounds.writes import proposal_text

__all__ = [
    "ALL_EXCLUDED", "ALL_FULL", "ANSWERED", "METHODS", "NO_MODE", "NO_SPECIALTY", "NO_TIME", "ROUND_LOCK_KEY",
    "Bucket", "ProposedPair", "PublishResult", "RoundChanged", "RoundError", "RoundParams", "RoundPreview",
    "RoundSummary", "UnmatchedMentee", "default_params", "end_proposal", "get_match", "get_round",
    "pending_proposals", "preview_round", "proposal_text", "publish_round", "round_summary", "rounds_page",
    "save_defaults", "withdraw_round",
]
