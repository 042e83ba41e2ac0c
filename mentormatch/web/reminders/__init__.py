"""Reminders: see views.py."""

from mentormatch.web.reminders.views import bp

__all__ = ["bp"]
