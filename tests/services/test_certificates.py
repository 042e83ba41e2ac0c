"""CE certificates: the policy's rules, who earns what (completed only, hours capped, periods), verification."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from mentormatch.extensions import db
from mentormatch.models import AuditEntry, CeCertificate, CePolicy, Meeting, Notification
from mentormatch.models.user import utcnow
from mentormatch.services import agreements, certificates
from mentormatch.services.agreements import MeetingInput, TermsInput
from mentormatch.services.certificates import CertificateError, PolicyInput
from tests.conftest import on_postgres
from tests.factories import default_program, make_pair, make_program, make_user

TODAY = agreements.today()


def policy_input(**overrides) -> PolicyInput:
    values = dict(provider_name="Riverside General Hospital Laboratory", activity_title="Structured lab mentoring",
                  hours_per_mentorship=Decimal("2"), hours_per_meeting_hour=Decimal("1"), max_hours=Decimal("10"),
                  signer_name="Pat Quinn", signer_title="Laboratory Education Coordinator")
    values.update(overrides)
    return PolicyInput(**values)


def certify_past_meetings(agreement, coordinator=None) -> dict[int, str]:
    """Test helper (also used by the access walk and the phone sweep): certificates for an active agreement's
    meetings before today, a kick-off yesterday logged first if none; returns user id -> certificate number."""
    program = agreement.match.program
    coordinator = coordinator or make_user("coordinator", program=program, name="Certificate Issuer")
    if certificates.policy_of(program) is None:
        certificates.save_policy(program, coordinator, policy_input())
    yesterday = TODAY - timedelta(days=1)
    if db.session.scalar(db.select(Meeting.id).where(Meeting.agreement_id == agreement.id,
                                                     Meeting.held_on <= yesterday).limit(1)) is None:
        agreements.log_meeting(agreement, agreement.match.mentee, MeetingInput(yesterday, 30, "virtual", [],
                                                                               kickoff=True))
    start = certificates.began_on(agreement)
    issued = certificates.issue_certificates(agreement, coordinator, (start, yesterday))
    return {c.user_id: c.number for c in issued}


@pytest.fixture
def coordinator(app_ctx):
    return make_user("coordinator", name="Cora Ordinator")


@pytest.fixture
def policy(coordinator):
    return certificates.save_policy(default_program(), coordinator, policy_input())


def agreed(start_days_ago: int = 100, length: int = 90):
    """An active agreement whose confirmed terms started ``start_days_ago`` days ago and run ``length`` days."""
    match = make_pair()
    agreement = match.agreement
    start = TODAY - timedelta(days=start_days_ago)
    version = agreements.propose_terms(agreement, match.mentee, TermsInput(
        "monthly", "virtual", start, start + timedelta(days=length), ["specialty:hematology"]))
    agreements.confirm_terms(agreement, match.mentor, version.number)
    return agreement


def meet(agreement, days_ago: int, minutes: int) -> None:
    agreements.log_meeting(agreement, agreement.match.mentee, MeetingInput(
        TODAY - timedelta(days=days_ago), minutes, "virtual", ["specialty:hematology"]))


def issued() -> list[CeCertificate]:
    return list(db.session.scalars(db.select(CeCertificate).order_by(CeCertificate.id)))


# --- the policy ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("overrides, message", [
    ({"provider_name": "  "}, "The provider is required."),
    ({"activity_title": ""}, "The activity title is required."),
    ({"signer_name": ""}, "The signer's name is required."),
    ({"signer_title": " "}, "The signer's title is required."),
    ({"hours_per_mentorship": Decimal("-1")}, "cannot be negative"),
    ({"hours_per_meeting_hour": Decimal("-0.5")}, "cannot be negative"),
    ({"max_hours": Decimal("0")}, "must be more than zero"),
    ({"hours_per_mentorship": Decimal("0"), "hours_per_meeting_hour": Decimal("0")}, "per meeting hour, or both"),
    ({"max_hours": Decimal("1000")}, "at most 999.99"),
    ({"provider_name": "x" * 161}, "limited to 160"),
])
def test_a_policy_missing_a_rule_is_refused_and_nothing_is_saved(coordinator, overrides, message):
    with pytest.raises(CertificateError, match=re.escape(message)):
        certificates.save_policy(default_program(), coordinator, policy_input(**overrides))
    assert certificates.policy_of(default_program()) is None


def test_a_policy_is_saved_once_per_program_updated_and_audited(coordinator):
    program = default_program()
    certificates.save_policy(program, coordinator, policy_input())
    saved = certificates.save_policy(program, coordinator, policy_input(max_hours=Decimal("12.5"),
                                                                        signer_name="  Pat   Quinn "))
    assert (saved.max_hours, saved.signer_name, saved.updated_by_id) == (Decimal("12.50"), "Pat Quinn", coordinator.id)
    assert db.session.scalar(db.select(db.func.count()).select_from(CePolicy)) == 1
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "ce_policy_saved")).all()
    assert len(entries) == 2 and entries[1].before["max_hours"] == "10" and entries[1].after["max_hours"] == "12.5"


def test_only_the_program_s_coordinators_set_its_policy(app_ctx):
    other = make_user("coordinator", program=make_program("Elsewhere"))
    with pytest.raises(CertificateError, match="Only a coordinator of this program"):
        certificates.save_policy(default_program(), other, policy_input())
    with pytest.raises(CertificateError):
        certificates.save_policy(default_program(), make_user("mentor"), policy_input())


# --- completed mentorships ---------------------------------------------------------------------------

def test_a_mentorship_ended_with_goals_achieved_earns_both_a_certificate_with_every_shown_field(coordinator, policy):
    agreement = agreed(start_days_ago=60, length=180)  # ends early, but its goals were achieved
    meet(agreement, 50, 60)
    meet(agreement, 20, 90)
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    mentee, mentor = agreement.match.mentee, agreement.match.mentor
    made = certificates.issue_certificates(agreement, coordinator)
    assert [(c.user_id, c.role) for c in made] == [(mentee.id, "mentee"), (mentor.id, "mentor")]
    first = made[0]
    assert (first.participant_name, first.activity_title, first.provider_name, first.signer_name,
            first.signer_title) == ("Dana Okafor", "Structured lab mentoring", "Riverside General Hospital Laboratory",
                                    "Pat Quinn", "Laboratory Education Coordinator")
    assert first.contact_hours == Decimal("4.50")  # 2 for the mentorship + 1 x 2.5 meeting hours
    assert (first.period_start, first.period_end) == (TODAY - timedelta(days=60), TODAY)
    assert re.fullmatch(r"MM-\d{4}-[A-Z2-7]{8}", first.number) and first.number != made[1].number
    assert all(certificates.is_genuine(c) for c in made)
    audit = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == "ce_certificate_issued")).all()
    assert sorted(e.after["number"] for e in audit) == sorted(c.number for c in made)
    assert all(e.program_id == default_program().id and e.actor_id == coordinator.id for e in audit)
    told = db.session.scalars(db.select(Notification).where(Notification.path == "/certificates/")).all()
    assert {n.user_id for n in told} == {mentee.id, mentor.id} and first.number in told[0].text + told[1].text


def test_a_mentorship_that_reached_its_end_date_is_completed_whatever_the_reason(coordinator, policy):
    agreement = agreed(start_days_ago=100, length=90)  # the agreed end was ten days ago
    meet(agreement, 95, 60)
    agreements.end_agreement(agreement, agreement.match.mentor, "schedule")
    assert certificates.is_completed(agreement)
    assert [c.contact_hours for c in certificates.issue_certificates(agreement, coordinator)] == [Decimal("3.00")] * 2


def test_only_a_completed_mentorship_earns_a_completion_certificate(coordinator, policy):
    active = agreed(start_days_ago=30, length=180)
    meet(active, 10, 60)
    with pytest.raises(CertificateError, match="not completed yet"):
        certificates.issue_certificates(active, coordinator)
    agreements.end_agreement(active, active.match.mentee, "not_a_fit")  # before the end date, goals not achieved
    assert not certificates.is_completed(active)
    with pytest.raises(CertificateError, match="ended without being completed"):
        certificates.issue_certificates(active, coordinator)
    assert issued() == []


def test_contact_hours_are_capped_at_the_policy_s_maximum(coordinator):
    certificates.save_policy(default_program(), coordinator, policy_input(max_hours=Decimal("5")))
    agreement = agreed(start_days_ago=100, length=90)
    for days in (90, 80, 70, 60):
        meet(agreement, days, 120)  # 8 meeting hours + 2 = 10, capped at 5
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    assert [c.contact_hours for c in certificates.issue_certificates(agreement, coordinator)] == [Decimal("5.00")] * 2
    assert certificates.contact_hours(certificates.policy_of(default_program()), 45, completion=False) == Decimal("0.75")


def test_a_completed_mentorship_is_certified_once(coordinator, policy):
    agreement = agreed()
    meet(agreement, 90, 60)
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    first = certificates.issue_certificates(agreement, coordinator)
    with pytest.raises(CertificateError, match="Nobody qualifies.*Already certified"):
        certificates.issue_certificates(agreement, coordinator)
    assert len(issued()) == len(first) == 2


def test_the_policy_must_exist_and_only_the_pair_s_coordinators_issue(coordinator):
    agreement = agreed()
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    with pytest.raises(CertificateError, match="Set the program's CE policy first"):
        certificates.issue_certificates(agreement, coordinator)
    certificates.save_policy(default_program(), coordinator, policy_input())
    other = make_user("coordinator", program=make_program("Elsewhere"))
    with pytest.raises(CertificateError, match="Only a coordinator of this pair's program"):
        certificates.issue_certificates(agreement, other)
    assert issued() == []


# --- periods of an active mentorship -----------------------------------------------------------------

def test_a_past_period_earns_only_the_meeting_hours_held_in_it(coordinator, policy):
    agreement = agreed(start_days_ago=100, length=300)
    meet(agreement, 90, 60)
    meet(agreement, 40, 30)
    meet(agreement, 5, 120)  # after the period
    period = (TODAY - timedelta(days=100), TODAY - timedelta(days=30))
    made = certificates.issue_certificates(agreement, coordinator, period)
    assert [(c.period_start, c.period_end, c.contact_hours) for c in made] == [(*period, Decimal("1.50"))] * 2


@pytest.mark.parametrize("start, end, message", [
    (10, 0, "fully in the past"),
    (10, -3, "fully in the past"),
    (5, 10, "must not be after"),
    (200, 20, "cannot start before the mentorship began"),
])
def test_a_period_must_be_real_over_and_within_the_mentorship(coordinator, policy, start, end, message):
    agreement = agreed(start_days_ago=100, length=300)
    meet(agreement, 50, 60)
    with pytest.raises(CertificateError, match=message):
        certificates.issue_certificates(agreement, coordinator,
                                        (TODAY - timedelta(days=start), TODAY - timedelta(days=end)))
    assert issued() == []


def test_a_period_without_meetings_qualifies_nobody_and_says_so(coordinator, policy):
    agreement = agreed(start_days_ago=100, length=300)
    meet(agreement, 10, 60)
    with pytest.raises(CertificateError, match="Nobody qualifies.*no meetings were logged"):
        certificates.issue_certificates(agreement, coordinator, (TODAY - timedelta(days=90),
                                                                 TODAY - timedelta(days=50)))
    assert issued() == [] and not db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "ce_certificate_issued")).all()


def test_a_period_is_for_an_active_agreement_only(coordinator, policy):
    agreement = agreed(start_days_ago=100, length=300)
    meet(agreement, 50, 60)
    agreements.end_agreement(agreement, agreement.match.mentee, "schedule")
    with pytest.raises(CertificateError, match="active agreement only"):
        certificates.issue_certificates(agreement, coordinator, (TODAY - timedelta(days=90),
                                                                 TODAY - timedelta(days=10)))


def test_overlapping_periods_are_refused_and_completion_counts_only_what_follows(coordinator, policy):
    agreement = agreed(start_days_ago=100, length=90)
    meet(agreement, 90, 60)
    meet(agreement, 40, 60)
    first = certificates.issue_certificates(agreement, coordinator, (TODAY - timedelta(days=100),
                                                                     TODAY - timedelta(days=50)))
    for period in ((100, 50), (60, 20)):  # the same period, and one that overlaps it
        with pytest.raises(CertificateError, match=f"Already certified for these dates \\({first[0].number}"):
            certificates.issue_certificates(agreement, coordinator,
                                            (TODAY - timedelta(days=period[0]), TODAY - timedelta(days=period[1])))
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    last = certificates.issue_certificates(agreement, coordinator)
    # From the day after the period: the 2 completion hours + the one meeting hour not yet certified.
    assert [(c.period_start, c.period_end, c.contact_hours) for c in last] == [
        (TODAY - timedelta(days=49), TODAY, Decimal("3.00"))] * 2


def test_a_deleted_participant_does_not_qualify(coordinator, policy):
    agreement = agreed()
    meet(agreement, 90, 60)
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    agreement.match.mentor.deleted_at = utcnow()
    db.session.commit()
    plan = certificates.plan_certificates(agreement, coordinator)
    assert [a.refusal for a in plan.awards] == ["", "The account was deleted."]
    assert [c.role for c in certificates.issue_certificates(agreement, coordinator)] == ["mentee"]


def test_the_helper_for_other_tests_certifies_past_meetings(app_ctx):
    agreement = make_pair().agreement
    version = agreements.propose_terms(agreement, agreement.match.mentee, TermsInput(
        "monthly", "virtual", TODAY, TODAY + timedelta(days=90), ["specialty:hematology"]))
    agreements.confirm_terms(agreement, agreement.match.mentor, version.number)
    numbers = certify_past_meetings(agreement)
    assert set(numbers) == {agreement.match.mentee_id, agreement.match.mentor_id}


# --- verification ------------------------------------------------------------------------------------

@pytest.fixture
def certificate(coordinator, policy):
    agreement = agreed()
    meet(agreement, 90, 60)
    agreements.end_agreement(agreement, agreement.match.mentee, "goals_achieved")
    return certificates.issue_certificates(agreement, coordinator)[0]


def test_a_genuine_number_verifies_with_the_shown_fields_only(certificate):
    result = certificates.verify(certificate.number.lower())  # typed in lower case: still found
    assert result.valid and result.fields["participant_name"] == "Dana Okafor"
    assert set(result.fields) == {"number", "participant_name", "role", "activity_title", "period_start",
                                  "period_end", "provider_name", "contact_hours", "signer_name", "signer_title",
                                  "issued_on"}
    assert not certificates.verify("MM-2026-AAAAAAAA").found


def test_the_signature_covers_every_shown_field(certificate):
    for name, value in [("participant_name", "Someone Else"), ("contact_hours", Decimal("40")),
                        ("period_start", certificate.period_start - timedelta(days=1)), ("signer_title", "CEO"),
                        ("activity_title", "Other"), ("provider_name", "Other"), ("role", "mentor")]:
        copy = CeCertificate(**{c.name: getattr(certificate, c.name) for c in CeCertificate.__table__.columns})
        setattr(copy, name, value)
        assert certificates.signature_of(copy) != certificate.signature, name
    db.session.expunge_all()


@pytest.mark.skipif(on_postgres(), reason="PostgreSQL's trigger refuses the UPDATE: see the next test")
def test_a_row_altered_in_the_database_does_not_verify(certificate):
    number = certificate.number
    db.session.execute(text("UPDATE ce_certificates SET contact_hours = 40 WHERE number = :n"), {"n": number})
    db.session.commit()
    db.session.expire_all()
    result = certificates.verify(number)
    assert result.found and not result.valid and result.fields is None


@pytest.mark.postgres_only
def test_postgresql_refuses_to_alter_or_delete_an_issued_certificate(certificate):
    for statement in ("UPDATE ce_certificates SET contact_hours = 40 WHERE number = :n",
                      "DELETE FROM ce_certificates WHERE number = :n"):
        with pytest.raises(DBAPIError, match="immutable"):
            db.session.execute(text(statement), {"n": certificate.number})
        db.session.rollback()
    assert certificates.verify(certificate.number).valid
