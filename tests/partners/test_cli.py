"""`sj partners import/export/search/member` and the demo's partner data."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from survivors_justice.accounts.models import User
from survivors_justice.cli import app
from survivors_justice.partners.models import Membership, Organisation

pytestmark = pytest.mark.django_db
runner = CliRunner()
FIXTURE = Path(__file__).parent / "data" / "hsds"


def test_import_export_and_search(tmp_path: Path) -> None:
    result = runner.invoke(app, ["partners", "import", "--hsds", str(FIXTURE)])
    assert result.exit_code == 0, result.output
    assert Organisation.objects.count() == 2
    out = tmp_path / "out"
    result = runner.invoke(app, ["partners", "export", "--hsds", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "datapackage.json").exists() and (out / "organizations.csv").exists()
    result = runner.invoke(app, ["partners", "search", "--language", "zh"])
    assert "T and U visa legal help" in result.stdout
    assert "Individual trauma counselling" not in result.stdout


def test_rejected_rows_exit_1_with_a_rejects_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(FIXTURE, bad)
    with (bad / "organizations.csv").open("a", newline="") as fh:
        csv.writer(fh).writerow(["0b6f3c1e-5d0a-4f7e-9b3c-1a2b3c4d5e07", "No description",
                                 *[""] * 11])
    result = runner.invoke(app, ["partners", "import", "--hsds", str(bad)])
    assert result.exit_code == 1
    rows = list(csv.DictReader((bad / "hsds-rejects.csv").open()))
    assert [(r["table"], r["row"]) for r in rows] == [("organization", "4")]
    assert "'description' is a required property" in rows[0]["reason"]


def test_not_a_package_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["partners", "import", "--hsds", str(tmp_path)])
    assert result.exit_code == 2


def test_demo_links_the_partner_staff_account() -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 0
    assert runner.invoke(app, ["demo"]).exit_code == 0  # idempotent
    staff = User.objects.get(email="partner-staff@demo.sj.test")
    assert Membership.objects.get(user=staff).organisation.name == "Demo Partner Organisation"
