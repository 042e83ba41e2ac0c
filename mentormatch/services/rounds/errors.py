"""What can stop a round: every error's message says why, in words a coordinator reads."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mentormatch.services.rounds.running import RoundPreview


class RoundError(ValueError):
    """The round cannot be published or withdrawn; the message says why."""


class RoundChanged(RoundError):
    """The pool changed since the preview; ``preview`` is what publishing would do now."""

    def __init__(self, preview: RoundPreview) -> None:
        super().__init__("Nothing was published: the result differs from your last preview (the settings "
                         "or the program changed since). Check this new preview, then publish again.")
        self.preview = preview
