import pytest

from mentormatch.config import ConfigError, load_config


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config(str(tmp_path), environ={})


def test_development_keeps_one_generated_secret_in_the_instance_folder(tmp_path):
    first = load_config(str(tmp_path), environ={"MENTORMATCH_ENV": "development"})
    second = load_config(str(tmp_path), environ={"MENTORMATCH_ENV": "development"})
    assert first["SECRET_KEY"] == second["SECRET_KEY"] and len(first["SECRET_KEY"]) >= 32


def test_sqlite_in_the_instance_folder_is_the_default_database(tmp_path):
    config = load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'mentormatch.db'}"


@pytest.mark.parametrize("url", ["postgres://u:p@db/mm", "postgresql://u:p@db/mm"])
def test_postgres_urls_use_the_psycopg3_driver(tmp_path, url):
    config = load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32, "DATABASE_URL": url})
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u:p@db/mm"


def test_https_deployments_mark_cookies_secure(tmp_path):
    plain = load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32, "MENTORMATCH_HTTPS": "0"})
    https = load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32, "MENTORMATCH_HTTPS": "1"})
    assert plain["SESSION_COOKIE_SECURE"] is False and https["SESSION_COOKIE_SECURE"] is True
    assert plain["HTTPS"] is False and https["HTTPS"] is True


def test_production_is_https_unless_told_otherwise(tmp_path):
    production = load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32})
    development = load_config(str(tmp_path), environ={"MENTORMATCH_ENV": "development"})
    assert production["HTTPS"] is True and production["SESSION_COOKIE_SECURE"] is True
    assert production["REMEMBER_COOKIE_SECURE"] is True and production["PREFERRED_URL_SCHEME"] == "https"
    assert development["HTTPS"] is False and development["SESSION_COOKIE_SECURE"] is False


def test_an_unknown_environment_name_is_an_error(tmp_path):
    with pytest.raises(ConfigError):
        load_config(str(tmp_path), environ={"MENTORMATCH_ENV": "staging", "SECRET_KEY": "k"})


def test_passwords_are_hashed_with_scrypt_by_default(tmp_path):
    assert load_config(str(tmp_path), environ={"SECRET_KEY": "k" * 32})["PASSWORD_HASH_METHOD"] == "scrypt"


def test_production_refuses_a_short_secret_key(tmp_path):
    with pytest.raises(ConfigError, match="too short"):
        load_config(str(tmp_path), environ={"MENTORMATCH_ENV": "production", "SECRET_KEY": "s" * 31})
    assert load_config(str(tmp_path), environ={"MENTORMATCH_ENV": "production", "SECRET_KEY": "s" * 32})


def test_the_scheduler_clock_is_the_wall_s_unless_a_rehearsal_stops_it(tmp_path):
    from datetime import datetime, timezone

    assert load_config(str(tmp_path), {"MENTORMATCH_ENV": "development"})["CLOCK"] is None
    stopped = load_config(str(tmp_path), {"MENTORMATCH_ENV": "development",
                                          "MENTORMATCH_CLOCK": "2027-03-01T09:00:00-06:00"})["CLOCK"]
    assert stopped == datetime(2027, 3, 1, 15, 0, tzinfo=timezone.utc)
    with pytest.raises(ConfigError, match="UTC offset"):
        load_config(str(tmp_path), {"MENTORMATCH_ENV": "development", "MENTORMATCH_CLOCK": "2027-03-01T09:00"})
    with pytest.raises(ConfigError, match="not in production"):
        load_config(str(tmp_path), {"MENTORMATCH_ENV": "production", "SECRET_KEY": "x" * 64,
                                    "MENTORMATCH_CLOCK": "2027-03-01T09:00:00+00:00"})
