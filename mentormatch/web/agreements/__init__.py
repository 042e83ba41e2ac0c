"""Agreement pages: terms, goals, meetings, calendar, closing and the activity record."""

from mentormatch.web.agreements import meetings as _meetings  # noqa: F401  (registers the meeting routes)
from mentormatch.web.agreements.views import bp

__all__ = ["bp"]
