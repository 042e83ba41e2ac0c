"""The landing page and each participant's home."""

from mentormatch.web.main.views import bp

__all__ = ["bp"]
