"""Groups the reports break arrests down by, and the documented mapping of NYPD race labels.

NYPD records one race label per arrest, chosen by the arresting officer; Hispanic origin is folded
into two of its labels (``WHITE HISPANIC``, ``BLACK HISPANIC``). The 2020 census counts Hispanic or
Latino origin separately from race (table P2). To put NYPD counts over census populations we map:

=====================================================  ==========================================
NYPD label (older / newer spelling, or store code)      census group (P2 column)
=====================================================  ==========================================
``WHITE HISPANIC``, ``BLACK HISPANIC``                   Hispanic or Latino, any race (P2_002N)
``BLACK``                                               non-Hispanic Black alone (P2_006N)
``WHITE``                                               non-Hispanic White alone (P2_005N)
``ASIAN/PAC.ISL``, ``ASIAN / PACIFIC ISLANDER``          non-Hispanic Asian alone + non-Hispanic
                                                        Native Hawaiian and Other Pacific Islander
                                                        alone (P2_008N + P2_009N)
``AMER IND``, ``AMERICAN INDIAN/ALASKAN NATIVE``         non-Hispanic American Indian and Alaska
                                                        Native alone (P2_007N)
``OTHER``                                               no census match: counted, no rate
``UNKNOWN`` or empty                                    unknown: counted and reported, no rate
=====================================================  ==========================================

Caveats (written into every report, see :data:`RACE_CAVEATS`).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Dimension(StrEnum):
    """What a report breaks arrests down by (`--by`, `--within`)."""

    RACE = "race"
    SEX = "sex"
    AGE_GROUP = "age_group"
    INCOME_QUINTILE = "income_quintile"
    ROLE = "role"
    OUTCOME = "outcome"
    OUTCOME_PROPOSAL = "outcome_proposal"  # the same arrests screened under a proposed policy
    PERIOD = "period"  # before / after the policy's effective date
    # self-reported, store-backed sources only; "not_recorded" shown as such, never imputed
    SEXUAL_ORIENTATION = "sexual_orientation"
    GENDER_IDENTITY = "gender_identity"
    # the trend: month of arrest (01..12) within each year of arrest
    MONTH = "month"
    YEAR = "year"


class GeoLevel(StrEnum):
    """Where the report counts (`--geo`)."""

    CITY = "city"
    BOROUGH = "borough"
    PRECINCT = "precinct"
    NTA = "nta"


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    label: str
    census_columns: tuple[str, ...] = ()  # P2 columns summed for the denominator; () = no rate
    acs_columns: tuple[str, ...] = ()  # the same group in the ACS NTA demographic profile


RACE_GROUPS: tuple[Group, ...] = (
    Group("black", "Black (non-Hispanic)", ("P2_006N",), ("BlNHE",)),
    Group("hispanic", "Hispanic or Latino", ("P2_002N",), ("Hsp1E",)),
    Group("white", "White (non-Hispanic)", ("P2_005N",), ("WtNHE",)),
    Group("asian_pacific_islander", "Asian and Pacific Islander (non-Hispanic)",
          ("P2_008N", "P2_009N"), ("AsnNHE", "NHPINHE")),
    Group("american_indian_alaska_native", "American Indian and Alaska Native (non-Hispanic)",
          ("P2_007N",), ("AIANNHE",)),
    Group("other", "Other (no census match)"),
    Group("unknown", "Unknown (not recorded)"),
)
TOTAL_COLUMN = "P2_001N"
ALL = "all"  # the group key of a geography's total row
ALL_LABEL = "All arrests"

# NYPD labels (both spellings) and the store's race codes (survivors_justice.demographics.RaceCode).
RACE_MAP: dict[str, str] = {
    "WHITE HISPANIC": "hispanic",
    "BLACK HISPANIC": "hispanic",
    "BLACK": "black",
    "WHITE": "white",
    "ASIAN/PAC.ISL": "asian_pacific_islander",
    "ASIAN / PACIFIC ISLANDER": "asian_pacific_islander",
    "AMER IND": "american_indian_alaska_native",
    "AMERICAN INDIAN/ALASKAN NATIVE": "american_indian_alaska_native",
    "OTHER": "other",
    "UNKNOWN": "unknown",
    "": "unknown",
    # store codes
    "WHITE_HISPANIC": "hispanic",
    "BLACK_HISPANIC": "hispanic",
    "ASIAN_PACIFIC_ISLANDER": "asian_pacific_islander",
    "AMERICAN_INDIAN_ALASKA_NATIVE": "american_indian_alaska_native",
}

RACE_CAVEATS: tuple[str, ...] = (
    "Race is the arresting officer's record, not the person's own answer; the census counts "
    "people's own answers. The two can differ for the same person.",
    "NYPD folds Hispanic origin into two labels (White Hispanic, Black Hispanic); both are "
    "counted as Hispanic or Latino and compared with the census count of Hispanic or Latino "
    "residents of any race.",
    "Census residents of some other race alone or of two or more races (not Hispanic) have no "
    "NYPD label, so they are in no group's denominator; NYPD 'Other' has no census group and gets "
    "no rate.",
    "Arrests marked Unknown are counted and shown, never assigned to a group.",
    "Denominators are residents (2020 census); people arrested in a precinct need not live there, "
    "so precinct rates in busy commercial or transit areas overstate residents' risk.",
    "Arrests are events, not people: one person arrested twice counts twice.",
)

SEX_GROUPS: tuple[Group, ...] = (Group("F", "Female"), Group("M", "Male"), Group("U", "Unknown"))
AGE_GROUPS: tuple[Group, ...] = (
    Group("<18", "Under 18"), Group("18-24", "18-24"), Group("25-44", "25-44"),
    Group("45-64", "45-64"), Group("65+", "65 and over"), Group("unknown", "Unknown"),
)
INCOME_GROUPS: tuple[Group, ...] = (
    Group("Q1", "Q1 (lowest-income neighbourhoods)"), Group("Q2", "Q2"), Group("Q3", "Q3"),
    Group("Q4", "Q4"), Group("Q5", "Q5 (highest-income neighbourhoods)"),
    Group("no_estimate", "Neighbourhood without an income estimate"),
    Group("not_placed", "Not placed in a neighbourhood"),
)
ROLE_GROUPS: tuple[Group, ...] = (
    Group("seller", "Selling sex"), Group("buyer", "Buying sex"),
    Group("promoter", "Promoting prostitution"), Group("trafficker", "Trafficking"),
    Group("premises", "Permitting prostitution (premises)"),
    Group("unknown_charge", "Prostitution-related charge not in the catalog"),
    Group("outside", "Not a prostitution or trafficking charge"),
)
OUTCOME_GROUPS: tuple[Group, ...] = (
    Group("decline", "Declined"), Group("prosecute", "Prosecuted"),
    Group("prosecute_priority", "Prosecuted as priority"), Group("panel_review", "Review panel"),
    Group("outside_policy", "Outside the policy (normal process)"),
    Group("not_screened", "Not screened"),
)
SOGI_NOT_RECORDED = "not_recorded"
SOGI_DECLINED = "declined_to_say"  # an answer of its own, never "not recorded"
MONTH_NAMES: tuple[str, ...] = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December")

GROUPS: dict[Dimension, tuple[Group, ...]] = {
    Dimension.RACE: RACE_GROUPS,
    Dimension.SEX: SEX_GROUPS,
    Dimension.AGE_GROUP: AGE_GROUPS,
    Dimension.INCOME_QUINTILE: INCOME_GROUPS,
    Dimension.ROLE: ROLE_GROUPS,
    Dimension.OUTCOME: OUTCOME_GROUPS,
    Dimension.OUTCOME_PROPOSAL: OUTCOME_GROUPS,
    Dimension.PERIOD: (Group("before", "Before the policy took effect"),
                       Group("after", "After the policy took effect")),
    Dimension.SEXUAL_ORIENTATION: (Group(SOGI_NOT_RECORDED, "Not recorded"),
                                   Group(SOGI_DECLINED, "Declined to say")),
    Dimension.GENDER_IDENTITY: (Group(SOGI_NOT_RECORDED, "Not recorded"),
                                Group(SOGI_DECLINED, "Declined to say")),
    Dimension.MONTH: tuple(Group(f"{i:02d}", name) for i, name in enumerate(MONTH_NAMES, 1)),
    Dimension.YEAR: (),  # the years present, in order
}

# The frame column each dimension reads.
COLUMN: dict[Dimension, str] = {
    Dimension.RACE: "race_group",
    Dimension.SEX: "sex",
    Dimension.AGE_GROUP: "age_group",
    Dimension.INCOME_QUINTILE: "income_quintile",
    Dimension.ROLE: "role",
    Dimension.OUTCOME: "outcome",
    Dimension.OUTCOME_PROPOSAL: "outcome_proposal",
    Dimension.PERIOD: "period",
    Dimension.SEXUAL_ORIENTATION: "sexual_orientation",
    Dimension.GENDER_IDENTITY: "gender_identity",
    Dimension.MONTH: "month",
    Dimension.YEAR: "year",
}

DEFAULT_REFERENCE: dict[Dimension, str] = {
    Dimension.RACE: "white",
    Dimension.INCOME_QUINTILE: "Q5",
}


def group_label(dimension: Dimension, key: str) -> str:
    """The reader-facing label of a group key (the key itself when the key is not listed)."""
    if key == ALL:
        return ALL_LABEL
    for group in GROUPS[dimension]:
        if group.key == key:
            return group.label
    return key
