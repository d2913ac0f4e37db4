"""Replay after a catalog correction: a stored screening keeps the catalog text that read its
charges, so it reproduces under what made it and says which charge readings changed since.

Real December 2017 arrests (every article-230 arrest of the month). The "correction" is a test
catalog built from the shipped one (the shipped catalog.yaml is never edited): either the shipped
catalog corrects one that lacked patronizing (PL 230.04), or a corrected catalog reads 230.04 as
selling. Expected readings come from resolving the stored charges with both catalogs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.apps import apps
from tests.arrests.helpers import DEC_2017, read_rows, run_import, write_rows
from tests.factories import make_user
from typer.testing import CliRunner

from survivors_justice.arrests.catalogs import (
    catalog_digest,
    catalog_from_text,
    catalog_version,
    shipped_digest,
    shipped_text,
    stored_catalog,
)
from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.arrests.models import CatalogVersion, Charge
from survivors_justice.arrests.resolve import resolve_charges
from survivors_justice.cases import decisions
from survivors_justice.cases.models import Case
from survivors_justice.cli import app
from survivors_justice.law import Catalog, load_catalog
from survivors_justice.law.catalog import catalog_from_mapping
from survivors_justice.policy import evaluate, load_policy
from survivors_justice.screening import services
from survivors_justice.screening.models import PolicyDecision

pytestmark = pytest.mark.django_db
__all__ = ["run_import"]  # the fixture, shared with tests/arrests
PATRONIZING = "230.04"


def _shipped_mapping() -> dict[str, Any]:
    text = resources.files("survivors_justice.law").joinpath("catalog.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def _catalog(edit: Callable[[dict[str, Any]], None], name: str) -> Catalog:
    """A catalog built from the shipped one with ``edit`` applied, read from its YAML text."""
    data = _shipped_mapping()
    edit(data)
    return catalog_from_text(yaml.safe_dump(data, sort_keys=False), name)


def _drop_patronizing(data: dict[str, Any]) -> None:
    data["entries"] = [e for e in data["entries"] if e["section"] != PATRONIZING]


def _patronizing_as_selling(data: dict[str, Any]) -> None:
    for entry in data["entries"]:
        if entry["section"] == PATRONIZING:
            entry["role"] = "seller"


@pytest.fixture
def article_230(tmp_path: Path) -> Path:
    header, rows = read_rows(DEC_2017)
    law = header.index("LAW_CODE")
    return write_rows(
        tmp_path / "article-230.csv", header, [r for r in rows if r[law].startswith("PL 230")]
    )


def _expected_readings(case: Case, old: Catalog, new: Catalog) -> dict[str, tuple[str, str]]:
    """Each stored charge of ``case`` read by ``old`` and by ``new``, where they differ."""
    out: dict[str, tuple[str, str]] = {}
    arrest = case.arrest
    for i, charge in enumerate(Charge.objects.filter(arrest=arrest).order_by("position"), 1):
        a = old.resolve(law_code=charge.law_code, pd_cd=arrest.pd_cd or None, on=arrest.arrest_date)
        b = new.resolve(law_code=charge.law_code, pd_cd=arrest.pd_cd or None, on=arrest.arrest_date)
        for key, x, y in (
            ("status", a.status.value, b.status.value),
            ("role", a.role, b.role),
            ("section", a.section, b.section),
            ("subdivision", a.subdivision, b.subdivision),
            ("title", a.entry and a.entry.title, b.entry and b.entry.title),
        ):
            if x != y:
                out[f"charge {i} ({charge.law_code}) {key}"] = (
                    "-" if x in (None, "") else str(x),
                    "-" if y in (None, "") else str(y),
                )
    return out


def test_a_decision_reproduces_under_its_catalog_after_a_correction(
    article_230: Path, run_import: Callable[..., ImportSummary]
) -> None:
    """Decide under the shipped catalog, correct the catalog, resolve, replay."""
    run_import(article_230)
    services.screen_cases(actor="test:screener")
    case = Case.objects.filter(arrest__charges__section=PATRONIZING).order_by("pk").first()
    assert case is not None
    decisions.accept_recommendation(actor=make_user("intake_ada"), case_id=case.pk)
    made = services.latest_decision(case)
    assert made is not None and made.catalog is not None
    assert made.catalog.digest == shipped_digest() and made.catalog.text == shipped_text()

    corrected = _catalog(_patronizing_as_selling, "230.04 read as selling")
    resolve_charges(actor="test:resolver", source="test", catalog=corrected)
    latest = services.latest_decision(case)
    assert latest is not None and latest.pk != made.pk
    assert latest.catalog is not None and latest.catalog.digest == catalog_digest(corrected)
    assert stored_catalog(latest.catalog).resolve(
        law_code=case.arrest.law_code, pd_cd=case.arrest.pd_cd or None, on=case.arrest.arrest_date
    ).role == "seller"

    # Today's catalog is the corrected one: the decision made under the shipped catalog still
    # reproduces under what made it, and says what today's policy and catalog would do instead.
    result = services.replay(
        case=case, actor="cli:test", catalog=corrected, screening_id=made.pk
    )
    assert result.replayed_as_made and result.reproduced, result.differences_same_version
    assert not result.catalog_note and not result.policy_changed
    expected = _expected_readings(case, load_catalog(), corrected)
    assert expected  # the correction reads this charge differently
    assert {d.what: (d.stored, d.now) for d in result.readings_changed} == expected
    now = evaluate(load_policy(), made.facts, catalog=corrected).to_dict()
    assert now["case_priority"] != made.case_priority
    whats = {d.what: (d.stored, d.now) for d in result.differences_current}
    assert whats["case priority"] == (made.case_priority, now["case_priority"])

    # The latest screening (by the resolve) reproduces under the corrected catalog and nothing
    # changes under it.
    again = services.replay(case=case, actor="cli:test", catalog=corrected)
    assert again.stored.pk == latest.pk and again.reproduced and again.replayed_as_made
    assert not again.differences_current and not again.readings_changed


def test_the_shipped_catalog_corrects_one_that_lacked_patronizing(
    article_230: Path, run_import: Callable[..., ImportSummary], tmp_path: Path
) -> None:
    """The office screened with a catalog without 230.04; the shipped catalog adds it. Before
    catalogs were kept with decisions, the replay of the old screening said it "differs"."""
    old = _catalog(_drop_patronizing, "catalog without 230.04")
    run_import(article_230, catalog=old)
    services.screen_cases(actor="test:screener", catalog=old)
    case = Case.objects.filter(arrest__charges__section=PATRONIZING).order_by("pk").first()
    assert case is not None
    made = services.latest_decision(case)
    assert made is not None and made.catalog is not None
    assert made.catalog.digest == catalog_digest(old) and made.catalog.text
    # One stored text per catalog, however many screenings read with it.
    assert CatalogVersion.objects.filter(digest=catalog_digest(old)).count() == 1
    # What replay did before: the stored policy with the shipped catalog does not reproduce.
    assert evaluate(load_policy(), made.facts).to_dict()["charges"] != made.decision["charges"]

    resolve_charges(actor="test:resolver", source="test")
    result = services.replay(case=case, actor="cli:test", screening_id=made.pk)
    assert result.replayed_as_made and result.reproduced
    readings = {d.what: (d.stored, d.now) for d in result.readings_changed}
    assert readings == _expected_readings(case, old, load_catalog())
    assert any(k.endswith(" status") and v == ("unknown", "cataloged") for k, v in readings.items())

    runner = CliRunner()
    shown = runner.invoke(app, ["policy", "replay", case.number, "--screening", str(made.pk)])
    assert shown.exit_code == 0, shown.output
    said = " ".join(shown.stdout.split())  # the console wraps long lines
    assert "(a) Replayed under" in said and "identical" in said
    assert "would decide differently" in said
    assert "reads these charges differently" in said
    latest = services.latest_decision(case)
    assert latest is not None and f"#{made.pk}" in runner.invoke(
        app, ["policy", "replay", case.number]
    ).stdout


def test_replay_says_when_the_catalog_text_was_not_kept(
    article_230: Path, run_import: Callable[..., ImportSummary]
) -> None:
    run_import(article_230)
    data = _shipped_mapping()
    _patronizing_as_selling(data)
    in_memory = catalog_from_mapping(data)  # built in memory: no text to keep
    services.screen_cases(actor="test:screener", catalog=in_memory)
    case = Case.objects.filter(arrest__charges__section=PATRONIZING).order_by("pk").first()
    assert case is not None
    made = services.latest_decision(case)
    assert made is not None and made.catalog is not None and made.catalog.text == ""

    result = services.replay(case=case, actor="cli:test")
    assert not result.replayed_as_made
    assert "its text was not kept" in result.catalog_note
    # Replayed with the shipped catalog instead: 230.04 is read as buying there.
    assert result.same_version is not None and not result.reproduced
    shown = CliRunner().invoke(app, ["policy", "replay", case.number])
    assert shown.exit_code == 0, shown.output  # not the engine's fault: no exit 1
    said = " ".join(shown.stdout.split())
    assert "its text was not kept" in said
    assert "DIFFERS (the shipped catalog stood in for the one that made it)" in said

    # The same catalog read from a text later fills the text in, once.
    with_text = _catalog(_patronizing_as_selling, "230.04 read as selling")
    assert catalog_digest(with_text) == made.catalog.digest
    row = catalog_version(with_text, "test")
    assert row.pk == made.catalog.pk and row.text
    assert services.replay(case=case, actor="cli:test").replayed_as_made


def test_the_migration_keeps_the_shipped_text_only_for_the_shipped_digest() -> None:
    fill = importlib.import_module(
        "survivors_justice.arrests.migrations.0005_catalog_text"
    ).fill_shipped_text
    from django.utils import timezone

    shipped = CatalogVersion.objects.create(
        digest=shipped_digest(), source="before texts", first_used_at=timezone.now()
    )
    data = _shipped_mapping()
    _drop_patronizing(data)
    other = CatalogVersion.objects.create(
        digest=catalog_digest(catalog_from_mapping(data)),
        source="before texts",
        first_used_at=timezone.now(),
    )
    fill(apps, None)
    shipped.refresh_from_db()
    other.refresh_from_db()
    assert shipped.text == shipped_text() and other.text == ""
    assert stored_catalog(shipped) is load_catalog()
    assert PolicyDecision.objects.count() == 0
