"""Creating and editing a participant's profile."""

from __future__ import annotations

from dataclasses import dataclass, field

from mentormatch.extensions import db
from mentormatch.models import Profile, TagKind, User
from mentormatch.services import credentials
from mentormatch.services.transactions import transaction


@dataclass
class ProfileInput:
    """Validated person-level profile values, as the form or an import hands them over.

    What belongs to one program (a mentee's goals there, a mentor's capacity) is a
    ``services.programs.MembershipInput``.
    """

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
    goals: list[str] = field(default_factory=list)  # goals this person can help others with, as a mentor
    hopes: str = ""  # as a mentee: what they hope to get from mentoring


def apply_profile(user: User, data: ProfileInput) -> Profile:
    """Copy ``data`` onto the user's profile (created if missing) without committing."""
    profile = user.profile or Profile(user=user)
    profile.job_title = data.job_title.strip()
    profile.organisation = data.organisation.strip()
    profile.years_experience = data.years_experience
    profile.time_zone = data.time_zone
    profile.meeting_mode = data.meeting_mode
    profile.meeting_frequency = data.meeting_frequency
    profile.shift = data.shift
    profile.bio = data.bio.strip()
    profile.hopes = data.hopes.strip()
    profile.replace_codes(TagKind.SPECIALTY, data.specialties)
    held_before = set(profile.codes(TagKind.CREDENTIAL))
    profile.replace_codes(TagKind.CREDENTIAL, data.credentials)
    profile.replace_codes(TagKind.GOAL, data.goals)
    db.session.add(profile)
    # The dated records and exam plans follow the credentials held (services.credentials).
    credentials.credentials_changed(user, added=set(data.credentials) - held_before,
                                    removed=held_before - set(data.credentials))
    return profile


def save_profile(user: User, data: ProfileInput) -> Profile:
    """Create or update the user's profile in one transaction.

    Through ``transaction()``: on SQLite it takes the write lock before the profile
    is read, so saves at the same moment queue instead of failing "database is locked".
    """
    with transaction():
        profile = apply_profile(user, data)
    return profile
