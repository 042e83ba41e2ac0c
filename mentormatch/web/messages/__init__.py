"""The private message thread of a pair."""

from mentormatch.web.messages.views import bp

__all__ = ["bp"]
