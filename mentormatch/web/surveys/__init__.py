"""Surveys: see views.py."""

from mentormatch.web.surveys.views import bp

__all__ = ["bp"]
