"""Database models: data and its invariants, no workflows."""

from mentormatch.models.profile import Profile, ProfileTag, TagKind
from mentormatch.models.user import Permission, Role, User

__all__ = ["Permission", "Profile", "ProfileTag", "Role", "TagKind", "User"]
