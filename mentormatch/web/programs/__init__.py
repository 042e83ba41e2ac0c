"""The Programs page: a person's memberships, the programs open to them, joining and switching."""

from mentormatch.web.programs.views import bp

__all__ = ["bp"]
