"""A decided case flagged for a recheck the way it happens: real December 2017 article-230
arrests are imported and screened, an intake prosecutor accepts the recommendation for a buyer
(PL 230.04), then a corrected catalog (built from the shipped one, never editing it) reads 230.04
as selling and ``sj import resolve`` re-reads the stored charges."""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from tests.arrests.helpers import DEC_2017, read_rows, write_rows

from survivors_justice.accounts.models import User
from survivors_justice.arrests.catalogs import catalog_from_text
from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.arrests.resolve import resolve_charges
from survivors_justice.cases import decisions
from survivors_justice.cases.models import Case, CaseRecheck
from survivors_justice.law import Catalog
from survivors_justice.screening.services import screen_cases

PATRONIZING = "230.04"


def corrected_catalog() -> Catalog:
    """The shipped catalog with 230.04 read as selling (role seller), read from its YAML text."""
    text = resources.files("survivors_justice.law").joinpath("catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    for entry in data["entries"]:
        if entry["section"] == PATRONIZING:
            entry["role"] = "seller"
    return catalog_from_text(yaml.safe_dump(data, sort_keys=False), "230.04 read as selling")


def flag_a_decided_case(
    tmp_path: Path, run_import: Callable[..., ImportSummary], decider: User
) -> tuple[Case, CaseRecheck]:
    """Import, screen, let ``decider`` accept a buyer case, resolve with the corrected catalog."""
    header, rows = read_rows(DEC_2017)
    law = header.index("LAW_CODE")
    run_import(
        write_rows(
            tmp_path / "article-230.csv", header, [r for r in rows if r[law].startswith("PL 230")]
        )
    )
    screen_cases(actor="test:screener")
    case = Case.objects.filter(arrest__charges__section=PATRONIZING).order_by("pk").first()
    assert case is not None
    decisions.accept_recommendation(actor=decider, case_id=case.pk)
    resolve_charges(
        actor="test:resolver", source="test", catalog=corrected_catalog(),
        catalog_source="230.04 read as selling",
    )
    case.refresh_from_db()
    return case, CaseRecheck.objects.get(case=case)
