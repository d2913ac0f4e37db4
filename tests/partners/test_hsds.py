"""HSDS 3.0: import, export, round trip without loss, schema validation, search, quarantine.

The export is validated against the published HSDS 3.0 JSON Schemas of each table (vendored
unchanged in ``partners/hsds_standard``) with ``jsonschema`` directly, typing each cell by the
standard's ``datapackage.json`` here in the test, not with the code under test.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker

from survivors_justice.partners.hsds import STANDARD_DIR, export_hsds, import_hsds
from survivors_justice.partners.models import ForeignRow, Organisation, Service
from survivors_justice.partners.search import search_services

pytestmark = pytest.mark.django_db
FIXTURE = Path(__file__).parent / "data" / "hsds"
S1 = "3c6f3c1e-5d0a-4f7e-9b3c-1a2b3c4d5e01"  # counselling (es, en; Queens)
S2 = "3c6f3c1e-5d0a-4f7e-9b3c-1a2b3c4d5e02"  # shelter (en; Brooklyn)
S3 = "3c6f3c1e-5d0a-4f7e-9b3c-1a2b3c4d5e03"  # visa legal help (zh; Queens)


def _csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(newline="", encoding="utf-8") as fh:
        reader = csv.DictReader(fh)
        return list(reader.fieldnames or []), list(reader)


def _package() -> dict:  # type: ignore[type-arg]
    return json.loads((STANDARD_DIR / "datapackage.json").read_text())


def _validate_against_hsds(directory: Path) -> list[str]:
    """Every CSV of ``directory`` against the HSDS datapackage columns and table JSON Schema."""
    problems = []
    for res in _package()["resources"]:
        header, rows = _csv(directory / res["path"])
        fields = res["schema"]["fields"]
        if header != [f["name"] for f in fields]:
            problems.append(f"{res['path']}: columns {header}")
        schema = json.loads((STANDARD_DIR / "schema" / f"{res['name']}.json").read_text())
        check = Draft202012Validator(schema, format_checker=FormatChecker())
        kinds = {f["name"]: f.get("type") for f in fields}
        for i, row in enumerate(rows, start=2):
            doc = {k: (float(v) if kinds[k] in ("number", "integer") else v)
                   for k, v in row.items() if v != ""}
            problems += [f"{res['path']}:{i}: {e.message}" for e in check.iter_errors(doc)]
    return problems


def _import_fixture_with_needs() -> None:
    import_hsds(FIXTURE, actor="test")
    Service.objects.filter(hsds_id=S1).update(needs=["mental_health", "safety"], capacity=4)
    Service.objects.filter(hsds_id=S2).update(needs=["housing", "safety"], capacity=0)
    Service.objects.filter(hsds_id=S3).update(needs=["immigration", "legal"])


def test_the_fixture_itself_is_valid_hsds() -> None:
    assert _validate_against_hsds(FIXTURE) == []


def test_export_validates_against_the_hsds_schema(tmp_path: Path) -> None:
    _import_fixture_with_needs()
    export_hsds(tmp_path)
    assert json.loads((tmp_path / "datapackage.json").read_text()) == _package()
    assert _validate_against_hsds(tmp_path) == []


def test_every_imported_cell_comes_back_out(tmp_path: Path) -> None:
    import_hsds(FIXTURE, actor="test")
    export_hsds(tmp_path)
    for res in _package()["resources"]:
        _, given = _csv(FIXTURE / res["path"])
        _, exported = _csv(tmp_path / res["path"])
        by_id = {r["id"]: r for r in exported}
        for row in given:
            out = by_id.get(row["id"])
            assert out is not None, f"{res['path']} lost row {row['id']}"
            for col, value in row.items():
                if col in ("latitude", "longitude") and value:  # numbers: the same number
                    assert float(out[col]) == float(value)
                else:
                    assert out[col] == value, f"{res['path']} {row['id']} {col}"
    # a table the directory does not use (phones) is kept verbatim
    assert ForeignRow.objects.filter(resource="phone").count() == 1


def test_round_trip_is_byte_for_byte(tmp_path: Path) -> None:
    _import_fixture_with_needs()
    first, second = tmp_path / "a", tmp_path / "b"
    export_hsds(first)
    _, attributes = _csv(first / "attributes.csv")
    # by hand: 2 + 2 + 2 needs, and two capacities (S3 has none)
    assert len(attributes) == 8
    Organisation.objects.all().delete()
    ForeignRow.objects.all().delete()
    summary = import_hsds(first, actor="test")
    assert summary.rejects == []
    assert sorted(Service.objects.get(hsds_id=S1).needs) == ["mental_health", "safety"]
    assert Service.objects.get(hsds_id=S2).capacity == 0
    assert Service.objects.get(hsds_id=S3).capacity is None
    export_hsds(second)
    for res in _package()["resources"]:
        assert (first / res["path"]).read_bytes() == (second / res["path"]).read_bytes(), res[
            "path"]


def test_import_is_idempotent() -> None:
    import_hsds(FIXTURE, actor="test")
    import_hsds(FIXTURE, actor="test")
    assert Organisation.objects.count() == 2
    assert Service.objects.count() == 3


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"need": "safety"}, {S1, S2}),
        ({"need": "safety", "language": "es"}, {S1}),
        ({"language": "Chinese"}, {S3}),
        ({"borough": "Brooklyn"}, {S2}),
        ({"borough": "Queens"}, {S1, S3}),
        ({"need": "legal", "borough": "Brooklyn"}, set()),
    ],
)
def test_search_by_need_language_and_borough(query: dict[str, str], expected: set[str]) -> None:
    _import_fixture_with_needs()
    assert {s.hsds_id for s in search_services(**query)} == expected


def test_bad_rows_are_quarantined_with_row_and_reason(tmp_path: Path) -> None:
    shutil.copytree(FIXTURE, tmp_path / "bad")
    bad = tmp_path / "bad"
    with (bad / "services.csv").open("a", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["not-a-uuid", "", "", "Broken", *[""] * 19])  # line 5: id, no status
        w.writerow(["3c6f3c1e-5d0a-4f7e-9b3c-1a2b3c4d5e09", "0b6f3c1e-5d0a-4f7e-9b3c-"
                    "1a2b3c4d5e99", "", "Orphan", "", "", "", "", "active", *[""] * 14])
    summary = import_hsds(bad, actor="test")
    got = {(r.table, r.row) for r in summary.rejects}
    assert got == {("service", 5), ("service", 6)}
    reasons = {r.row: r.reason for r in summary.rejects}
    assert "'not-a-uuid' is not a 'uuid'" in reasons[5] and "'status' is a required" in reasons[5]
    assert "is not an organization of this package" in reasons[6]
    assert Service.objects.count() == 3  # the good rows went in
    summary.write_rejects(tmp_path / "rejects.csv")
    _, rows = _csv(tmp_path / "rejects.csv")
    assert [(r["table"], r["row"]) for r in rows] == [("service", "5"), ("service", "6")]
