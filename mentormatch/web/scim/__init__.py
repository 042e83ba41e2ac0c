"""SCIM 2.0 provisioning under /scim/v2: identity providers manage accounts with a bearer token."""

from mentormatch.web.scim.views import bp

__all__ = ["bp"]
