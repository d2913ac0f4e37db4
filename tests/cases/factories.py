"""Cases built from real rows of the bundled NYPD December 2017 file.

``make_case(law_code)`` takes the first real arrest in ``data/nypd/arrests-2017-12.csv`` with that
law code (or the ``index``-th), stores it as the importer would (arrest, its charge, a defendant
and a case in intake) and returns the case. The defendant's name is made up: the NYPD file has
none, and tests look for it in pages that must not show it.
"""

from __future__ import annotations

import csv
import functools
import itertools
from datetime import UTC, datetime
from pathlib import Path

from survivors_justice.arrests.models import Arrest, Charge
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, Person
from survivors_justice.law.codes import parse_law_code

DECEMBER_2017 = Path(__file__).resolve().parents[2] / "data" / "nypd" / "arrests-2017-12.csv"
SELLING = "PL 2300000"  # prostitution: a person who sold sex
BUYING = "PL 2300400"  # patronizing a person for prostitution, 3rd/4th degree
_serial = itertools.count(1)


@functools.lru_cache(maxsize=1)
def december_rows() -> tuple[dict[str, str], ...]:
    with DECEMBER_2017.open(newline="", encoding="utf-8") as f:
        return tuple(csv.DictReader(f))


def real_row(law_code: str, index: int = 0) -> dict[str, str]:
    rows = [r for r in december_rows() if r["LAW_CODE"] == law_code]
    if not rows:
        raise LookupError(f"no arrest with LAW_CODE {law_code!r} in {DECEMBER_2017.name}")
    return rows[index % len(rows)]


def _date(text: str) -> datetime:
    month, day, year = (int(p) for p in text.split("/"))
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def make_case(
    law_code: str = SELLING,
    *,
    index: int = 0,
    state: str = CaseState.INTAKE,
    given_name: str | None = None,
    family_name: str | None = None,
) -> Case:
    """A case in intake opened from a real arrest with ``law_code``."""
    row = real_row(law_code, index)
    n = next(_serial)
    opened = _date(row["ARREST_DATE"])
    arrest = Arrest.objects.create(
        arrest_key=f"{row['ARREST_KEY']}-{n}",
        arrest_date=opened.date(),
        pd_cd=row["PD_CD"],
        pd_desc=row["PD_DESC"],
        ky_cd=row["KY_CD"],
        ofns_desc=row["OFNS_DESC"],
        law_code=row["LAW_CODE"],
        law_cat_cd=row["LAW_CAT_CD"],
        borough=row["ARREST_BORO"],
        precinct=int(row["ARREST_PRECINCT"]),
        age_group=row["AGE_GROUP"],
        sex_recorded=row["PERP_SEX"],
        race_recorded=row["PERP_RACE"],
        race="unknown",
        content_hash=f"{n:032d}",
        source_file=DECEMBER_2017.name,
        imported_at=opened,
    )
    parsed = parse_law_code(row["LAW_CODE"])
    Charge.objects.create(
        arrest=arrest,
        position=1,
        law_code=row["LAW_CODE"],
        section=getattr(parsed, "section", None) or "",
        subdivision=getattr(parsed, "subdivision", None) or "",
        status="cataloged",
    )
    person = Person.objects.create(
        given_name=given_name or f"Ysolde{n}",
        family_name=family_name or f"Quennell{n}",
        date_of_birth="1990-01-01",
    )
    return Case.objects.create(
        number=f"Q-2017-{n:06d}", arrest=arrest, defendant=person, state=state, opened_at=opened
    )
