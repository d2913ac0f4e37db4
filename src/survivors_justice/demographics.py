"""One code list for the race, sex and age-group labels NYPD records, old and new spellings.

NYPD's arrest extracts spell some race labels two ways: the older set (``ASIAN/PAC.ISL``,
``AMER IND``) and the newer set (``ASIAN / PACIFIC ISLANDER``,
``AMERICAN INDIAN/ALASKAN NATIVE``, plus ``OTHER``). The store keeps the label exactly as recorded
and beside it the code below. Mapping codes to census groups for rates is the analytics package's
concern (it documents its own caveats).
"""

from __future__ import annotations

from enum import StrEnum


class RaceCode(StrEnum):
    BLACK = "black"
    BLACK_HISPANIC = "black_hispanic"
    WHITE = "white"
    WHITE_HISPANIC = "white_hispanic"
    ASIAN_PACIFIC_ISLANDER = "asian_pacific_islander"
    AMERICAN_INDIAN_ALASKA_NATIVE = "american_indian_alaska_native"
    OTHER = "other"
    UNKNOWN = "unknown"


RACE_LABELS: dict[str, RaceCode] = {
    "BLACK": RaceCode.BLACK,
    "BLACK HISPANIC": RaceCode.BLACK_HISPANIC,
    "WHITE": RaceCode.WHITE,
    "WHITE HISPANIC": RaceCode.WHITE_HISPANIC,
    "ASIAN/PAC.ISL": RaceCode.ASIAN_PACIFIC_ISLANDER,
    "ASIAN / PACIFIC ISLANDER": RaceCode.ASIAN_PACIFIC_ISLANDER,
    "AMER IND": RaceCode.AMERICAN_INDIAN_ALASKA_NATIVE,
    "AMERICAN INDIAN/ALASKAN NATIVE": RaceCode.AMERICAN_INDIAN_ALASKA_NATIVE,
    "OTHER": RaceCode.OTHER,
    "UNKNOWN": RaceCode.UNKNOWN,
    "": RaceCode.UNKNOWN,
}


class SexCode(StrEnum):
    FEMALE = "F"
    MALE = "M"
    UNKNOWN = "U"


SEX_LABELS: dict[str, SexCode] = {
    "F": SexCode.FEMALE,
    "M": SexCode.MALE,
    "U": SexCode.UNKNOWN,
    "": SexCode.UNKNOWN,
}

AGE_GROUPS: tuple[str, ...] = ("<18", "18-24", "25-44", "45-64", "65+")


class UnknownLabelError(ValueError):
    """A demographic label that is not in the documented code list."""


def race_code(label: str) -> RaceCode:
    """The code for an NYPD race label; raises :class:`UnknownLabelError` for a label not listed."""
    try:
        return RACE_LABELS[label.strip().upper()]
    except KeyError:
        raise UnknownLabelError(
            f"race label {label!r} is not in the NYPD code list; add it to "
            "survivors_justice/demographics.py RACE_LABELS with its code"
        ) from None


def sex_code(label: str) -> SexCode:
    try:
        return SEX_LABELS[label.strip().upper()]
    except KeyError:
        raise UnknownLabelError(f"sex label {label!r} is not F, M or U") from None
