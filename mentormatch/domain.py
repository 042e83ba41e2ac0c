"""The fixed vocabularies of a medical laboratory mentoring program.

Every list the product shows (specialties, goals, credentials, meeting
preferences) lives here, as ``(code, label)`` pairs: codes are stored in the
database and fed to the matching engine, labels are shown to people. This
module is pure Python so the engine, the forms and the demo data share it.
"""

from __future__ import annotations

from datetime import date
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
    ("cytogenetics", "Cytogenetics"),
    ("flow_cytometry", "Flow cytometry"),
    ("immunohistochemistry", "Immunohistochemistry"),
    ("hla", "HLA / histocompatibility"),
    ("toxicology", "Toxicology"),
    ("quality_regulatory", "Quality and regulatory"),
    ("laboratory_safety", "Laboratory safety"),
    ("specimen_processing", "Specimen processing"),
    ("donor_apheresis", "Donor center and apheresis"),
)

CAREER_GOALS: Final[Choices] = (
    ("mlt_to_mls", "MLT to MLS (bachelor's degree)"),
    ("graduate_degree", "Master's or doctorate"),
    ("certification", "ASCP, AMT or AAB certification"),
    ("specialist_certification", "Specialist certification"),
    ("supervisor", "Supervisor or lead"),
    ("manager", "Laboratory manager"),
    # CLIA (42 CFR 493.1443): a high-complexity laboratory director holds a doctorate (MD, DO or PhD).
    ("director", "Laboratory director (doctorate required under CLIA for high complexity)"),
    ("quality", "Quality control / quality assurance"),
    ("educator", "Educator or instructor"),
    ("researcher", "Researcher"),
    ("informatics", "Laboratory informatics"),
    ("networking", "Networking and professional development"),
)

# Credentials by certifying body; a code is "<body>_<credential>" (credential_body() reads the body).
# ASCP Board of Certification: certifications, then the qualifications (QIHC, QLI, QLS), which are
# 3-year qualifications in one area, not certifications.
_ASCP: Choices = (
    ("ascp_mls", "ASCP MLS"),
    ("ascp_mlt", "ASCP MLT"),
    ("ascp_mla", "ASCP MLA (laboratory assistant)"),
    ("ascp_pbt", "ASCP PBT (phlebotomy technician)"),
    ("ascp_dpt", "ASCP DPT (donor phlebotomy technician)"),
    ("ascp_ht", "ASCP HT (histotechnician)"),
    ("ascp_htl", "ASCP HTL (histotechnologist)"),
    ("ascp_ct", "ASCP CT (cytotechnologist)"),
    ("ascp_c", "ASCP C (technologist in chemistry)"),
    ("ascp_h", "ASCP H (technologist in hematology)"),
    ("ascp_m", "ASCP M (technologist in microbiology)"),
    ("ascp_bb", "ASCP BB (technologist in blood banking)"),
    ("ascp_mb", "ASCP MB (technologist in molecular biology)"),
    ("ascp_cg", "ASCP CG (technologist in cytogenetics)"),
    ("ascp_sbb", "ASCP SBB (specialist in blood banking)"),
    ("ascp_sh", "ASCP SH (specialist in hematology)"),
    ("ascp_sm", "ASCP SM (specialist in microbiology)"),
    ("ascp_sc", "ASCP SC (specialist in chemistry)"),
    ("ascp_smb", "ASCP SMB (specialist in molecular biology)"),
    ("ascp_sct", "ASCP SCT (specialist in cytotechnology)"),
    ("ascp_scym", "ASCP SCYM (specialist in cytometry)"),
    ("ascp_pa", "ASCP PA (pathologists' assistant)"),
    ("ascp_dlm", "ASCP DLM (diplomate in laboratory management)"),
    ("ascp_qihc", "ASCP QIHC (qualification in immunohistochemistry)"),
    ("ascp_qli", "ASCP QLI (qualification in laboratory informatics)"),
    ("ascp_qls", "ASCP QLS (qualification in laboratory safety)"),
)
# The international (ASCPi) form of an ASCP certification is its own code, ascpi_<x> for ascp_<x>: the
# certifications ASCP's International Procedures for Examination & Certification lists. The matching
# engine counts the two forms as one credential (same_credential()).
_ASCPI_FORMS = ("ascp_mls", "ascp_mlt", "ascp_pbt", "ascp_ht", "ascp_htl", "ascp_ct", "ascp_c", "ascp_h",
                "ascp_m", "ascp_bb", "ascp_mb", "ascp_cg", "ascp_sbb", "ascp_sh", "ascp_sm", "ascp_sc",
                "ascp_sct")
_ASCPI: Choices = tuple(
    ("ascpi_" + code.removeprefix("ascp_"), "ASCPi " + label.removeprefix("ASCP "))
    for code, label in _ASCP if code in _ASCPI_FORMS
)
# American Medical Technologists: MT(AMT) became MLS(AMT) in 2023 (code amt_mt before migration 0016).
_AMT: Choices = (
    ("amt_mls", "AMT MLS (formerly AMT MT)"),
    ("amt_mlt", "AMT MLT"),
    ("amt_mdt", "AMT MDT (molecular diagnostics technologist)"),
    ("amt_cmla", "AMT CMLA (laboratory assistant)"),
    ("amt_rpt", "AMT RPT (phlebotomy technician)"),
)
# American Association of Bioanalysts, Board of Registry.
_AAB: Choices = (
    ("aab_mt", "AAB MT (medical technologist)"),
    ("aab_mlt", "AAB MLT"),
    ("aab_mdxt", "AAB MDxT (molecular diagnostics technologist)"),
)
CREDENTIALS: Final[Choices] = _ASCP + _ASCPI + _AMT + _AAB

# Levels, for what a credential says its holder can coach (matching.scoring.CREDENTIAL_IMPLIES_GOALS).
GENERALIST_CREDENTIALS: Final[frozenset[str]] = frozenset(
    {"ascp_mls", "ascp_mlt", "ascpi_mls", "ascpi_mlt", "amt_mls", "amt_mlt", "aab_mt", "aab_mlt"}
)
ENTRY_CREDENTIALS: Final[frozenset[str]] = frozenset(  # assistants and phlebotomists
    {"ascp_mla", "ascp_pbt", "ascp_dpt", "ascpi_pbt", "amt_cmla", "amt_rpt"}
)
QUALIFICATIONS: Final[frozenset[str]] = frozenset({"ascp_qihc", "ascp_qli", "ascp_qls"})
SPECIALIST_CREDENTIALS: Final[frozenset[str]] = frozenset(  # ASCP's specialist level and the diplomate
    {"ascp_sbb", "ascp_sh", "ascp_sm", "ascp_sc", "ascp_smb", "ascp_sct", "ascp_scym", "ascp_dlm",
     "ascpi_sbb", "ascpi_sh", "ascpi_sm", "ascpi_sc", "ascpi_sct"}
)
# The rest (HT, HTL, CT, the categorical technologists, PA, AMT MDT, AAB MDxT) are certifications in one
# discipline.


def credential_body(code: str) -> str:
    """Return the certifying body of a credential code: "ascp", "ascpi", "amt" or "aab"."""
    return code.partition("_")[0]


def same_credential(code: str) -> str:
    """Return the code that stands for the same credential in matching: an ASCPi form counts as ASCP's."""
    return "ascp_" + code.removeprefix("ascpi_") if code.startswith("ascpi_") else code


# State licences for laboratory personnel, held as their own list (models.career.CredentialRecord,
# kind "licence", with an optional licence number and an expiry date): the states that license
# laboratory personnel, and Puerto Rico. Codes are the postal abbreviations, lower-case. Georgia is
# not here: its 2021 law (HB 93) repealed laboratory and personnel licensure.
STATE_LICENCES: Final[Choices] = (
    ("ca", "California"),
    ("fl", "Florida"),
    ("hi", "Hawaii"),
    ("la", "Louisiana"),
    ("mt", "Montana"),
    ("nv", "Nevada"),
    ("ny", "New York"),
    ("nd", "North Dakota"),
    ("pr", "Puerto Rico"),
    ("ri", "Rhode Island"),
    ("tn", "Tennessee"),
    ("wv", "West Virginia"),
)

# Credentials that must be maintained, by code: (years in a cycle, points or contact hours a cycle
# needs; 0 where the cycle is known but no count is kept here). Codes not here do not expire.
# - ASCP's Credential Maintenance Program (CMP): 3-year cycles for credentials earned since 2004
#   (maintenance_cycle() leaves earlier ones out); 36 points for most (MLS and MLT: including laboratory
#   or patient safety), 9 for PBT and DPT, 45 for PA. ASCPi forms: the same cycle. The qualifications
#   (QIHC, QLI, QLS) are valid 3 years and renewed through the CMP; their points, and MLA's, are not kept.
# - AMT's Certification Continuation Program (CCP): 3-year cycles for those certified since 2006;
#   MLS and MLT 45 points, MDT 36, CMLA 30, RPT 24.
# - AAB Board of Registry: certification is revalidated every year.
_ASCP_POINTS = {"ascp_pbt": 9, "ascp_dpt": 9, "ascp_pa": 45, "ascp_mla": 0} | dict.fromkeys(QUALIFICATIONS, 0)
CREDENTIAL_MAINTENANCE: Final[dict[str, tuple[int, int]]] = {
    **{code: (3, _ASCP_POINTS.get(same_credential(code), 36))
       for code, _ in CREDENTIALS if credential_body(code) in ("ascp", "ascpi")},
    "amt_mls": (3, 45), "amt_mlt": (3, 45), "amt_mdt": (3, 36), "amt_cmla": (3, 30), "amt_rpt": (3, 24),
    **{code: (1, 0) for code, _ in _AAB},
}
# Earned before these dates, a credential of the body is for life (maintenance is voluntary).
MAINTENANCE_REQUIRED_SINCE: Final[dict[str, date]] = {
    "ascp": date(2004, 1, 1), "amt": date(2006, 1, 1),
}


def maintenance_cycle(code: str, earned_on: date | None = None) -> tuple[int, int] | None:
    """Return (years, points) of the credential's maintenance cycle, None if it has none for that date."""
    cycle = CREDENTIAL_MAINTENANCE.get(code)
    since = MAINTENANCE_REQUIRED_SINCE.get(credential_body(code))
    if cycle is None or (earned_on is not None and since is not None and earned_on < since):
        return None
    return cycle


MEETING_MODES: Final[Choices] = (
    ("in_person", "In person"),
    ("virtual", "Virtual"),
    ("either", "Either"),
)

# Say "every two months", never the ambiguous "bimonthly" (the code was "bimonthly" before migration 0016).
MEETING_FREQUENCIES: Final[Choices] = (
    ("weekly", "Weekly"),
    ("biweekly", "Every two weeks"),
    ("monthly", "Monthly"),
    ("every_two_months", "Every two months"),
)

# Days between meetings for each frequency; the cadence checks use these.
FREQUENCY_DAYS: Final[dict[str, int]] = {
    "weekly": 7,
    "biweekly": 14,
    "monthly": 30,
    "every_two_months": 60,
}

# How the matching engine reads each shift's hours: matching.scoring.SHIFT_HOURS.
SHIFTS: Final[Choices] = (
    ("day", "Day"),
    ("evening", "Evening"),
    ("night", "Night"),
    ("rotating", "Rotating"),
    ("weekend", "Weekend"),
    ("day_12h", "12-hour days"),
    ("night_12h", "12-hour nights"),
    ("per_diem", "Per diem (PRN)"),
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
