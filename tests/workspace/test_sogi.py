"""Sexual orientation and gender identity in the workspace: from the case store, as the person
reported it, "not recorded" and "declined to say" shown as such, small counts suppressed."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from tests.arrests.helpers import run_import
from tests.factories import make_user, sign_in
from tests.workspace.test_workspace import DEC_2017, _page

from survivors_justice.cases.models import Case

__all__ = ["run_import"]
ROW = re.compile(r'<tr data-cell="city\|New York City\|all\|([^"]*)" data-count="([^"]*)"')


@pytest.mark.django_db
def test_self_reported_identity_is_shown_with_small_counts_suppressed(
        run_import: Callable[..., object], settings: Any, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path / "var"
    run_import(DEC_2017)
    cases = list(Case.objects.select_related("defendant", "arrest")
                 .filter(arrest__law_code__startswith="PL 230").order_by("pk"))
    assert len(cases) >= 20
    for i, case in enumerate(cases[:14]):
        person = case.defendant
        person.gender_identity = "declined_to_say" if i < 2 else "transgender_woman"
        person.save(update_fields=["gender_identity"])
    client = sign_in(Client(), make_user("analyst"))
    page = _page(client, "/workspace/report/?source=store&by=gender_identity&geo=city")
    assert page.status_code == 200
    text = page.content.decode()
    main = text.split('data-table="main"')[1].split("</table>")[0]
    shown = dict(ROW.findall(main))
    # 12 said transgender woman, 2 declined to say, everyone else was not asked (or did not say)
    assert set(shown) == {"all", "not_recorded", "declined_to_say", "transgender_woman"}
    assert shown["declined_to_say"] == ""  # 2 < 11: suppressed
    assert shown["transgender_woman"] in ("12", "")
    assert shown["all"] in ("160", "") and shown["not_recorded"] in ("146", "")
    assert [shown["transgender_woman"], shown["not_recorded"], shown["all"]].count("") >= 1
    assert "Declined to say" in main and "Not recorded" in main
    assert 'data-suppressed="11"' in text
