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
from survivors_justice.law.speedy_trial import (
    ReadinessDeadline,
    SpeedyTrialError,
    readiness_deadline,
    top_class,
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
    "ReadinessDeadline",
    "Reading",
    "ResolvedCharge",
    "Role",
    "SpeedyTrialError",
    "load_catalog",
    "parse_law_code",
    "readiness_deadline",
    "top_class",
]
