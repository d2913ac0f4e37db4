"""The signed-out status page shows the store's counts and nothing about a person."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from tests.arrests.helpers import DEC_2017, read_rows, run_import, write_rows

from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.arrests.stats import store_counts

pytestmark = pytest.mark.django_db
__all__ = ["run_import"]  # the fixture, shared with tests/arrests


def test_status_page_shows_the_counts(
    client: Client, tmp_path: Path, run_import: Callable[..., ImportSummary]
) -> None:
    header, rows = read_rows(DEC_2017)
    law = header.index("LAW_CODE")
    picked = [r for r in rows if r[law].startswith("PL 230")][:7] + rows[:50]
    run_import(write_rows(tmp_path / "s.csv", header, picked))
    counts = store_counts()
    response = client.get("/")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-count="arrests">{counts["arrests"]:,}<' in html
    assert f'data-count="cases">{counts["cases"]:,}<' in html
    assert f'data-count="audit_records">{counts["audit_records"]:,}<' in html
    for role, n in counts["charges_by_role"].items():
        assert f'data-count="role-{role}">{n:,}<' in html
    assert rows[0][0] not in html  # no arrest key, nothing row-level
