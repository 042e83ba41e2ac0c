"""The stored codes of programs and memberships have one source: mentormatch.domain."""

import importlib.util
from pathlib import Path

from mentormatch import domain
from mentormatch.models import Enrolment, MembershipStatus, ProgramRole


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
