import pytest

from mentormatch.extensions import db
from mentormatch.models import Role, User
from mentormatch.services import accounts
from tests.factories import PASSWORD, make_user


def test_registering_normalises_the_email_and_hashes_the_password(app, app_ctx):
    user = accounts.register("  Ana.Lopez@Example.ORG ", " Ana Lopez ", PASSWORD, "mentee")
    assert user.email == "ana.lopez@example.org"
    assert user.name == "Ana Lopez"
    assert PASSWORD not in user.password_hash
    assert user.password_hash.startswith(app.config["PASSWORD_HASH_METHOD"].split(":")[0] + ":")


def test_passwords_are_hashed_with_scrypt_unless_configured_otherwise(app, app_ctx, monkeypatch):
    monkeypatch.setitem(app.config, "PASSWORD_HASH_METHOD", "scrypt")
    user = accounts.register("sc@example.org", "Scrypt", PASSWORD, "mentor")
    assert user.password_hash.startswith("scrypt:")
    assert accounts.authenticate("sc@example.org", PASSWORD) == user


def test_an_email_cannot_register_twice_whatever_its_case(app_ctx):
    accounts.register("sam@example.org", "Sam", PASSWORD, "mentor")
    with pytest.raises(accounts.EmailTaken):
        accounts.register("SAM@example.org", "Sam Again", PASSWORD, "mentee")
    assert db.session.scalar(db.select(db.func.count()).select_from(User)) == 1


def test_coordinators_cannot_sign_themselves_up(app_ctx):
    with pytest.raises(ValueError):
        accounts.register("boss@example.org", "Boss", PASSWORD, "coordinator")


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


def test_create_coordinator_makes_a_coordinator(app_ctx):
    user = accounts.create_coordinator("Coord@Example.org", "Dana", PASSWORD)
    assert user.role == Role.COORDINATOR and user.email == "coord@example.org"
    with pytest.raises(accounts.EmailTaken):
        accounts.create_coordinator("coord@example.org", "Dana", PASSWORD)
