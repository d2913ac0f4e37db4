"""Releases: prepared by an analyst, approved by another person (a supervisor), frozen, and
published at /transparency/ with a CSV per table that no reader can undo.

The attack reads only the published CSV files (what anyone can download) and solves for every
suppressed cell with linear programming using every bound a reader knows (see
tests/analytics/attacker.py); each hidden count's range must be at least as wide as the rule
the release states (the threshold).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.analytics.attacker import too_narrow
from tests.analytics.test_suppression_attack import _parents, joint_attack
from tests.factories import make_user, sign_in
from typer.testing import CliRunner

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cli import app
from survivors_justice.transparency.models import FrozenError, Release, ReleaseTable

REPO = Path(__file__).resolve().parents[2]
DEC_2017 = REPO / "data" / "nypd" / "arrests-2017-12.csv"
REFERENCE = REPO / "data" / "reference"
# what ``group`` and ``stratum`` mean in each published table (as the page says)
MEANING = {"race": ("race", None), "role": ("race", "role"), "outcome": ("race", "outcome"),
           "income": ("income_quintile", None), "borough": ("race", None),
           "sex": ("sex", None), "age": ("age_group", None), "precinct": ("race", None),
           "trend": ("month", "year")}


def _sj(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.output


def _read(text: str) -> list[dict[str, Any]]:
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        rows.append({**row, "count": int(row["count"]) if row["count"] else None,
                     "suppressed": row["suppressed"] == "true"})
    return rows


@pytest.mark.django_db
def test_a_published_release_cannot_be_undone_from_its_csv_files() -> None:
    analyst = make_user("analyst", email="ana@example.test")
    make_user("supervisor", email="sup@example.test")
    make_user("intake_ada", email="ada@example.test")
    code, out = _sj("releases", "prepare", str(DEC_2017), "--from", "2017-12", "--to", "2017-12",
                    "--by", analyst.email)
    assert code == 0, out
    slug = out.strip().splitlines()[-1]
    assert slug == "2017-12"
    anon = Client()
    # prepared is not public
    assert anon.get(f"/transparency/{slug}/").status_code == 404
    assert anon.get(f"/transparency/{slug}/race.csv").status_code == 404
    frozen = {t.name: t.csv for t in ReleaseTable.objects.filter(release__slug=slug)}
    # the preparer and a prosecutor may not approve it
    code, out = _sj("releases", "approve", slug, "--by", analyst.email)
    assert code == 2 and "may not" in out
    code, out = _sj("releases", "approve", slug, "--by", "ada@example.test")
    assert code == 2
    code, out = _sj("releases", "approve", slug, "--by", "sup@example.test")
    assert code == 0, out
    assert AuditRecord.objects.filter(action="release.approve", object_id=slug,
                                      outcome="success").count() == 1
    assert AuditRecord.objects.filter(action="release.approve", object_id=slug,
                                      outcome="refused").count() == 2
    # approval published the frozen figures as they were: nothing was recomputed
    release = Release.objects.get(slug=slug)
    assert {t.name: t.csv for t in release.tables.all()} == frozen
    assert release.digests["arrests"].startswith("sha256:")
    with pytest.raises(FrozenError):
        release.save()

    page = anon.get("/transparency/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "How small numbers are protected" in text
    assert "at least 11 apart" in text
    assert f"/transparency/{slug}/race.csv" in text
    tables = []
    for name in frozen:
        response = anon.get(f"/transparency/{slug}/{name}.csv")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = _read(response.content.decode())
        assert {"count", "suppressed"} <= set(rows[0])
        assert all((r["count"] is None) == r["suppressed"] for r in rows)
        tables.append((rows, *MEANING[name]))
    assert "trend" in frozen  # the trend is published and attacked with the rest
    hidden = sum(r["suppressed"] for rows, _, _ in tables for r in rows)
    assert hidden > 20
    ranges = joint_attack(tables, _parents(REFERENCE))
    narrow = too_narrow(ranges, release.threshold)
    assert not narrow, narrow


@pytest.mark.django_db
def test_the_release_pages_prepare_and_approve(tmp_path: Path) -> None:
    analyst = make_user("analyst")
    supervisor = make_user("supervisor")
    client = sign_in(Client(), analyst)
    with DEC_2017.open("rb") as handle:
        response = client.post("/releases/prepare/", {
            "month_from": "2017-12", "month_to": "2017-12", "threshold": "11",
            "measures": ["sex", "age"], "source": handle})
    assert response.status_code == 302
    release = Release.objects.get()
    assert sorted(release.measures) == ["age", "sex"]
    assert release.prepared_by == analyst
    # the analyst sees no approve button for their own release; the supervisor does
    assert "Approve and publish" not in client.get("/releases/").content.decode()
    boss = sign_in(Client(), supervisor)
    assert "Approve and publish" in boss.get("/releases/").content.decode()
    assert boss.post(f"/releases/{release.slug}/approve/").status_code == 302
    release.refresh_from_db()
    assert release.state == "published" and release.approved_by == supervisor
    rows = _read(Client().get(f"/transparency/{release.slug}/sex.csv").content.decode())
    # December 2017 by sex, counted by hand from the raw file (PERP_SEX of the 160 arrests
    # under PL 230.* and 240.37): M 116, F 44. A count is either the hand count or hidden.
    shown = {r["group"]: r["count"] for r in rows if r["geo_level"] == "city"}
    assert shown["M"] == 116
    assert shown["F"] in (44, None) and shown["all"] in (160, None)


@pytest.mark.django_db
def test_a_release_may_not_share_a_month_with_another() -> None:
    analyst = make_user("analyst", email="ana@example.test")
    code, out = _sj("releases", "prepare", str(DEC_2017), "--from", "2017-12", "--to", "2017-12",
                    "--by", analyst.email)
    assert code == 0, out
    history = REPO / "data" / "nypd" / "prostitution-arrests-2006-2016.csv"
    for month_from, month_to in (("2017-12", "2017-12"), ("2016-11", "2018-01"),
                                 ("2017-12", "2018-03")):
        code, out = _sj("releases", "prepare", str(history), "--from", month_from, "--to",
                        month_to, "--by", analyst.email)
        assert code == 2, out
        assert "overlaps release 2017-12" in out and "subtract" in out
    assert Release.objects.count() == 1
    code, out = _sj("releases", "prepare", str(history), "--from", "2016-11", "--to", "2016-12",
                    "--by", analyst.email)
    assert code == 0, out
    release = Release.objects.get(slug=out.strip().splitlines()[-1])
    trend = _read(release.tables.get(name="trend").csv)
    # the two months, counted straight from the raw file's ARREST_DATE (MM/DD/YYYY)
    with history.open(newline="") as handle:
        dates = [row["ARREST_DATE"] for row in csv.DictReader(handle)]
    nov = sum(d.startswith("11/") and d.endswith("/2016") for d in dates)
    dec = sum(d.startswith("12/") and d.endswith("/2016") for d in dates)
    shown = {(r["stratum"], r["group"]): r["count"] for r in trend}
    assert shown[("2016", "11")] == nov and shown[("2016", "12")] == dec
    assert shown[("2016", "all")] == nov + dec
