"""Screening stored cases: decisions stored with policy id and version, audited, replayable."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from tests.cases.factories import BUYING, SELLING, make_case
from typer.testing import CliRunner

from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify
from survivors_justice.policy import load_policy
from survivors_justice.policy.loader import DOCUMENTS_DIR
from survivors_justice.screening import services
from survivors_justice.screening.models import PolicyDecision

pytestmark = pytest.mark.django_db

TRAFFICKING = "PL 230345A"
LOITERING = "PL 2403703"
DECIDED = date(2026, 11, 28)
PROPOSAL = DOCUMENTS_DIR / "proposal-adult-buyers-declined.yaml"


def test_screening_a_case_stores_the_decision_with_policy_and_version() -> None:
    case = make_case(SELLING)
    stored = services.screen_case(case_id=case.pk, actor="cli:test", on=DECIDED)
    policy = load_policy()
    assert (stored.policy_id, stored.policy_version) == (policy.id, policy.version)
    assert stored.case_priority == "decline"
    assert stored.rules == ["selling-declined"]
    assert stored.outcomes[0]["outcome"] == "decline" and stored.outcomes[0]["role"] == "seller"
    assert stored.facts["charges"][0]["law_code"] == SELLING
    assert stored.decision_date == DECIDED
    assert services.latest_decision(case) == stored
    audit = AuditRecord.objects.get(action="screening.decide", object_id=str(case.pk))
    assert audit.details["rules"] == ["selling-declined"]
    assert verify().ok


def test_missing_facts_are_stored_for_a_buyer() -> None:
    case = make_case(BUYING)
    stored = services.screen_case(case_id=case.pk, actor="cli:test", on=DECIDED)
    assert stored.case_priority == "prosecute"
    assert "indicators.force" in stored.missing_facts


def test_screening_every_case_in_chunks() -> None:
    cases = [make_case(SELLING), make_case(BUYING), make_case(TRAFFICKING), make_case(LOITERING)]
    run = services.screen_cases(actor="cli:test", on=DECIDED)
    assert run.cases == 4
    assert run.by_priority == {"decline": 2, "prosecute": 1, "prosecute_priority": 1}
    assert PolicyDecision.objects.count() == 4
    seals = {r["law_code"]: r["seal"] for r in run.rows}
    assert seals[LOITERING] is True and seals[SELLING] is False
    assert {r["case"] for r in run.rows} == {c.number for c in cases}
    assert AuditRecord.objects.filter(action="screening.screen_cases").count() == 1


def test_replay_reproduces_and_shows_what_a_new_policy_would_change() -> None:
    case = make_case(BUYING)
    services.screen_case(case_id=case.pk, actor="cli:test", on=DECIDED)
    same = services.replay(case=case, actor="cli:test")
    assert same.reproduced and same.differences_current == ()
    changed = services.replay(case=case, actor="cli:test", policy=load_policy(PROPOSAL))
    assert changed.reproduced
    whats = {d.what: (d.stored, d.now) for d in changed.differences_current}
    assert whats["charge 1 outcome"] == ("prosecute", "decline")
    assert whats["case priority"] == ("prosecute", "decline")
    assert AuditRecord.objects.filter(action="screening.replay").count() == 2


def test_replay_detects_a_stored_decision_the_engine_no_longer_gives() -> None:
    case = make_case(SELLING)
    stored = services.screen_case(case_id=case.pk, actor="cli:test", on=DECIDED)
    tampered = dict(stored.decision)
    tampered["charges"] = [dict(tampered["charges"][0], outcome="prosecute")]
    PolicyDecision.objects.filter(pk=stored.pk).update(decision=tampered)
    result = services.replay(case=case, actor="cli:test")
    assert not result.reproduced
    assert [d.what for d in result.differences_same_version] == ["charge 1 outcome"]


def test_replay_of_an_unscreened_case_is_refused() -> None:
    case = make_case(SELLING)
    with pytest.raises(services.NoStoredDecisionError, match=case.number):
        services.replay(case=case, actor="cli:test")
    with pytest.raises(services.CaseNotFoundError, match="Q-0000"):
        services.find_case("Q-0000")


def test_the_cli_screens_the_database_and_replays(tmp_path: Path) -> None:
    import typer

    from survivors_justice.screening.cli import replay, screen

    make_case(SELLING)
    buyer = make_case(BUYING)
    root = typer.Typer()
    root.command("screen")(screen)
    root.command("replay")(replay)
    runner = CliRunner()
    out = tmp_path / "db.csv"
    result = runner.invoke(
        root, ["screen", "--db", "-o", str(out), "--decision-date", "2026-11-28"]
    )
    assert result.exit_code == 0, result.output
    lines = out.read_text().splitlines()
    assert lines[0].startswith("arrest_key,law_code,section,subdivision,role,outcome,rule_id")
    assert len(lines) == 3
    result = runner.invoke(root, ["replay", buyer.number])
    assert result.exit_code == 0, result.output
    assert "identical" in result.stdout
    both = runner.invoke(root, ["screen", "-o", str(out)])
    assert both.exit_code == 2 and "either an arrests FILE or --db" in both.stderr


def test_replay_uses_the_stored_text_when_the_document_was_edited_in_place(tmp_path: Path) -> None:
    """An edit without a new version number cannot rewrite history: replay reads the kept text."""
    shipped = load_policy()
    assert shipped.path is not None
    text = Path(shipped.path).read_text(encoding="utf-8")
    edited_text = text.replace(
        "    when: {charge.role: buyer}\n    outcome: prosecute\n",
        "    when: {charge.role: buyer}\n    outcome: panel_review\n",
    )
    assert edited_text != text
    edited = tmp_path / "survivors-justice.yaml"
    edited.write_text(edited_text, encoding="utf-8")
    case = make_case(BUYING)
    stored = services.screen_case(
        case_id=case.pk, actor="cli:test", on=DECIDED, policy=load_policy(edited)
    )
    assert stored.case_priority == "panel_review"
    assert stored.document is not None and stored.document.text == edited_text
    assert (stored.document.policy_id, stored.document.version) == (shipped.id, shipped.version)

    result = services.replay(case=case, actor="cli:test")
    assert result.reproduced  # under the stored text, not the shipped file of the same version
    assert "edited after this decision without a new version number" in result.same_version_note
    # The office's shipped text would prosecute this buyer; the replay says so.
    whats = {d.what: (d.stored, d.now) for d in result.differences_current}
    assert whats["charge 1 outcome"] == ("panel_review", "prosecute")
    assert whats["case priority"] == ("panel_review", "prosecute")


def test_the_same_text_is_kept_once() -> None:
    for code in (SELLING, BUYING, TRAFFICKING):
        services.screen_case(case_id=make_case(code).pk, actor="cli:test", on=DECIDED)
    services.screen_cases(actor="cli:test", on=DECIDED)
    from survivors_justice.screening.models import PolicyVersion

    assert PolicyVersion.objects.count() == 1
    assert PolicyDecision.objects.filter(document__isnull=True).count() == 0
