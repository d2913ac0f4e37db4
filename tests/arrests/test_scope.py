"""The office's scope: cases open only for its county's arrests from the intake start date;
every other arrest stays in the store, and the status counts say how many of each."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date

import pytest
from django.test import Client
from tests.arrests.helpers import DEC_2017
from typer.testing import CliRunner

from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.arrests.models import Arrest
from survivors_justice.arrests.scope import OfficeScope
from survivors_justice.arrests.stats import store_counts
from survivors_justice.cases.models import Case
from survivors_justice.cli import app
from survivors_justice.config import Config

RELATED = ("PL 230", "PL 24037", "PL 13535", "PL 13536", "PL 13537")


def _hand_count() -> dict[str, int]:
    """From the raw file: prostitution-related arrests by where and when."""
    out = {"related": 0, "queens_from_15th": 0, "queens_before_15th": 0, "other": 0}
    with DEC_2017.open(newline="") as handle:
        for row in csv.DictReader(handle):
            if not row["LAW_CODE"].startswith(RELATED):
                continue
            out["related"] += 1
            day = int(row["ARREST_DATE"].split("/")[1])  # MM/DD/2017
            if row["ARREST_BORO"] != "Q":
                out["other"] += 1
            elif day >= 15:
                out["queens_from_15th"] += 1
            else:
                out["queens_before_15th"] += 1
    return out


@pytest.mark.django_db
def test_only_queens_from_the_start_date_open_cases(
    settings: object, run_import: Callable[..., ImportSummary]
) -> None:
    settings.SJ_OFFICE_COUNTY = "Q"  # type: ignore[attr-defined]
    settings.SJ_INTAKE_START = date(2017, 12, 15)  # type: ignore[attr-defined]
    hand = _hand_count()
    assert hand["related"] == 160 and hand["other"] == 111  # 49 in Queens
    summary = run_import(DEC_2017)
    assert Arrest.objects.count() == 19_452  # every arrest is kept
    assert summary.prostitution_related == 160
    assert Case.objects.count() == summary.cases_opened == hand["queens_from_15th"]
    assert set(Case.objects.values_list("arrest__borough", flat=True)) == {"Q"}
    assert min(Case.objects.values_list("arrest__arrest_date", flat=True)) >= date(2017, 12, 15)
    counts = store_counts()
    assert counts["office"] == {
        "county": "Q",
        "intake_start": "2017-12-15",
        "scope": "arrests in Queens from 2017-12-15 on",
    }
    assert (
        counts["related_arrests"],
        counts["related_arrests_in_scope"],
        counts["related_arrests_other_counties"],
        counts["related_arrests_before_start"],
    ) == (160, hand["queens_from_15th"], 111, hand["queens_before_15th"])

    html = Client().get("/").content.decode()
    assert f'data-count="related_arrests_in_scope">{hand["queens_from_15th"]}<' in html
    assert 'data-count="related_arrests_other_counties">111<' in html
    assert "in the office's scope (arrests in Queens from 2017-12-15 on): cases open" in html

    table = CliRunner().invoke(app, ["status"])
    assert table.exit_code == 0, table.output
    text = " ".join(table.output.replace("│", " ").split())
    assert "in other counties (no case) 111" in text
    assert f"before the intake start date (no case) {hand['queens_before_15th']}" in text


@pytest.mark.django_db
def test_every_county_and_date_when_the_scope_says_all(
    settings: object, run_import: Callable[..., ImportSummary]
) -> None:
    settings.SJ_OFFICE_COUNTY = "all"  # type: ignore[attr-defined]
    settings.SJ_INTAKE_START = None  # type: ignore[attr-defined]
    run_import(DEC_2017)
    assert Case.objects.count() == 160
    assert store_counts()["related_arrests_other_counties"] == 0


def test_the_scope_by_hand() -> None:
    scope = OfficeScope("Q", date(2017, 12, 1))
    assert scope.covers("Q", date(2017, 12, 1))
    assert not scope.covers("Q", date(2017, 11, 30))
    assert not scope.covers("K", date(2017, 12, 5))
    assert OfficeScope("all", None).covers("S", date(2006, 1, 1))
    assert OfficeScope("K", None).describe() == "arrests in Brooklyn, of any date"


def test_settings_default_to_queens_and_refuse_other_letters() -> None:
    assert Config(office_county="Q").office_county == "Q"
    assert Config(office_county=" q ").office_county == "Q"
    assert Config(office_county="ALL").office_county == "all"
    assert Config.model_fields["office_county"].default == "Q"
    assert Config.model_fields["intake_start"].default is None
    with pytest.raises(ValueError, match="SJ_OFFICE_COUNTY='X' is not a county letter"):
        Config(office_county="X")
    assert Config(intake_start="2017-12-01").intake_start == date(2017, 12, 1)  # type: ignore[arg-type]
