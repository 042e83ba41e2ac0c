import pytest

from mentormatch.extensions import db
from mentormatch.models import Profile, ProfileTag, TagKind
from mentormatch.services import accounts
from mentormatch.services.profiles import save_profile
from tests.factories import PASSWORD, make_user, profile_input


def test_saving_a_mentee_profile_stores_every_answer(app_ctx):
    user = accounts.register("mia@example.org", "Mia", PASSWORD, "mentee")
    save_profile(user, profile_input("mentee", specialties=["blood_bank"], goals=["specialist_certification"],
                                     credentials_sought=["ascp_sbb"], years_experience=4))
    db.session.expire_all()
    profile = db.session.scalar(db.select(Profile).where(Profile.user_id == user.id))
    assert profile.codes(TagKind.SPECIALTY) == ["blood_bank"]
    assert profile.codes(TagKind.GOAL) == ["specialist_certification"]
    assert profile.codes(TagKind.CREDENTIAL_SOUGHT) == ["ascp_sbb"]
    assert profile.years_experience == 4
    assert profile.capacity is None and profile.is_complete


def test_editing_replaces_the_lists_rather_than_adding_to_them(app_ctx):
    user = make_user("mentor", specialties=["hematology", "coagulation"])
    save_profile(user, profile_input("mentor", specialties=["coagulation", "molecular"]))
    db.session.expire_all()
    assert user.profile.codes(TagKind.SPECIALTY) == ["coagulation", "molecular"]
    tags = db.session.scalars(db.select(ProfileTag).where(ProfileTag.kind == "specialty")).all()
    assert len(tags) == 2


def test_a_mentor_profile_keeps_capacity_and_drops_mentee_only_answers(app_ctx):
    user = accounts.register("max@example.org", "Max", PASSWORD, "mentor")
    save_profile(user, profile_input("mentor", capacity=5, accepting_mentees=False,
                                     credentials_sought=["ascp_sbb"], hopes="ignored"))
    assert user.profile.capacity == 5 and user.profile.accepting_mentees is False
    assert user.profile.codes(TagKind.CREDENTIAL_SOUGHT) == [] and user.profile.hopes == ""


def test_coordinators_have_no_participant_profile(app_ctx):
    user = make_user("coordinator")
    with pytest.raises(ValueError):
        save_profile(user, profile_input("mentee"))


def test_a_failed_save_leaves_nothing_half_written(app_ctx):
    user = accounts.register("kai@example.org", "Kai", PASSWORD, "mentor")
    with pytest.raises(Exception):
        # capacity 11 breaks the database check constraint after the tags were staged
        save_profile(user, profile_input("mentor", capacity=11))
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Profile)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ProfileTag)) == 0


def test_a_profile_without_goals_is_not_complete_for_a_mentee(app_ctx):
    user = make_user("mentee", goals=[])
    assert not user.profile.is_complete
