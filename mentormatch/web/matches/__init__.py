"""Suggestions, requests and answers for mentees and mentors."""

from mentormatch.web.matches.views import bp

__all__ = ["bp"]
