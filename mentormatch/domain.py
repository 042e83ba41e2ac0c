"""The fixed vocabularies of a medical laboratory mentoring program.

Every list the product shows (specialties, goals, credentials, meeting
preferences) lives here, as ``(code, label)`` pairs: codes are stored in the
database and fed to the matching engine, labels are shown to people. This
module is pure Python so the engine, the forms and the demo data share it.
"""

from __future__ import annotations

from typing import Final

Choices = tuple[tuple[str, str], ...]

SPECIALTIES: Final[Choices] = (
    ("clinical_chemistry", "Clinical chemistry"),
    ("hematology", "Hematology"),
    ("microbiology", "Microbiology"),
    ("immunology", "Immunology"),
    ("blood_bank", "Immunohematology / blood bank"),
    ("histotechnology", "Histotechnology"),
    ("cytotechnology", "Cytotechnology"),
    ("molecular", "Molecular diagnostics"),
    ("urinalysis", "Urinalysis and body fluids"),
    ("coagulation", "Coagulation"),
    ("point_of_care", "Point-of-care testing"),
    ("informatics", "Laboratory informatics"),
    ("phlebotomy", "Phlebotomy"),
)

CAREER_GOALS: Final[Choices] = (
    ("mlt_to_mls", "MLT to MLS (bachelor's degree)"),
    ("graduate_degree", "Master's or doctorate"),
    ("certification", "ASCP or AMT certification"),
    ("specialist_certification", "Specialist certification"),
    ("supervisor", "Supervisor or lead"),
    ("manager", "Laboratory manager or director"),
    ("quality", "Quality control / quality assurance"),
    ("educator", "Educator or instructor"),
    ("researcher", "Researcher"),
    ("informatics", "Laboratory informatics"),
    ("networking", "Networking and professional development"),
)

# Generalist credentials first, then the ASCP specialist credentials.
CREDENTIALS: Final[Choices] = (
    ("ascp_mlt", "ASCP MLT"),
    ("ascp_mls", "ASCP MLS"),
    ("amt_mt", "AMT MT"),
    ("amt_mlt", "AMT MLT"),
    ("ascp_sbb", "ASCP SBB (blood banking)"),
    ("ascp_sh", "ASCP SH (hematology)"),
    ("ascp_sm", "ASCP SM (microbiology)"),
    ("ascp_sc", "ASCP SC (chemistry)"),
    ("ascp_smb", "ASCP SMB (molecular biology)"),
    ("ascp_sct", "ASCP SCT (cytotechnology)"),
    ("ascp_htl", "ASCP HTL (histotechnology)"),
    ("ascp_qls", "ASCP QLS (quality)"),
    ("ascp_dlm", "ASCP DLM (laboratory management)"),
)

GENERALIST_CREDENTIALS: Final[frozenset[str]] = frozenset(
    {"ascp_mlt", "ascp_mls", "amt_mt", "amt_mlt"}
)
SPECIALIST_CREDENTIALS: Final[frozenset[str]] = frozenset(
    code for code, _ in CREDENTIALS if code not in GENERALIST_CREDENTIALS
)

MEETING_MODES: Final[Choices] = (
    ("in_person", "In person"),
    ("virtual", "Virtual"),
    ("either", "Either"),
)

MEETING_FREQUENCIES: Final[Choices] = (
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
    ("bimonthly", "Every two months"),
)

# Days between meetings for each frequency; the cadence checks use these.
FREQUENCY_DAYS: Final[dict[str, int]] = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "bimonthly": 60,
}

SHIFTS: Final[Choices] = (
    ("day", "Day"),
    ("evening", "Evening"),
    ("night", "Night"),
    ("rotating", "Rotating"),
)

# A member's side in one program (models.program.ProgramRole holds the same codes).
PROGRAM_ROLES: Final[Choices] = (
    ("mentee", "Mentee"),
    ("mentor", "Mentor"),
)

# Kinds of mentoring program one installation runs side by side.
TRACKS: Final[Choices] = (
    ("new_graduate", "New graduate onboarding"),
    ("mlt_to_mls", "MLT to MLS pathway"),
    ("certification", "Certification exam preparation (e.g. SBB)"),
    ("leadership", "Supervisor and leadership"),
    ("specialty", "Specialty cross-training"),
    ("general", "General mentoring"),
)

# Who may join a program (models.program.Enrolment).
ENROLMENTS: Final[Choices] = (
    ("open", "Open to anyone signed in"),
    ("invitation", "By invitation or roster only"),
    ("closed", "Closed to new members"),
)

MEMBERSHIP_STATUSES: Final[Choices] = (
    ("applied", "Applied"),
    ("active", "Active"),
    ("paused", "Paused"),
    ("left", "Left"),
)

MIN_CAPACITY: Final = 1
MAX_CAPACITY: Final = 10


def codes(choices: Choices) -> tuple[str, ...]:
    """Return the stored codes of a vocabulary."""
    return tuple(code for code, _ in choices)


def label(choices: Choices, code: str) -> str:
    """Return the human label for ``code``, or the code itself if unknown."""
    return dict(choices).get(code, code)


# A match's status, origin, and its agreement's status, as coordinators read them (pages and exports).
MATCH_STATUSES: Final[Choices] = (
    ("proposed", "Proposed"), ("accepted_by_mentee", "Accepted by the mentee"),
    ("accepted_by_mentor", "Accepted by the mentor"), ("active", "Active"), ("declined", "Declined"),
    ("withdrawn", "Withdrawn"), ("expired", "Expired"), ("ended", "Ended"),
)
MATCH_ORIGINS: Final[Choices] = (
    ("request", "Requested by the mentee"), ("round", "Matching round"), ("manual", "Paired by hand"),
)
AGREEMENT_STATUSES: Final[Choices] = (("draft", "Terms not agreed yet"), ("active", "Active"), ("ended", "Ended"))

# Why someone declines a proposed or requested match.
DECLINE_REASONS: Final[Choices] = (
    ("no_time", "I don't have time for this right now"),
    ("not_a_fit", "Our specialties or goals don't fit"),
    ("schedule", "Our schedules or time zones don't fit"),
    ("found_other", "I have found another match"),
    ("other", "Another reason"),
)
