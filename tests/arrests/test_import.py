"""Importing real NYPD files: counts, idempotence, updates, quarantine, refusal, audit."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.arrests.helpers import DEC_2017, HISTORIC, read_rows, write_rows

from survivors_justice.arrests.importer import (
    ArrestFileEncodingError,
    ArrestFileNotFoundError,
    ImportSummary,
    _Writer,
)
from survivors_justice.arrests.models import Arrest, Charge
from survivors_justice.arrests.schema import NotArrestsFileError
from survivors_justice.arrests.stats import store_counts
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify
from survivors_justice.cases.models import Case, Person
from survivors_justice.law import ChargeStatus, load_catalog

pytestmark = pytest.mark.django_db
Run = Callable[..., ImportSummary]


def _roles_in_store() -> Counter[str]:
    return Counter(Charge.objects.filter(status="cataloged").values_list("role", flat=True))


def test_december_2017_file(run_import: Run) -> None:
    header, rows = read_rows(DEC_2017)
    summary = run_import(DEC_2017)
    assert summary.rows_read == len(rows) == 19_452
    assert (summary.new, summary.updated, summary.unchanged, summary.rejected) == (19_452, 0, 0, 0)
    # 160 prostitution-related arrests (Penal Law article 230 or 240.37), as the source notes say.
    assert summary.prostitution_related == 160
    assert Arrest.objects.count() == Charge.objects.count() == 19_452
    assert _roles_in_store() == summary.by_role
    assert Case.objects.count() == summary.cases_opened == 160
    # Every case comes from an arrest whose one charge is cataloged; every other arrest has none.
    assert not Case.objects.exclude(arrest__charges__status="cataloged").exists()
    assert not Charge.objects.filter(status="cataloged", arrest__case__isnull=True).exists()
    # Every row with an article-230 or 240.37 law code is cataloged (none lost as "other").
    codes = [r[header.index("LAW_CODE")] for r in rows]
    related = [c for c in codes if c.startswith(("PL 230", "PL 24037"))]
    assert len(related) == summary.prostitution_related
    # Values are kept as recorded, with the codes beside them.
    first = dict(zip(header, rows[0], strict=True))
    arrest = Arrest.objects.get(arrest_key=first["ARREST_KEY"])
    assert arrest.law_code == first["LAW_CODE"]
    assert arrest.precinct == int(first["ARREST_PRECINCT"])
    assert arrest.race_recorded == first["PERP_RACE"]
    assert arrest.latitude == float(first["Latitude"])
    assert arrest.source_file == DEC_2017.name


def test_historic_prostitution_file(run_import: Run) -> None:
    _, rows = read_rows(HISTORIC)
    summary = run_import(HISTORIC)
    assert summary.rows_read == len(rows) == 41_701
    assert summary.new == 41_701 and summary.rejected == 0
    assert summary.ignored_columns == ("Lon_Lat",)
    # Every row's offense is PROSTITUTION & RELATED OFFENSES: none may be read as "outside".
    assert not Charge.objects.filter(status=ChargeStatus.OUTSIDE).exists()
    assert summary.prostitution_related + summary.unknown_charges == 41_701
    assert Case.objects.count() == Person.objects.count() == 41_701
    assert set(Arrest.objects.values_list("race", flat=True).distinct()) >= {
        "asian_pacific_islander", "american_indian_alaska_native", "other"
    }


def test_same_file_twice_adds_nothing(run_import: Run) -> None:
    first = run_import(DEC_2017)
    before = store_counts()
    second = run_import(DEC_2017)
    assert (second.new, second.updated, second.unchanged) == (0, 0, first.new)
    assert second.nothing_new and second.cases_opened == 0
    after = store_counts()
    # A run's records: started, one per committed chunk (19,452 rows in chunks of 5,000: 4), end.
    assert after == {**before, "audit_records": before["audit_records"] + 1 + 4 + 1}
    run = [("arrests.import.started", "success"), *[("arrests.import.chunk", "success")] * 4,
           ("arrests.import", "success")]
    assert list(AuditRecord.objects.values_list("action", "outcome")) == run + run
    assert verify().ok


def test_changed_rows_are_updated_and_recharged(tmp_path: Path, run_import: Run) -> None:
    header, rows = read_rows(DEC_2017, 300)
    original = write_rows(tmp_path / "first.csv", header, rows)
    run_import(original)
    law, desc = header.index("LAW_CODE"), header.index("PD_DESC")
    outside = next(i for i, r in enumerate(rows) if i and not r[law].startswith("PL 230"))
    changed = [list(r) for r in rows]
    changed[outside][law] = "PL 2300000"  # now a prostitution charge: a case must open
    changed[0][desc] = changed[0][desc] + " (corrected)"
    summary = run_import(write_rows(tmp_path / "second.csv", header, changed))
    assert (summary.new, summary.updated, summary.unchanged) == (0, 2, 298)
    assert summary.cases_opened == 1
    key = rows[outside][header.index("ARREST_KEY")]
    charge = Charge.objects.get(arrest__arrest_key=key)
    assert (charge.status, charge.role, charge.section) == ("cataloged", "seller", "230.00")
    assert Case.objects.filter(arrest__arrest_key=key).exists()
    assert Arrest.objects.get(arrest_key=rows[0][0]).pd_desc.endswith("(corrected)")
    assert Charge.objects.count() == 300


def test_reordered_columns_and_ytd_column_match_the_original(
    tmp_path: Path, run_import: Run
) -> None:
    header, rows = read_rows(DEC_2017, 200)
    ytd = write_rows(
        tmp_path / "ytd.csv",
        [*reversed(header), "New Georeferenced Column"],
        [[*reversed(r), "POINT (-73.9 40.7)"] for r in rows],
    )
    assert run_import(ytd).new == 200
    again = run_import(write_rows(tmp_path / "plain.csv", header, rows))
    assert (again.new, again.updated, again.unchanged) == (0, 0, 200)


def test_bad_rows_are_quarantined_and_the_rest_imported(tmp_path: Path, run_import: Run) -> None:
    header, rows = read_rows(DEC_2017, 500)
    col = header.index
    bad = [list(r) for r in rows]
    bad[10] = bad[10][:7]                                  # truncated row
    bad[20][col("ARREST_DATE")] = "02/30/2017"             # impossible date
    bad[30][col("ARREST_KEY")] = bad[5][col("ARREST_KEY")]  # duplicate key
    bad[40][col("ARREST_PRECINCT")] = "4X"                 # non-numeric precinct
    bad[50][col("ARREST_BORO")] = "Z"                      # unknown borough
    bad[60][col("Latitude")] = "40.71.3"                   # coordinate that does not parse
    bad[70][col("ARREST_KEY")] = ""                        # missing key
    rejects = tmp_path / "rejects.csv"
    summary = run_import(write_rows(tmp_path / "corrupt.csv", header, bad), rejects_path=rejects)
    assert summary.rows_read == 500
    assert summary.rejected == 7 and summary.new == 493
    assert Arrest.objects.count() == 493
    assert summary.rejects_file == str(rejects)
    with rejects.open(newline="") as fh:
        quarantined = list(csv.DictReader(fh))
    by_row = {int(q["row"]): q for q in quarantined}
    # Row numbers as a spreadsheet shows them: the header is row 1, data row i is row i + 2.
    assert set(by_row) == {12, 22, 32, 42, 52, 62, 72}
    assert by_row[12]["column"] == header[7] and "truncated" in by_row[12]["reason"]
    assert (by_row[22]["column"], by_row[22]["value"]) == ("ARREST_DATE", "02/30/2017")
    assert by_row[32]["column"] == "ARREST_KEY" and "duplicate" in by_row[32]["reason"]
    assert by_row[42]["column"] == "ARREST_PRECINCT" and by_row[42]["value"] == "4X"
    assert by_row[52]["column"] == "ARREST_BORO"
    assert by_row[62]["column"] == "LATITUDE"
    assert "missing ARREST_KEY" in by_row[72]["reason"]
    # The first holder of the duplicated key is kept.
    assert Arrest.objects.filter(arrest_key=rows[5][0]).count() == 1
    record = AuditRecord.objects.get(action="arrests.import")
    assert record.outcome == "success" and record.details["rejected"] == 7


def test_a_file_that_is_not_this_schema_writes_nothing(tmp_path: Path, run_import: Run) -> None:
    census = write_rows(tmp_path / "precincts.csv", ["precinct", "ARREST_KEY", "P2_001N"],
                        [["100", "1", "12345"]])
    rejects = tmp_path / "never.csv"
    with pytest.raises(NotArrestsFileError) as info:
        run_import(census, rejects_path=rejects)
    assert "ARREST_DATE" in info.value.missing and "ARREST_KEY" not in info.value.missing
    assert "LAW_CODE" in str(info.value)
    assert (Arrest.objects.count(), Charge.objects.count(), Case.objects.count(),
            Person.objects.count()) == (0, 0, 0, 0)
    assert not rejects.exists()
    # The refusal itself is audited (an attempt, outcome refused), never as a success.
    record = AuditRecord.objects.get()
    assert (record.action, record.outcome) == ("arrests.import", "refused")
    assert "ARREST_DATE" in record.details["missing_columns"]


def test_a_file_that_is_not_utf8_is_refused_before_writing(
    tmp_path: Path, run_import: Run
) -> None:
    header, rows = read_rows(DEC_2017, 50)
    path = write_rows(tmp_path / "latin1.csv", header, rows)
    path.write_bytes(path.read_bytes() + b"999999999,12/01/2017,,CAF\xc9,,,PL 2300000\n")
    with pytest.raises(ArrestFileEncodingError, match="not UTF-8"):
        run_import(path)
    assert Arrest.objects.count() == 0
    assert list(AuditRecord.objects.values_list("outcome", flat=True)) == ["refused"]


def test_missing_file(tmp_path: Path, run_import: Run) -> None:
    with pytest.raises(ArrestFileNotFoundError, match=r"nope\.csv"):
        run_import(tmp_path / "nope.csv")


def test_unknown_code_and_prefix_trap(tmp_path: Path, run_import: Run) -> None:
    header, rows = read_rows(DEC_2017, 3)
    law = header.index("LAW_CODE")
    rows[0][law] = "PL 2309900"   # looks like article 230 but no such section: unknown, a case
    rows[1][law] = "PL 2403002"   # aggravated harassment (240.30), never 240.37
    rows[2][law] = "PL 24037M2"   # loitering for prostitution, as the NYPD wrote it
    summary = run_import(write_rows(tmp_path / "codes.csv", header, rows))
    assert summary.unknown_charges == 1
    unknown = Charge.objects.get(arrest__arrest_key=rows[0][0])
    assert (unknown.status, unknown.section) == ("unknown", "230.99")
    harassment = Charge.objects.get(arrest__arrest_key=rows[1][0])
    assert (harassment.status, harassment.section, harassment.role) == ("outside", "240.30", "")
    loitering = Charge.objects.get(arrest__arrest_key=rows[2][0])
    assert (loitering.status, loitering.role) == ("cataloged", "seller")
    assert loitering.family == "loitering"
    opened = set(Case.objects.values_list("arrest__arrest_key", flat=True))
    assert opened == {rows[0][0], rows[2][0]}
    assert store_counts()["unknown_charges"] == 1


def test_charges_agree_with_the_catalog(run_import: Run) -> None:
    run_import(DEC_2017)
    catalog = load_catalog()
    for charge in Charge.objects.exclude(status="outside").select_related("arrest"):
        a = charge.arrest
        r = catalog.resolve(law_code=a.law_code, pd_cd=a.pd_cd or None, on=a.arrest_date)
        assert (charge.status, charge.role, charge.section) == (
            r.status.value, r.role.value if r.role else "", r.section or ""
        )
        assert charge.in_force == r.in_force


def test_a_failure_mid_import_is_audited(
    tmp_path: Path, run_import: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    header, rows = read_rows(DEC_2017, 250)
    real_flush = _Writer.flush
    calls = {"n": 0}

    def flaky(self: _Writer, chunk: list, **kwargs: Any) -> None:  # type: ignore[type-arg]
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real_flush(self, chunk, **kwargs)

    monkeypatch.setattr(_Writer, "flush", flaky)
    with pytest.raises(OSError, match="disk full"):
        run_import(write_rows(tmp_path / "f.csv", header, rows), chunk_size=100)
    assert Arrest.objects.count() == 200  # two chunks were committed before the failure
    record = AuditRecord.objects.get(action="arrests.import")
    assert record.outcome == "failed" and record.details["new"] == 200
    assert record.details["error"] == "OSError"
    # Rows 1-200 (two chunks of 100) were read before the failure, and the two chunks are audited.
    assert record.details["rows_read"] == 200 and record.details["chunks"] == 2
    assert AuditRecord.objects.filter(action="arrests.import.chunk").count() == 2
    assert verify().ok


def test_reading_in_a_second_process_gives_the_same_store(tmp_path: Path, run_import: Run) -> None:
    header, rows = read_rows(DEC_2017, 12_000)
    rows[7][header.index("ARREST_BORO")] = "X"
    rows[9000] = rows[9000][:5]
    path = write_rows(tmp_path / "big.csv", header, rows)
    summary = run_import(path, parallel=True, chunk_size=1000)
    assert (summary.rows_read, summary.new, summary.rejected) == (12_000, 11_998, 2)
    stored = dict(Arrest.objects.values_list("arrest_key", "content_hash"))
    charges = sorted(Charge.objects.values_list("arrest__arrest_key", "status", "role"))
    cases = Case.objects.count()
    Case.objects.all().delete()
    Person.objects.all().delete()
    Arrest.objects.all().delete()
    serial = run_import(path, parallel=False, chunk_size=1000)
    same = {"seconds": 0, "rejects_file": None, "run": 0}
    assert serial.as_dict() | same == summary.as_dict() | same
    assert dict(Arrest.objects.values_list("arrest_key", "content_hash")) == stored
    assert sorted(Charge.objects.values_list("arrest__arrest_key", "status", "role")) == charges
    assert Case.objects.count() == cases == summary.cases_opened
    again = run_import(path, parallel=True, chunk_size=1000)
    assert (again.new, again.updated, again.unchanged) == (0, 0, 11_998)


def test_a_field_past_the_csv_limit_quarantines_its_row(tmp_path: Path, run_import: Run) -> None:
    header, rows = read_rows(DEC_2017, 30)
    desc = header.index("PD_DESC")
    rows[4][desc] = "x" * 200_000  # past Python's csv limit of 131,072 characters
    rows[9][desc] = "y" * 131_073  # one past the project's limit
    rejects = tmp_path / "rejects.csv"
    summary = run_import(write_rows(tmp_path / "long.csv", header, rows), rejects_path=rejects)
    assert (summary.rows_read, summary.new, summary.rejected) == (30, 28, 2)
    with rejects.open(newline="", encoding="utf-8") as fh:
        by_row = {int(r["row"]): r for r in csv.DictReader(fh)}
    # Spreadsheet row numbers: the header is row 1, rows[4] is row 6.
    assert set(by_row) == {6, 11}
    assert by_row[6]["reason"] == "a field longer than 131,072 characters"
    assert by_row[11]["column"] == "PD_DESC"
    assert by_row[11]["reason"] == "field of 131,073 characters; at most 131,072"
    assert by_row[11]["arrest_key"] == rows[9][header.index("ARREST_KEY")]
    stored = set(Arrest.objects.values_list("arrest_key", flat=True))
    expected = {r[header.index("ARREST_KEY")] for i, r in enumerate(rows) if i not in (4, 9)}
    assert stored == expected


def test_an_import_leaves_postgresql_planning_for_the_rows_it_stored(run_import: Run) -> None:
    """Until autovacuum runs, PostgreSQL plans a table that was empty (or truncated) as one row;
    after an import the planner must know the rows are there, or the status counts that follow
    become nested loops over every arrest and charge."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's")
    run_import(DEC_2017)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, reltuples FROM pg_class WHERE relname IN "
            "('arrests_arrest', 'arrests_charge', 'cases_case')"
        )
        planned = dict(cur.fetchall())
    with DEC_2017.open(newline="", encoding="utf-8") as f:
        rows = sum(1 for _ in csv.DictReader(f))
    assert planned["arrests_arrest"] == Arrest.objects.count() == rows
    assert planned["arrests_charge"] == Charge.objects.count()
    assert planned["cases_case"] == Case.objects.count() > 0
