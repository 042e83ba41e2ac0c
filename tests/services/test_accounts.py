import pytest

from mentormatch.extensions import db
from mentormatch.models import ProgramRole, User
from mentormatch.services import accounts
from tests.factories import PASSWORD, default_program, make_program, make_user


def test_registering_normalises_the_email_and_hashes_the_password(app, app_ctx):
    user = accounts.register("  Ana.Lopez@Example.ORG ", " Ana Lopez ", PASSWORD, "mentee", default_program())
    assert user.email == "ana.lopez@example.org"
    assert user.name == "Ana Lopez"
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0] + ":")
    assert [(m.program.name, m.role) for m in user.memberships] == [("Test program", ProgramRole.MENTEE)]


def test_passwords_are_hashed_with_scrypt_unless_configured_otherwise(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    user = accounts.register("sc@example.org", "Scrypt", PASSWORD)
    assert user.password_hash.startswith("scrypt:")
    assert accounts.authenticate("sc@example.org", PASSWORD) == user


def test_an_email_cannot_register_twice_whatever_its_case(app_ctx):
    accounts.register("sam@example.org", "Sam", PASSWORD)
    with pytest.raises(accounts.EmailTaken):
        accounts.register("SAM@example.org", "Sam Again", PASSWORD)
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_coordinators_cannot_sign_themselves_up(app_ctx):
    with pytest.raises(ValueError):
        accounts.complete_sign_up("boss@example.org", "Boss", accounts.hash_password(PASSWORD), "coordinator")
    with pytest.raises(ValueError):
        accounts.register("boss@example.org", "Boss", PASSWORD, "coordinator", default_program())
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 0


def test_sign_up_enrols_in_the_only_open_program_and_in_none_when_there_are_several(app_ctx):
    only = default_program()
    one = accounts.complete_sign_up("one@example.org", "One", accounts.hash_password(PASSWORD), "mentor")
    assert [(m.program_id, m.role) for m in one.memberships] == [(only.id, "mentor")]
    make_program("Second program")
    two = accounts.complete_sign_up("two@example.org", "Two", accounts.hash_password(PASSWORD), "mentor")
    assert two.memberships == []


def test_authenticate_accepts_the_right_password_in_any_email_case(app_ctx):
    user = make_user("mentee", email="lee@example.org")
    assert accounts.authenticate("LEE@example.org", PASSWORD) == user


@pytest.mark.parametrize("email, password", [
    ("lee@example.org", "wrong password here"),
    ("nobody@example.org", PASSWORD),
])
def test_authenticate_refuses_a_wrong_password_or_unknown_email(app_ctx, email, password):
    make_user("mentee", email="lee@example.org")
    assert accounts.authenticate(email, password) is None


def test_a_deactivated_account_cannot_log_in(app_ctx):
    make_user("mentor", email="gone@example.org", active=False)
    assert accounts.authenticate("gone@example.org", PASSWORD) is None


def test_create_coordinator_appoints_to_the_program(app_ctx):
    program = default_program()
    user = accounts.create_coordinator("Coord@Example.org", "Dana", PASSWORD, program)
    assert user.email == "coord@example.org" and user.coordinates(program.id) and not user.is_admin
    assert user.memberships == []
    with pytest.raises(accounts.EmailTaken):
        accounts.create_coordinator("coord@example.org", "Dana", PASSWORD, program)


def test_create_admin_makes_a_site_administrator_who_runs_every_program(app_ctx):
    program = make_program("Any program")
    user = accounts.create_admin("Root@Example.org", "Root", PASSWORD)
    assert user.is_admin and user.is_coordinator and user.coordinates(program.id)
    with pytest.raises(accounts.EmailTaken):
        accounts.create_admin("root@example.org", "Root", PASSWORD)


def test_the_invitation_email_names_the_program_and_the_role(app_ctx):
    program = make_program("MLT to MLS pathway")
    user = accounts.register("inv@example.org", "Ivy", PASSWORD)
    email = accounts.invitation_email(user, program, "mentor")
    assert "MLT to MLS pathway" in email.subject and "as a mentor" in email.body
    assert "/auth/welcome/" in email.body and user.password_link_nonce
