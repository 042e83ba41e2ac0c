"""Who the demo's people are: job titles whose specialties, credentials and goals agree.

A persona is a kind of laboratory job. Each demo person takes one: the title, the
specialties that job works in, one of its credential sets (taken in turn, so the
ASCP, ASCPi, AMT and AAB forms all appear) and, for a mentor, the goals that job
can coach. Together the personas use every specialty, goal and credential code.
"""

from __future__ import annotations

from dataclasses import dataclass

from mentormatch import domain


@dataclass(frozen=True)
class Persona:
    title: str
    specialties: tuple[str, ...]  # a mentor works in all of them; a mentee in one or two
    credentials: tuple[tuple[str, ...], ...]  # the sets its holders have, taken in turn
    goals: tuple[str, ...] = ()  # a mentor: what they coach besides networking; a mentee: what they may seek
    next_credential: tuple[str, ...] = ()  # a mentee seeking certification: the next step, per credential set
    years: tuple[int, int] = (6, 35)
    shifts: tuple[str, ...] = ()  # empty: any shift


MENTOR_PERSONAS = (  # mentor i takes persona i % 20; personas 1-6 are bench technologists in mid-career
    Persona("Senior Medical Laboratory Scientist", ("clinical_chemistry", "hematology", "urinalysis"),
            (("ascp_mls",), ("amt_mls",)), ("mlt_to_mls", "certification", "educator")),
    Persona("Blood Bank Technologist", ("blood_bank", "immunology"),
            (("ascp_mls", "ascp_bb"), ("ascpi_mls", "ascpi_bb")), ("certification",)),
    Persona("Microbiology Technologist", ("microbiology",), (("ascp_m",), ("ascpi_m",)), ("certification",)),
    Persona("Hematology Technologist", ("hematology", "coagulation"), (("ascp_h",), ("ascpi_h",)),
            ("certification",)),
    Persona("Toxicology Technologist", ("toxicology", "clinical_chemistry"), (("ascp_c",), ("ascpi_c",)),
            ("certification",)),
    Persona("Molecular Technologist", ("molecular", "hla"), (("ascp_mb",), ("ascpi_mb",)),
            ("certification", "researcher")),
    Persona("Cytogenetic Technologist", ("cytogenetics", "molecular"), (("ascp_cg",), ("ascpi_cg",)),
            ("certification", "researcher")),
    Persona("Blood Bank and Donor Center Lead Technologist", ("blood_bank", "donor_apheresis", "phlebotomy"),
            (("ascp_mls", "ascp_sbb"), ("ascpi_mls", "ascpi_sbb")), ("specialist_certification", "supervisor")),
    Persona("Hematology Technical Specialist", ("hematology", "coagulation", "urinalysis"),
            (("ascp_mls", "ascp_sh"), ("ascpi_mls", "ascpi_sh")), ("specialist_certification", "educator")),
    Persona("Microbiology Lead Technologist", ("microbiology", "specimen_processing"),
            (("ascp_mls", "ascp_sm"), ("ascpi_mls", "ascpi_sm")), ("specialist_certification", "supervisor")),
    Persona("Chemistry Technical Specialist", ("clinical_chemistry", "point_of_care"),
            (("ascp_mls", "ascp_sc"), ("ascpi_mls", "ascpi_sc")), ("specialist_certification", "quality")),
    Persona("Cytotechnologist", ("cytotechnology",), (("ascp_ct", "ascp_sct"), ("ascpi_ct", "ascpi_sct")),
            ("specialist_certification", "certification")),
    Persona("Histology Supervisor", ("histotechnology", "immunohistochemistry"),
            (("ascp_htl", "ascp_qihc"), ("ascpi_htl", "ascp_qihc")), ("supervisor", "certification"), years=(10, 35)),
    Persona("Pathologists' Assistant", ("histotechnology", "specimen_processing"),
            (("ascp_pa",), ("ascp_pa", "ascp_htl")), ("graduate_degree", "educator"), shifts=("day",)),
    Persona("Flow Cytometry Specialist", ("flow_cytometry", "hematology", "immunology"),
            (("ascp_mls", "ascp_scym"), ("ascp_h", "ascp_scym")), ("specialist_certification", "researcher")),
    Persona("Molecular Diagnostics Technologist", ("molecular", "hla"),
            (("amt_mls", "amt_mdt"), ("aab_mt", "aab_mdxt")), ("certification", "researcher")),
    Persona("Laboratory Manager", ("quality_regulatory", "clinical_chemistry"),
            (("ascp_mls", "ascp_dlm"), ("aab_mt", "ascp_dlm")), ("manager", "supervisor", "quality"),
            years=(15, 35), shifts=("day",)),
    Persona("Laboratory Director (PhD)", ("molecular", "quality_regulatory"),
            (("ascp_mls", "ascp_smb"), ("ascp_mb",)), ("director", "graduate_degree", "researcher"),
            years=(18, 35), shifts=("day",)),
    Persona("Quality and Safety Coordinator", ("quality_regulatory", "laboratory_safety"),
            (("ascp_mls", "ascp_qls"), ("amt_mls", "ascp_qls")), ("quality", "supervisor"), shifts=("day",)),
    Persona("Laboratory Informatics Analyst", ("informatics", "point_of_care"),
            (("ascp_mls", "ascp_qli"), ("amt_mls", "ascp_qli")), ("informatics",), shifts=("day",)),
)

_CORE = ("clinical_chemistry", "hematology", "urinalysis", "coagulation", "microbiology", "immunology", "blood_bank")
MLT = Persona("Medical Laboratory Technician", _CORE,
              (("ascp_mlt",), ("amt_mlt",), ("aab_mlt",), ("ascpi_mlt",)),
              ("mlt_to_mls", "supervisor", "quality", "informatics", "educator", "networking"),
              ("ascp_mls", "amt_mls", "aab_mt", "ascpi_mls"), years=(1, 12))
MLT_STUDENT = Persona("MLT student", ("clinical_chemistry", "hematology", "microbiology", "phlebotomy"),
                      ((), ("ascp_pbt",)), ("certification", "networking"), ("ascp_mlt", "ascp_mlt"), years=(0, 2))
PHLEBOTOMIST = Persona("Phlebotomist", ("phlebotomy", "specimen_processing"),
                       (("ascp_pbt",), ("amt_rpt",), ("ascpi_pbt",)),
                       ("certification", "networking", "supervisor", "educator"),
                       ("ascp_mlt", "amt_mlt", "ascpi_mlt"), years=(0, 10))
DONOR_PHLEBOTOMIST = Persona("Donor Phlebotomist", ("donor_apheresis", "phlebotomy"), (("ascp_dpt",),),
                             ("certification", "networking", "supervisor"), ("ascp_mlt",), years=(0, 8))
ASSISTANT = Persona("Laboratory Assistant", ("specimen_processing", "point_of_care"), (("ascp_mla",), ("amt_cmla",)),
                    ("certification", "networking"), ("ascp_mlt", "amt_mlt"), years=(0, 6))
PROCESSOR = Persona("Specimen Processor", ("specimen_processing",), ((),), ("certification", "networking"),
                    ("ascp_mla",), years=(0, 4))
NEW_MLS = Persona("Medical Laboratory Scientist (new graduate)",
                  ("clinical_chemistry", "hematology", "microbiology", "blood_bank", "immunology", "molecular",
                   "urinalysis", "coagulation"),
                  (("ascp_mls",), ("ascpi_mls",), ("amt_mls",), ("aab_mt",)),
                  ("specialist_certification", "graduate_degree", "researcher", "supervisor", "educator",
                   "informatics", "quality", "networking"), years=(0, 1))
HISTOTECHNICIAN = Persona("Histotechnician", ("histotechnology", "immunohistochemistry"), (("ascp_ht",), ("ascpi_ht",)),
                          ("certification", "specialist_certification", "supervisor", "networking"),
                          ("ascp_htl", "ascpi_htl"), years=(1, 12))
MLS = Persona("Medical Laboratory Scientist",
              ("hematology", "clinical_chemistry", "microbiology", "blood_bank", "flow_cytometry", "toxicology",
               "quality_regulatory", "laboratory_safety", "informatics", "coagulation"),
              (("ascp_mls",), ("amt_mls",), ("ascpi_mls",)),
              ("supervisor", "manager", "director", "quality", "graduate_degree", "researcher", "educator",
               "informatics", "specialist_certification"), years=(4, 12))
MOLECULAR = Persona("Molecular Technologist", ("molecular", "hla", "cytogenetics"),
                    (("ascp_mb",), ("amt_mdt",), ("aab_mdxt",)),
                    ("specialist_certification", "researcher", "graduate_degree", "networking"), years=(1, 10))
CYTOTECHNOLOGIST = Persona("Cytotechnologist", ("cytotechnology",), (("ascp_ct",), ("ascpi_ct",)),
                           ("specialist_certification", "supervisor", "networking"), years=(1, 10))

# The jobs of mentees whose main goal is a given one, taken in turn.
MENTEE_PERSONAS: dict[str, tuple[Persona, ...]] = {
    "mlt_to_mls": (MLT,),
    "graduate_degree": (NEW_MLS, MLS, MOLECULAR),
    "certification": (MLT_STUDENT, PHLEBOTOMIST, DONOR_PHLEBOTOMIST, ASSISTANT, PROCESSOR, HISTOTECHNICIAN),
    "specialist_certification": (NEW_MLS, HISTOTECHNICIAN, MOLECULAR, CYTOTECHNOLOGIST, MLS),
    "supervisor": (MLT, PHLEBOTOMIST, MLS, HISTOTECHNICIAN, CYTOTECHNOLOGIST, DONOR_PHLEBOTOMIST),
    "manager": (MLS,),
    "director": (MLS,),
    "quality": (MLT, MLS, NEW_MLS),
    "educator": (MLT, NEW_MLS, MLS, PHLEBOTOMIST),
    "researcher": (NEW_MLS, MOLECULAR, MLS),
    "informatics": (MLT, NEW_MLS, MLS),
    "networking": (MLT_STUDENT, PHLEBOTOMIST, ASSISTANT, PROCESSOR, NEW_MLS, MOLECULAR, DONOR_PHLEBOTOMIST),
}

# The specialist credential (or qualification) a specialty leads to.
SPECIALIST_CREDENTIAL = {
    "blood_bank": "ascp_sbb", "hematology": "ascp_sh", "coagulation": "ascp_sh", "microbiology": "ascp_sm",
    "clinical_chemistry": "ascp_sc", "toxicology": "ascp_sc", "molecular": "ascp_smb", "hla": "ascp_smb",
    "cytogenetics": "ascp_smb", "cytotechnology": "ascp_sct", "flow_cytometry": "ascp_scym",
    "histotechnology": "ascp_qihc", "immunohistochemistry": "ascp_qihc", "laboratory_safety": "ascp_qls",
    "informatics": "ascp_qli", "quality_regulatory": "ascp_dlm",
}


def specialist_for(specialties: list[str], held: tuple[str, ...]) -> list[str]:
    """The specialist credential the first fitting specialty leads to, in its ASCPi form for an ASCPi holder."""
    international = any(domain.credential_body(code) == "ascpi" for code in held)
    for specialty in specialties:
        if (code := SPECIALIST_CREDENTIAL.get(specialty)) is not None:
            other = "ascpi_" + code.removeprefix("ascp_")
            return [other if international and other in domain.codes(domain.CREDENTIALS) else code]
    return []
