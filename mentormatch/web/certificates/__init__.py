"""CE certificates: a participant's own (list, print view, PDF) and the public verification page.

The coordinators' side (the CE policy, issuing, the program's list) is in
the coordinator area: web/console/certificates.py.
"""

from mentormatch.web.certificates.views import bp

__all__ = ["bp"]
