"""Sign up, log in, log out."""

from mentormatch.web.auth.views import bp

__all__ = ["bp"]
