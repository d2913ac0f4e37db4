"""`sj import resolve`: stored charges read again after the charge catalog was corrected.

Real December 2017 arrests are imported, then the catalog "changes": either the import ran with a
catalog that lacked patronizing (PL 230.04) and the shipped catalog has it, or a test catalog built
from the shipped one reads 230.04 differently. Expected counts come from resolving the same real
rows with both catalogs, never from constants.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from tests.arrests.helpers import DEC_2017, read_rows, write_rows
from tests.factories import make_user
from typer.testing import CliRunner

from survivors_justice.arrests.catalogs import catalog_digest, shipped_digest
from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.arrests.models import Arrest, CatalogVersion, Charge
from survivors_justice.arrests.resolve import FIELDS, resolve_charges, show
from survivors_justice.arrests.stats import store_counts
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify
from survivors_justice.cases import decisions
from survivors_justice.cases.models import Case, CaseRecheck, ChargingDecision, Person
from survivors_justice.cli import app
from survivors_justice.law import Catalog, ChargeStatus, load_catalog
from survivors_justice.law.catalog import catalog_from_mapping
from survivors_justice.screening.models import PolicyDecision
from survivors_justice.screening.services import screen_cases

pytestmark = pytest.mark.django_db
Run = Callable[..., ImportSummary]
PATRONIZING = "230.04"


def shipped_mapping() -> dict[str, Any]:
    text = resources.files("survivors_justice.law").joinpath("catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def without_patronizing() -> dict[str, Any]:
    """The shipped catalog before "patronizing" was catalogued: 230.04 charges are UNKNOWN."""
    data = shipped_mapping()
    data["entries"] = [e for e in data["entries"] if e["section"] != PATRONIZING]
    return data


def patronizing_read_as_selling() -> dict[str, Any]:
    """A catalog whose 230.04 entries say the person charged sold sex (role seller)."""
    data = shipped_mapping()
    for entry in data["entries"]:
        if entry["section"] == PATRONIZING:
            entry["role"] = "seller"
    return data


@pytest.fixture
def slice_file(tmp_path: Path) -> Path:
    """Every article-230 arrest of December 2017 and the first 300 rows (mostly other offenses)."""
    header, rows = read_rows(DEC_2017)
    law, key = header.index("LAW_CODE"), header.index("ARREST_KEY")
    picked: dict[str, list[str]] = {r[key]: r for r in rows[:300]}
    picked.update({r[key]: r for r in rows if r[law].startswith("PL 230")})
    return write_rows(tmp_path / "slice.csv", header, list(picked.values()))


def _stored() -> dict[int, tuple[Any, ...]]:
    return {row[0]: row[1:] for row in Charge.objects.values_list("pk", *FIELDS, "catalog_id")}


def _expected_changes(old: Catalog, new: Catalog) -> tuple[Counter[tuple[str, str, str]], set[int]]:
    """What reading every stored charge with ``new`` instead of ``old`` changes, resolved one
    charge at a time through ``Catalog.resolve`` (not through the command's batches)."""
    changes: Counter[tuple[str, str, str]] = Counter()
    charges: set[int] = set()
    for charge in Charge.objects.select_related("arrest"):
        a = charge.arrest
        before = old.resolve(law_code=charge.law_code, pd_cd=a.pd_cd or None, on=a.arrest_date)
        after = new.resolve(law_code=charge.law_code, pd_cd=a.pd_cd or None, on=a.arrest_date)
        pairs = {
            "status": (before.status.value, after.status.value),
            "role": (before.role, after.role),
            "section": (before.section, after.section),
            "family": (before.entry and before.entry.family, after.entry and after.entry.family),
            "title": (before.entry and before.entry.title, after.entry and after.entry.title),
            "in_force": (before.in_force, after.in_force),
            "note": (before.note, after.note),
        }
        for name, (x, y) in pairs.items():
            if x != y:
                changes[(name, show(getattr(x, "value", x)), show(getattr(y, "value", y)))] += 1
                charges.add(charge.pk)
    return changes, charges


def test_unknown_charges_become_cataloged(slice_file: Path, run_import: Run) -> None:
    old = catalog_from_mapping(without_patronizing())
    run_import(slice_file, catalog=old)
    unknown = Charge.objects.filter(status=ChargeStatus.UNKNOWN)
    assert unknown.exists() and set(unknown.values_list("section", flat=True)) == {PATRONIZING}
    expected, expected_ids = _expected_changes(old, load_catalog())
    before, audits = _stored(), AuditRecord.objects.count()
    decisions = PolicyDecision.objects.count()

    plan = resolve_charges(actor="test:resolver", source="test", dry_run=True)
    # The dry run reports the changes, and changes nothing, not even the audit log.
    assert _stored() == before and AuditRecord.objects.count() == audits
    assert PolicyDecision.objects.count() == decisions
    assert plan.changed == len(expected_ids) == unknown.count()
    n = len(expected_ids)
    assert plan.changes[("status", "unknown", "cataloged")] == n
    assert plan.changes[("role", "null", "buyer")] == n
    for (name, old_value, new_value), count in expected.items():
        assert plan.changes[(name, old_value, new_value)] == count, name
    # Each 230.04 arrest already had a case (an unknown covered charge opens one).
    assert plan.cases_affected == plan.rescreened == n and plan.cases_opened == 0
    assert plan.other_catalog == Charge.objects.count()

    done = resolve_charges(actor="test:resolver", source="test")
    after = _stored()
    assert {pk for pk in before if before[pk][:-1] != after[pk][:-1]} == expected_ids
    assert not Charge.objects.filter(status=ChargeStatus.UNKNOWN).exists()
    assert set(Charge.objects.filter(pk__in=expected_ids).values_list("role", flat=True)) == {
        "buyer"
    }
    current = CatalogVersion.objects.get(digest=shipped_digest())
    assert set(Charge.objects.values_list("catalog", flat=True)) == {current.pk}
    assert done.changed == plan.changed and done.changes == plan.changes
    # Screened again under the policy in force: a buyer is prosecuted.
    assert PolicyDecision.objects.filter(source="test").count() == n
    assert set(PolicyDecision.objects.values_list("case_priority", flat=True)) == {"prosecute"}

    record = AuditRecord.objects.get(action="arrests.resolve")
    assert record.seq == done.audit_seq and record.outcome == "success"
    assert record.details["catalog"]["digest"] == shipped_digest() == done.catalog
    assert record.details["changed"] == n and record.details["by_field"]["status"] == n
    assert {"field": "role", "from": "null", "to": "buyer", "charges": n} in record.details[
        "transitions"
    ]
    assert verify().ok

    again = resolve_charges(actor="test:resolver", source="test")
    assert again.nothing_to_change and again.changed == 0 and again.other_catalog == 0
    assert _stored() == after
    assert PolicyDecision.objects.filter(source="test").count() == n


def test_a_decided_case_keeps_its_decision_and_is_flagged(
    slice_file: Path, run_import: Run
) -> None:
    run_import(slice_file)
    screen_cases(actor="test:screener", source="cli")
    buyers = list(
        Case.objects.filter(arrest__charges__section=PATRONIZING).order_by("pk")
    )
    decided_case = buyers[0]
    decision = decisions.accept_recommendation(
        actor=make_user("intake_ada"), case_id=decided_case.pk
    )
    decided_case.refresh_from_db()
    state = decided_case.state
    assert decision.recommended_priority == "prosecute"
    screenings = set(PolicyDecision.objects.values_list("pk", flat=True))
    corrected = catalog_from_mapping(patronizing_read_as_selling())

    plan = resolve_charges(actor="test:resolver", source="test", catalog=corrected, dry_run=True)
    assert plan.changes[("role", "buyer", "seller")] == plan.changed == len(buyers)
    assert plan.recommendations_changed == len(buyers)  # prosecute -> decline
    assert (plan.flagged, plan.flagged_cases) == (1, [decided_case.number])
    assert not CaseRecheck.objects.exists()

    done = resolve_charges(
        actor="test:resolver", source="test", catalog=corrected, catalog_source="test catalog"
    )
    assert done.flagged == 1 and done.rescreened == len(buyers)
    # The person's decision stands: same row, same outcomes, the case's state unchanged.
    kept = ChargingDecision.objects.get()
    assert (kept.pk, kept.outcomes, kept.recommended_priority) == (
        decision.pk, decision.outcomes, "prosecute"
    )
    decided_case.refresh_from_db()
    assert decided_case.state == state
    # Old screenings kept; one new screening per affected case, now declining.
    assert screenings < set(PolicyDecision.objects.values_list("pk", flat=True))
    fresh = PolicyDecision.objects.exclude(pk__in=screenings)
    assert fresh.count() == len(buyers)
    assert set(fresh.values_list("case_priority", flat=True)) == {"decline"}
    flag = CaseRecheck.objects.get()
    assert (flag.case_id, flag.decision_id) == (decided_case.pk, decision.pk)
    assert (flag.decided_priority, flag.recommended_priority) == ("prosecute", "decline")
    assert flag.catalog.digest == catalog_digest(corrected)
    assert store_counts()["cases_to_recheck"] == 1
    assert store_counts()["charges_other_catalog"] == Charge.objects.count()

    again = resolve_charges(actor="test:resolver", source="test", catalog=corrected)
    assert again.nothing_to_change and again.flagged == 0
    assert CaseRecheck.objects.count() == 1 and PolicyDecision.objects.count() == len(
        screenings
    ) + len(buyers)


def test_an_arrest_whose_charge_now_opens_a_case_gets_one(
    slice_file: Path, run_import: Run
) -> None:
    run_import(slice_file)
    case = Case.objects.filter(arrest__charges__section=PATRONIZING).order_by("pk").first()
    assert case is not None
    arrest, person = case.arrest, case.defendant
    case.delete()
    person.delete()
    corrected = catalog_from_mapping(patronizing_read_as_selling())
    done = resolve_charges(actor="test:resolver", source="test", catalog=corrected)
    assert done.cases_opened == 1
    reopened = Case.objects.get(arrest=arrest)
    assert reopened.number == f"NYPD-{arrest.arrest_key}" and reopened.state == "intake"
    assert Person.objects.count() == Case.objects.count()


def test_status_says_when_charges_were_read_by_another_catalog(
    slice_file: Path, run_import: Run
) -> None:
    run_import(slice_file, catalog=catalog_from_mapping(without_patronizing()))
    assert store_counts()["charges_other_catalog"] == Charge.objects.count()
    result = CliRunner().invoke(app, ["status"], terminal_width=200)
    assert result.exit_code == 0 and "sj import resolve" in result.output
    resolve_charges(actor="test:resolver", source="test")
    counts = store_counts()
    assert counts["charges_other_catalog"] == 0 and counts["catalog"] == shipped_digest()


# --- the command ----------------------------------------------------------------------------


def _write_catalog(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_command_dry_run_then_apply_then_nothing(
    slice_file: Path, run_import: Run, tmp_path: Path
) -> None:
    run_import(slice_file)
    buyers = Charge.objects.filter(section=PATRONIZING).count()
    changed = _write_catalog(tmp_path / "corrected.yaml", patronizing_read_as_selling())
    runner = CliRunner()
    before, audits = _stored(), AuditRecord.objects.count()

    dry = runner.invoke(
        app, ["import", "resolve", "--dry-run", "--catalog", str(changed)], terminal_width=200
    )
    assert dry.exit_code == 0, dry.output
    assert "Dry run: nothing was changed" in dry.output
    line = next(x for x in dry.output.splitlines() if "buyer" in x and "seller" in x)
    assert line.split()[1:6] == ["role", "│", "buyer", "│", "->"] and f"{buyers:,}" in line
    assert _stored() == before and AuditRecord.objects.count() == audits

    as_json = runner.invoke(
        app, ["import", "resolve", "--dry-run", "--json", "--catalog", str(changed)]
    )
    assert as_json.exit_code == 0, as_json.output
    summary = json.loads(as_json.output)
    assert summary["dry_run"] is True and summary["changed"] == buyers
    assert summary["by_field"] == {"role": buyers}

    applied = runner.invoke(
        app, ["import", "resolve", "--catalog", str(changed)], terminal_width=200
    )
    assert applied.exit_code == 0, applied.output
    assert f"Applied: {buyers} charge(s) updated" in applied.output
    assert Charge.objects.filter(section=PATRONIZING, role="seller").count() == buyers

    again = runner.invoke(
        app, ["import", "resolve", "--catalog", str(changed)], terminal_width=200
    )
    assert again.exit_code == 0, again.output
    assert "Nothing to change" in again.output
    actions = list(AuditRecord.objects.filter(action="arrests.resolve").values_list("outcome"))
    assert actions == [("success",), ("success",)]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "no such file"),
        (b"entries: [\n", "not valid YAML at line 2"),
        (b"\xff\xfe not text", "not UTF-8"),
        ("role-typo", "'sellers' is not a valid Role"),
    ],
)
def test_a_bad_catalog_file_is_refused_with_exit_code_2(
    tmp_path: Path, run_import: Run, slice_file: Path, content: object, message: str
) -> None:
    run_import(slice_file)
    path = tmp_path / "catalog.yaml"
    if content == "role-typo":
        data = shipped_mapping()
        data["entries"][0]["role"] = "sellers"
        _write_catalog(path, data)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    before, audits = _stored(), AuditRecord.objects.count()
    result = CliRunner().invoke(
        app, ["import", "resolve", "--catalog", str(path)], terminal_width=300
    )
    assert result.exit_code == 2, result.output
    said = " ".join(result.output.split())  # Rich wraps the error to the terminal's width
    assert said.startswith("Refused:") and message in said and str(path) in said
    assert _stored() == before and AuditRecord.objects.count() == audits
    assert Arrest.objects.count() > 0


def test_a_failed_run_keeps_finished_batches_and_says_so_in_the_audit_log(
    slice_file: Path, run_import: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_import(slice_file, catalog=catalog_from_mapping(without_patronizing()))
    from survivors_justice.arrests import resolve

    calls = iter(range(10_000))
    real_batch = resolve._Run.batch

    def failing(self: Any, lo: int, hi: int, *, apply: bool) -> None:
        if next(calls) == 1:
            raise RuntimeError("disk full")
        real_batch(self, lo, hi, apply=apply)

    monkeypatch.setattr(resolve._Run, "batch", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        resolve_charges(actor="test:resolver", source="test", batch_size=100)
    record = AuditRecord.objects.get(action="arrests.resolve")
    assert record.outcome == "failed" and record.details["error"] == "RuntimeError"
    # The first batch (arrest ids up to the first 100) is applied; nothing after it.
    first = Arrest.objects.order_by("pk").values_list("pk", flat=True)[0]
    stamped = Charge.objects.filter(catalog__isnull=False, catalog__digest=shipped_digest())
    assert stamped.exists() and not stamped.filter(arrest_id__gte=first + 100).exists()
    assert record.details["charges"] == stamped.count()

    monkeypatch.setattr(resolve._Run, "batch", real_batch)
    done = resolve_charges(actor="test:resolver", source="test", batch_size=100)
    assert not Charge.objects.filter(status=ChargeStatus.UNKNOWN).exists()
    assert done.changed + record.details["changed"] == Charge.objects.filter(
        section=PATRONIZING
    ).count()
