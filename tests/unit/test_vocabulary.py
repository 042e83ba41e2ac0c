"""The stored codes have one source, mentormatch.domain, and every code reads right to a person."""

import importlib.util
import re
from datetime import date
from pathlib import Path

import pytest

from mentormatch import domain
from mentormatch.models import Enrolment, MembershipStatus, ProgramRole

VOCABULARIES = {name: getattr(domain, name) for name in dir(domain)
                if name.isupper() and not name.startswith("_") and isinstance(getattr(domain, name), tuple)
                and all(isinstance(pair, tuple) and len(pair) == 2 for pair in getattr(domain, name))}


def test_program_roles_enrolments_and_statuses_are_the_domain_codes():
    assert tuple(ProgramRole) == domain.codes(domain.PROGRAM_ROLES)
    assert tuple(Enrolment) == domain.codes(domain.ENROLMENTS)
    assert tuple(MembershipStatus) == domain.codes(domain.MEMBERSHIP_STATUSES)


def test_the_migration_allows_exactly_the_domain_tracks():
    path = Path(__file__).resolve().parents[2] / "migrations" / "versions" / "0012_programs_and_memberships.py"
    spec = importlib.util.spec_from_file_location("migration_0012", path)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    assert migration.TRACKS == domain.codes(domain.TRACKS)


@pytest.mark.parametrize("name", sorted(VOCABULARIES))
def test_every_code_has_a_label_and_is_stored_in_its_columns_width(name):
    choices = VOCABULARIES[name]
    codes = domain.codes(choices)
    assert len(set(codes)) == len(codes), name
    for code, label in choices:
        assert re.fullmatch(r"[a-z0-9_]+", code), code
        assert len(code) <= 16 if name in ("MEETING_FREQUENCIES", "SHIFTS", "MEETING_MODES") else len(code) <= 40
        assert label.strip() == label and label, code
        assert domain.label(choices, code) == label
    assert len(set(dict(choices).values())) == len(choices), f"{name}: two codes read the same"


def test_no_label_says_bimonthly():
    for name, choices in VOCABULARIES.items():
        for code, label in choices:
            assert "bimonthly" not in label.lower() and "bi-monthly" not in label.lower(), (name, code)
            assert code != "bimonthly"
    assert domain.label(domain.MEETING_FREQUENCIES, "every_two_months") == "Every two months"
    assert domain.FREQUENCY_DAYS == {"weekly": 7, "biweekly": 14, "monthly": 30, "every_two_months": 60}


def test_the_reviewed_credentials_are_all_there_with_their_bodies():
    codes = set(domain.codes(domain.CREDENTIALS))
    for x in ("mls", "mlt", "mla", "pbt", "dpt", "ht", "htl", "ct", "c", "h", "m", "bb", "mb", "cg", "sbb", "sh",
              "sm", "sc", "smb", "sct", "scym", "pa", "dlm", "qihc", "qli", "qls"):
        assert f"ascp_{x}" in codes, x
    assert {"amt_mls", "amt_mlt", "amt_rpt", "amt_cmla", "amt_mdt", "aab_mt", "aab_mlt"} <= codes
    assert "amt_mt" not in codes
    assert domain.label(domain.CREDENTIALS, "ascp_qls") == "ASCP QLS (qualification in laboratory safety)"
    assert domain.label(domain.CREDENTIALS, "ascp_pbt") == "ASCP PBT (phlebotomy technician)"
    assert domain.label(domain.CREDENTIALS, "amt_mls").startswith("AMT MLS")
    assert {domain.credential_body(c) for c in codes} == {"ascp", "ascpi", "amt", "aab"}


def test_each_ascpi_form_names_an_ascp_credential_and_counts_as_it():
    international = [c for c in domain.codes(domain.CREDENTIALS) if domain.credential_body(c) == "ascpi"]
    assert {"ascpi_mls", "ascpi_mlt", "ascpi_sbb"} <= set(international)
    for code in international:
        base = domain.same_credential(code)
        assert base in domain.codes(domain.CREDENTIALS) and base.startswith("ascp_")
        assert domain.label(domain.CREDENTIALS, code) == domain.label(domain.CREDENTIALS, base).replace(
            "ASCP ", "ASCPi ", 1)
    assert domain.same_credential("amt_mls") == "amt_mls"


def test_credential_levels_name_credentials_and_do_not_overlap():
    codes = set(domain.codes(domain.CREDENTIALS))
    levels = (domain.GENERALIST_CREDENTIALS, domain.ENTRY_CREDENTIALS, domain.QUALIFICATIONS,
              domain.SPECIALIST_CREDENTIALS)
    for level in levels:
        assert level <= codes
    assert sum(len(level) for level in levels) == len(frozenset().union(*levels))
    assert domain.QUALIFICATIONS == {"ascp_qihc", "ascp_qli", "ascp_qls"}


def test_state_licences_are_the_licensure_states_with_puerto_rico():
    states = dict(domain.STATE_LICENCES)
    assert {"ca", "ny", "fl"} <= set(states)
    assert set(states) == {"ca", "fl", "hi", "la", "mt", "nv", "ny", "nd", "pr", "ri", "tn", "wv"}
    assert "ga" not in states  # Georgia repealed personnel licensure in 2021


def test_maintenance_cycles_name_credentials_and_follow_each_bodys_rules():
    assert set(domain.CREDENTIAL_MAINTENANCE) <= set(domain.codes(domain.CREDENTIALS))
    assert domain.CREDENTIAL_MAINTENANCE["ascp_mls"] == (3, 36)
    assert domain.CREDENTIAL_MAINTENANCE["ascp_qls"][0] == 3  # a 3-year qualification
    assert domain.CREDENTIAL_MAINTENANCE["amt_mls"] == (3, 45)
    assert domain.maintenance_cycle("ascp_mls", date(2010, 5, 1)) == (3, 36)
    assert domain.maintenance_cycle("ascp_mls", date(2003, 12, 31)) is None  # certified for life before 2004
    assert domain.maintenance_cycle("amt_mls", date(2005, 6, 1)) is None
    assert domain.maintenance_cycle("ascpi_mls", date(2003, 1, 1)) == (3, 36)
    assert domain.maintenance_cycle("ascp_mls") == (3, 36)
