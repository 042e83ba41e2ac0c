import pytest

from mentormatch.extensions import db
from mentormatch.models import Profile, ProfileTag, TagKind
from mentormatch.services import accounts
from mentormatch.services.profiles import save_profile
from tests.factories import PASSWORD, make_user, membership, profile_input


def test_saving_a_profile_stores_every_person_level_answer(app_ctx):
    user = accounts.register("mia@example.org", "Mia", PASSWORD)
    save_profile(user, profile_input("mentee", specialties=["blood_bank"], goals=["specialist_certification"],
                                     years_experience=4, hopes="A steady hand"))
    db.session.expire_all()
    profile = db.session.scalar(db.select(Profile).where(Profile.user_id == user.id))
    assert profile.codes(TagKind.SPECIALTY) == ["blood_bank"]
    assert profile.codes(TagKind.GOAL) == ["specialist_certification"]  # goals they can help others with
    assert profile.years_experience == 4 and profile.hopes == "A steady hand"
    assert profile.is_complete


def test_editing_replaces_the_lists_rather_than_adding_to_them(app_ctx):
    user = make_user("mentor", specialties=["hematology", "coagulation"])
    save_profile(user, profile_input("mentor", specialties=["coagulation", "molecular"]))
    db.session.expire_all()
    assert user.profile.codes(TagKind.SPECIALTY) == ["coagulation", "molecular"]
    tags = db.session.scalars(db.select(ProfileTag).where(ProfileTag.kind == "specialty")).all()
    assert len(tags) == 2


def test_the_profile_leaves_a_memberships_answers_alone(app_ctx):
    user = make_user("mentee", goals=["supervisor"], credentials_sought=["ascp_sbb"])
    save_profile(user, profile_input("mentee", goals=[]))
    db.session.expire_all()
    mine = membership(user)
    assert mine.codes(TagKind.GOAL) == ["supervisor"] and mine.codes(TagKind.CREDENTIAL_SOUGHT) == ["ascp_sbb"]


def test_a_person_may_fill_a_profile_before_joining_any_program(app_ctx):
    user = accounts.register("new@example.org", "New", PASSWORD)
    save_profile(user, profile_input("mentee"))
    assert user.profile.is_complete and user.memberships == []


def test_a_failed_save_leaves_nothing_half_written(app_ctx):
    user = accounts.register("kai@example.org", "Kai", PASSWORD)
    with pytest.raises(Exception):
        # 61 years breaks the database check constraint after the tags were staged
        save_profile(user, profile_input("mentor", years_experience=61))
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Profile)) == 0
    assert db.session.scalar(db.select(db.func.count()).select_from(ProfileTag)) == 0


def test_a_profile_without_specialties_is_not_complete(app_ctx):
    user = make_user("mentee", specialties=[])
    assert not user.profile.is_complete
