"""Database models: data and its invariants, no workflows."""

from mentormatch.models.agreement import Agreement
from mentormatch.models.match import (
    PENDING, Match, MatchingRound, MatchOrigin, MatchStatus, Notification, RoundStatus,
)
from mentormatch.models.profile import Profile, ProfileTag, TagKind
from mentormatch.models.user import Permission, Role, User

__all__ = [
    "PENDING", "Agreement", "Match", "MatchOrigin", "MatchStatus", "MatchingRound",
    "Notification", "Permission", "Profile", "ProfileTag", "Role", "RoundStatus", "TagKind", "User",
]
