"""Factories for people and profiles; call them inside an app context."""

from __future__ import annotations

import itertools

from mentormatch.extensions import db
from mentormatch.models import Role, User
from mentormatch.models.user import utcnow
from mentormatch.services import accounts
from mentormatch.services.profiles import ProfileInput, save_profile

PASSWORD = "correct horse battery staple"
_numbers = itertools.count(1)


def profile_input(role: str = "mentee", **overrides) -> ProfileInput:
    """A complete, valid profile for ``role``; override any field."""
    values = dict(
        job_title="Medical Laboratory Technician" if role == "mentee" else "Hematology Lead",
        organisation="Riverside General Hospital",
        years_experience=3 if role == "mentee" else 15,
        time_zone="America/Chicago",
        meeting_mode="virtual",
        meeting_frequency="monthly",
        shift="day",
        bio="I work the day shift in the core lab.",
        specialties=["hematology", "microbiology"],
        credentials=["ascp_mlt"] if role == "mentee" else ["ascp_mls", "ascp_sh"],
        goals=["mlt_to_mls", "certification"] if role == "mentee" else ["mlt_to_mls", "supervisor"],
    )
    if role == "mentee":
        values.update(credentials_sought=["ascp_mls"], hopes="Help planning the MLS route.")
    else:
        values.update(capacity=3, accepting_mentees=True)
    values.update(overrides)
    return ProfileInput(**values)


def make_user(role: str = "mentee", *, email: str | None = None, name: str | None = None,
              password: str = PASSWORD, profile: bool = True, active: bool = True,
              confirmed: bool = True, **profile_overrides) -> User:
    """Create and commit a user of ``role``, with a complete profile unless told not to."""
    n = next(_numbers)
    email = email or f"{role}{n}@lab.example.org"
    name = name or f"Test {role.title()} {n}"
    if role == Role.COORDINATOR:
        user = accounts.create_coordinator(email, name, password)
    else:
        user = accounts.register(email, name, password, role)
        if profile:
            save_profile(user, profile_input(role, **profile_overrides))
    if not active or confirmed:
        user.active = active
        user.email_confirmed_at = utcnow() if confirmed else None
        db.session.commit()
    return user


def make_pair(mentee_name: str = "Dana Okafor", mentor_name: str = "Grace Ho"):
    """A mentee and a mentor whose match is active, with its draft agreement; returns the match."""
    from mentormatch.services import matches

    mentee, mentor = make_user("mentee", name=mentee_name), make_user("mentor", name=mentor_name)
    match = matches.request_mentor(mentee, mentor.id, "")
    matches.accept(match, mentor)
    return match
