"""The Programs page: a person's memberships, the programs open to them, joining and switching; a mentee's exam plans."""

from mentormatch.web.programs import exams  # noqa: F401  (registers the exam plan pages)
from mentormatch.web.programs.views import bp

__all__ = ["bp"]
