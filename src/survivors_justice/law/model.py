"""Plain types of the charge catalog: roles, families, entries, parsed codes, resolutions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Role(StrEnum):
    """Who a law targets."""

    SELLER = "seller"
    BUYER = "buyer"
    PROMOTER = "promoter"
    TRAFFICKER = "trafficker"
    PREMISES = "premises"  # permitting prostitution (230.40)


class Family(StrEnum):
    """The group of offenses an entry belongs to."""

    PROSTITUTION = "prostitution"  # article 230 except sex trafficking
    LOITERING = "loitering"  # PL 240.37
    SEX_TRAFFICKING = "sex_trafficking"  # 230.34, 230.34-a
    LABOR_TRAFFICKING = "labor_trafficking"  # 135.35, 135.37


class ChargeStatus(StrEnum):
    """How a charge relates to the catalog."""

    CATALOGED = "cataloged"  # a prostitution/trafficking charge found in the catalog
    UNKNOWN = "unknown"  # looks like article 230 / 240.37 / 135.35-37 but is not in the catalog
    OUTSIDE = "outside"  # any other charge (assault, drugs, ...)


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    """One offense (a section, or a subdivision of it) in one version of its text."""

    section: str  # "230.25"
    subdivision: str | None  # "2", "5(a)"; None = the section as a whole
    title: str
    offense_class: str  # "D felony", "B misdemeanor", "violation"
    role: Role
    family: Family
    minor: bool  # the offense as defined involves a minor
    coercion: bool  # force, intimidation, deception or other coercion is an element
    in_force_from: date | None  # first day in force; None = before any date we track
    in_force_to: date | None  # last day in force (inclusive); None = still in force
    source_url: str
    note: str = ""
    subdivisions: tuple[str, ...] = ()  # the subdivision labels of this version of the section

    def in_force_on(self, on: date) -> bool:
        """Whether this version of the text was law on ``on``."""
        if self.in_force_from is not None and on < self.in_force_from:
            return False
        return not (self.in_force_to is not None and on > self.in_force_to)

    @property
    def citation(self) -> str:
        """``PL 230.34(5)(a)``: the entry as a lawyer writes it."""
        if self.subdivision is None:
            return f"PL {self.section}"
        head, _, paragraph = self.subdivision.partition("(")
        return f"PL {self.section}({head})" + (f"({paragraph}" if paragraph else "")


@dataclass(frozen=True, slots=True)
class Provision:
    """A section of the covered articles that is not an offense (definitions, defenses).

    Such sections are catalogued so the catalog covers the whole article, but no one can be
    charged under them: a charge that names one is reported as UNKNOWN.
    """

    section: str
    title: str
    kind: str  # "definitions", "defense", "accomplice rule"
    in_force_from: date | None
    in_force_to: date | None
    source_url: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class LawCode:
    """A parsed NYPD ``LAW_CODE`` (or a written citation such as ``PL 230.25(2)``)."""

    raw: str
    chapter: str  # "PL"
    section: str  # "230.34"; for chapters other than PL, the uninterpreted code body
    subdivision: str | None  # "5(a)"
    qualifier: str | None = None  # NYPD letters that are not part of the citation ("M", "X", ...)
    nypd: bool = False  # written in the NYPD's LAW_CODE form (readings of NYPD records apply)


@dataclass(frozen=True, slots=True)
class ResolvedCharge:
    """What a recorded charge means, read against the catalog on a date."""

    law_code: str | None
    section: str | None
    subdivision: str | None
    status: ChargeStatus
    entry: CatalogEntry | None
    role: Role | None  # entry.role when cataloged, else None
    in_force: bool | None  # entry in force on the date (None if no date / no entry)
    note: str = ""  # why a record was read a particular way


class LawCodeError(ValueError):
    """A LAW_CODE value that is neither an NYPD law code nor a Penal Law citation."""

    def __init__(self, value: object, expected: str) -> None:
        self.value = value
        super().__init__(f"cannot read law code {value!r}: {expected}")


class CatalogError(ValueError):
    """The catalog data file is malformed; the message names the entry and the field."""


class FrameColumnError(ValueError):
    """A frame given to ``resolve_frame`` lacks a column it needs or already has an output one."""
