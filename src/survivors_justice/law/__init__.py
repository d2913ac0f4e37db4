"""The charge catalog: New York Penal Law prostitution and trafficking offenses as data.

Framework-free (no Django). See ``law/catalog.yaml`` for the data and its sources.
"""

from survivors_justice.law.catalog import Catalog, PdCode, Reading, load_catalog
from survivors_justice.law.codes import parse_law_code
from survivors_justice.law.model import (
    CatalogEntry,
    CatalogError,
    ChargeStatus,
    Family,
    FrameColumnError,
    LawCode,
    LawCodeError,
    Provision,
    ResolvedCharge,
    Role,
)

__all__ = [
    "Catalog",
    "CatalogEntry",
    "CatalogError",
    "ChargeStatus",
    "Family",
    "FrameColumnError",
    "LawCode",
    "LawCodeError",
    "PdCode",
    "Provision",
    "Reading",
    "ResolvedCharge",
    "Role",
    "load_catalog",
    "parse_law_code",
]
