"""The development mailbox: the demo's emails, readable in the browser (never in production)."""

from mentormatch.web.devmail.views import bp

__all__ = ["bp"]
