"""A person's notifications."""

from mentormatch.web.notifications.views import bp

__all__ = ["bp"]
