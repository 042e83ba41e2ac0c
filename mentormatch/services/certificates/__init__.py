"""Continuing-education certificates that count: a program's CE policy, issuing, verifying.

ASCP counts employer in-service education when the employer assigns the
contact hours and signs a certificate naming the participant, the activity's
title, the dates and the provider. A program's coordinator sets the policy
(``CePolicy``: provider, activity title, hours per completed mentorship and
per logged meeting hour, the cap per certificate, the signer) and issues the
certificates; each row copies every field it shows and is never changed.

What earns a certificate:

- a *completed* mentorship: the agreement has ended and the pair completed it,
  that is it ended with the reason "Goals achieved", or it ended on or after
  the end date of its agreed terms (an early end for any other reason is not a
  completion). It earns ``hours_per_mentorship`` plus the meeting hours;
- a *period* (first and last day, both before today) of an agreement that is
  still active: the meeting hours logged in that period only.

Hours = hours per mentorship (completion only) + hours per meeting hour ×
the hours of the meetings held in the period, capped at ``max_hours`` and
rounded to 0.01. Each of the pair qualifies with more than zero hours and an
account that is not deleted. A participant has at most one certificate for
any day of an agreement: a period that overlaps one already issued is
refused, and a completion certificate starts the day after the last one.

``signature`` is an HMAC-SHA256 (with a key derived from SECRET_KEY) of a
canonical serialisation of every field the certificate shows, so
``verify(number)`` tells a genuine certificate from a forged number or a row
altered in the database.
"""

from mentormatch.services.certificates.issuing import (
    ROLES, Award, Plan, began_on, contact_hours, is_completed, issue_certificates, plan_certificates,
)
from mentormatch.services.certificates.listing import (
    READY_SHOWN, PairToCertify, active_pairs_page, agreement_in, certificate_counts, certificates_of,
    certificates_page, completed_without_certificates, readable_by,
)
from mentormatch.services.certificates.policy import (
    LIMITS, MAX_HOURS, CertificateError, PolicyInput, hours_text, policy_of, save_policy,
)
from mentormatch.services.certificates.signing import (
    Verification, by_number, is_genuine, new_number, shown_fields, signature_of, verify,
)

__all__ = [
    "LIMITS", "MAX_HOURS", "READY_SHOWN", "ROLES", "Award", "CertificateError", "PairToCertify", "Plan",
    "PolicyInput", "Verification", "active_pairs_page", "agreement_in", "began_on", "by_number",
    "certificate_counts", "certificates_of", "certificates_page", "completed_without_certificates",
    "contact_hours", "hours_text", "is_completed", "is_genuine", "issue_certificates", "new_number",
    "plan_certificates", "policy_of", "readable_by", "save_policy", "shown_fields", "signature_of", "verify",
]
