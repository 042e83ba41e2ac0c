"""The coordinator console."""

from mentormatch.web.coordinator.views import bp

__all__ = ["bp"]
