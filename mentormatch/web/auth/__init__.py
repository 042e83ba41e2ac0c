"""Sign up, log in, log out; single sign-on under /auth/sso (endpoints ``auth.sso.*``)."""

from mentormatch.web.auth import oidc
from mentormatch.web.auth.views import bp

bp.register_blueprint(oidc.bp)

__all__ = ["bp"]
