"""A participant's own profile."""

from mentormatch.web.profiles.views import bp

__all__ = ["bp"]
