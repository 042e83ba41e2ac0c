"""The site administrator's area: programs and their coordinators."""

from mentormatch.web.admin.views import bp

__all__ = ["bp"]
