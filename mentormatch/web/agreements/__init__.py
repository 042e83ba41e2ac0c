"""Agreement pages: terms, goals, the schedule, meetings, calendar, closing and the activity record."""

from mentormatch.web.agreements import meetings as _meetings  # noqa: F401  (registers the meeting routes)
from mentormatch.web.agreements import schedule as _schedule  # noqa: F401  (registers the schedule routes)
from mentormatch.web.agreements.views import bp

__all__ = ["bp"]
