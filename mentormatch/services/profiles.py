"""Creating and editing a participant's profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from mentormatch.extensions import db
from mentormatch.models import Profile, Role, TagKind, User
from mentormatch.services.transactions import transaction


@dataclass
class ProfileInput:
    """Validated profile values, as the form or an import hands them over."""

    job_title: str
    organisation: str
    years_experience: int
    time_zone: str
    meeting_mode: str
    meeting_frequency: str
    shift: str
    bio: str = ""
    specialties: list[str] = field(default_factory=list)
    credentials: list[str] = field(default_factory=list)
    goals: list[str] = field(default_factory=list)
    # mentees only
    credentials_sought: list[str] = field(default_factory=list)
    hopes: str = ""
    # mentors only
    capacity: int | None = None
    accepting_mentees: bool = False


def apply_profile(user: User, data: ProfileInput) -> Profile:
    """Copy ``data`` onto the user's profile (created if missing) without committing."""
    if user.role == Role.COORDINATOR:
        raise ValueError("coordinators have no participant profile")
    profile = user.profile or Profile(user=user)
    profile.job_title = data.job_title.strip()
    profile.organisation = data.organisation.strip()
    profile.years_experience = data.years_experience
    profile.time_zone = data.time_zone
    profile.meeting_mode = data.meeting_mode
    profile.meeting_frequency = data.meeting_frequency
    profile.shift = data.shift
    profile.bio = data.bio.strip()
    profile.replace_codes(TagKind.SPECIALTY, data.specialties)
    profile.replace_codes(TagKind.CREDENTIAL, data.credentials)
    profile.replace_codes(TagKind.GOAL, data.goals)
    if user.role == Role.MENTEE:
        profile.replace_codes(TagKind.CREDENTIAL_SOUGHT, data.credentials_sought)
        profile.hopes = data.hopes.strip()
        profile.capacity = None
        profile.accepting_mentees = False
    else:
        profile.replace_codes(TagKind.CREDENTIAL_SOUGHT, [])
        profile.hopes = ""
        profile.capacity = data.capacity
        profile.accepting_mentees = data.accepting_mentees
    db.session.add(profile)
    return profile


def save_profile(user: User, data: ProfileInput) -> Profile:
    """Create or update the user's profile in one transaction.

    Through ``transaction()``: on SQLite it takes the write lock before the profile
    is read, so saves at the same moment queue instead of failing "database is locked".
    """
    with transaction():
        profile = apply_profile(user, data)
    return profile
