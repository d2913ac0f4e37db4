"""Rechecks on the case page and their own list: what changed, in plain words, and marking one
reviewed (intake prosecutors only), audited, counted by ``sj status`` only while open."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

import pytest
from django.test import Client
from tests.arrests.helpers import run_import
from tests.cases.recheck_world import flag_a_decided_case
from tests.factories import make_user, sign_in

from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.arrests.stats import store_counts
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify
from survivors_justice.cases import rechecks
from survivors_justice.cases.models import CaseRecheck, ChargingDecision
from survivors_justice.cases.recommendations import OUTCOME_LABELS
from survivors_justice.permissions import NotAllowed, visible_cases

pytestmark = pytest.mark.django_db
__all__ = ["run_import"]  # the fixture, shared with tests/arrests
NOTE = "Read the arrest report again: he paid; decision stands."


def test_a_recheck_is_shown_and_marked_reviewed(
    tmp_path: Path, run_import: Callable[..., ImportSummary]
) -> None:
    ada = make_user("intake_ada")
    case, recheck = flag_a_decided_case(tmp_path, run_import, ada)
    decision = ChargingDecision.objects.get(case=case)
    state = case.state
    assert store_counts()["cases_to_recheck"] == 1
    assert recheck.decided_outcomes == [
        c["outcome"] for c in decision.recommendation["charges"]
    ]
    # The decided case is back in intake's view while the recheck is open.
    assert case in visible_cases(ada)

    client = sign_in(Client(), ada)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert "Look at this case again" in page
    then = OUTCOME_LABELS[recheck.decided_priority]
    now = OUTCOME_LABELS[recheck.recommended_priority]
    assert then != now
    assert f"When {ada.email} decided this case on {decision.decided_at:%Y-%m-%d}" in page
    assert f"the policy recommended <strong>{then}</strong>" in page
    assert f"now recommends <strong>{now}</strong>" in page
    assert recheck.catalog.digest[:12] in page and "230.04 read as selling" in page
    assert f'action="/cases/rechecks/{recheck.pk}/review/"' in page

    listing = client.get("/cases/rechecks/").content.decode()
    assert case.number in listing and now in listing
    assert AuditRecord.objects.filter(action="cases.rechecks.read").exists()

    # A supervisor sees it but may not mark it (the role does not decide cases).
    supervisor = make_user("supervisor")
    boss = sign_in(Client(), supervisor)
    assert "Look at this case again" in boss.get(f"/cases/{case.pk}/").content.decode()
    assert "Mark reviewed" not in boss.get("/cases/rechecks/").content.decode()
    assert boss.post(f"/cases/rechecks/{recheck.pk}/review/", {"note": NOTE}).status_code == 403
    with pytest.raises(NotAllowed):
        rechecks.mark_reviewed(actor=supervisor, recheck_id=recheck.pk, note=NOTE)

    # Too short a note is refused and changes nothing.
    short = client.post(f"/cases/rechecks/{recheck.pk}/review/", {"note": "ok"}, follow=True)
    assert "needs a note of at least" in short.content.decode()
    recheck.refresh_from_db()
    assert recheck.is_open

    done = client.post(f"/cases/rechecks/{recheck.pk}/review/", {"note": f"  {NOTE} "})
    assert done.status_code == 302 and done["Location"] == "/cases/rechecks/"
    recheck.refresh_from_db()
    assert (recheck.reviewed_by, recheck.review_note) == (ada, NOTE)
    assert recheck.reviewed_at is not None
    record = AuditRecord.objects.get(action="case.recheck.review")
    assert record.actor == ada.email and record.object_id == str(case.pk)
    assert record.details["recheck"] == recheck.pk and NOTE not in str(record.details)
    assert verify().ok
    # The decision and the case stand; the case leaves intake's view again; status counts 0.
    kept = ChargingDecision.objects.get(case=case)
    assert (kept.pk, kept.outcomes) == (decision.pk, decision.outcomes)
    case.refresh_from_db()
    assert case.state == state and case not in visible_cases(ada)
    assert store_counts()["cases_to_recheck"] == 0
    assert CaseRecheck.objects.count() == 1
    # Once reviewed it is gone: a second answer finds nothing.
    assert client.post(f"/cases/rechecks/{recheck.pk}/review/", {"note": NOTE}).status_code == 404
    assert case.number not in client.get("/cases/rechecks/").content.decode()
    with pytest.raises(rechecks.RecheckAlreadyReviewed):
        rechecks.mark_reviewed(actor=ada, recheck_id=recheck.pk, note=NOTE)


def test_the_nav_links_rechecks_for_the_roles_that_may_list_them() -> None:
    for role, shown in (
        ("intake_ada", True), ("supervisor", True), ("trafficking_ada", False), ("admin", False)
    ):
        page = sign_in(Client(), make_user(role)).get("/home/").content.decode()
        assert ('href="/cases/rechecks/"' in page) is shown, role


def test_the_migration_gives_early_rechecks_per_charge_outcomes(
    tmp_path: Path, run_import: Callable[..., ImportSummary]
) -> None:
    from django.db import connection
    from django.db.migrations.loader import MigrationLoader

    # The models as that migration saw them (CaseRecheck was in the arrests app then).
    apps = MigrationLoader(connection).project_state(("arrests", "0006_recheck_review")).apps
    fix = importlib.import_module(
        "survivors_justice.arrests.migrations.0006_recheck_review"
    ).per_charge_outcomes
    _, recheck = flag_a_decided_case(tmp_path, run_import, make_user("intake_ada"))
    per_charge = list(recheck.decided_outcomes)
    # The shape the first resolve runs stored: [case priority, [outcome per charge]].
    CaseRecheck.objects.filter(pk=recheck.pk).update(
        decided_outcomes=[recheck.decided_priority, per_charge]
    )
    fix(apps, None)
    recheck.refresh_from_db()
    assert recheck.decided_outcomes == per_charge
