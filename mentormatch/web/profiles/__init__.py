"""A participant's own profile, and their credentials and licences with dates."""

from mentormatch.web.profiles import credentials  # noqa: F401  (registers the credential pages)
from mentormatch.web.profiles.views import bp

__all__ = ["bp"]
