"""Screen stored cases with the policy engine, store each decision, and replay stored decisions.

Each write is one function, one transaction, with its audit record inside it. The facts of a case
come from ``cases.recommendations.case_facts`` (the same facts the intake pages show), so a stored
decision is exactly what a prosecutor would see for that case on that date.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from survivors_justice.arrests.catalogs import (
    SHIPPED,
    StoredCatalogError,
    catalog_digest,
    catalog_version,
    stored_catalog,
)
from survivors_justice.arrests.models import CatalogVersion
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.followups import sync_followups
from survivors_justice.cases.models import Case
from survivors_justice.cases.recommendations import (
    case_facts,
    charge_positions,
    recommendation_from_json,
)
from survivors_justice.cases.stored_recommendation import store
from survivors_justice.law import Catalog, load_catalog
from survivors_justice.policy import Decision, Policy, evaluate, find_policy, load_policy
from survivors_justice.policy.errors import PolicyNotFoundError
from survivors_justice.policy.loader import parse_policy
from survivors_justice.screening.models import PolicyDecision, PolicyVersion

CHUNK = 2000


class NoStoredDecisionError(LookupError):
    """Replay was asked for a case that has never been screened."""

    def __init__(self, case: Case) -> None:
        super().__init__(
            f"case {case.number} has no stored policy decision; screen it first "
            "(sj screen --db -o OUT.csv)"
        )


class CaseNotFoundError(LookupError):
    """No case with the given number or id."""

    def __init__(self, ref: str) -> None:
        super().__init__(f"no case numbered {ref!r} (or with that id); check the case number")


def find_case(ref: str) -> Case:
    """A case by its number (``Q-2017-000123``) or its database id."""
    case = Case.objects.filter(number=ref).select_related("arrest").first()
    if case is None and ref.isdigit():
        case = Case.objects.filter(pk=int(ref)).select_related("arrest").first()
    if case is None:
        raise CaseNotFoundError(ref)
    return case


def latest_decision(case: Case) -> PolicyDecision | None:
    """The most recent stored screening of ``case`` (None if it was never screened)."""
    return (
        PolicyDecision.objects.filter(case=case)
        .select_related("catalog", "document")
        .order_by("-screened_at", "-pk")
        .first()
    )


def _positions(case: Case) -> list[int]:
    return charge_positions(case)


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _document_text(policy: Policy) -> str | None:
    path = policy.path
    if path is None or not Path(path).is_file():
        return None
    return Path(path).read_text(encoding="utf-8")


def policy_snapshot(policy: Policy) -> PolicyVersion | None:
    """The stored text of ``policy``'s document, stored now if this text is new.

    Call inside the transaction that stores the decisions. A policy built in memory (no file)
    has no text to keep and returns None.
    """
    text = _document_text(policy)
    if text is None:
        return None
    snapshot, _ = PolicyVersion.objects.get_or_create(
        policy_id=policy.id,
        version=policy.version,
        sha256=_digest(text),
        defaults={"text": text, "first_stored_at": timezone.now()},
    )
    return snapshot


def catalog_snapshot(catalog: Catalog | None) -> CatalogVersion:
    """The stored version (digest and text) of the catalog a screening reads the charges with
    (None: the shipped one), stored now if it is new. Call inside the storing transaction."""
    if catalog is None:
        return catalog_version(load_catalog(), SHIPPED)
    return catalog_version(catalog, "given to screening")


def _row(
    case: Case,
    facts: dict[str, Any],
    decision: Decision,
    source: str,
    document: PolicyVersion | None = None,
    catalog: CatalogVersion | None = None,
) -> PolicyDecision:
    positions = _positions(case)
    outcomes = [
        {
            "position": positions[i] if i < len(positions) else i + 1,
            "law_code": c.law_code,
            "section": c.section,
            "subdivision": c.subdivision,
            "role": c.role,
            "outcome": c.outcome.value,
            "rule": c.rule_id,
            "seal": any(a.value == "seal" for a in c.actions),
        }
        for i, c in enumerate(decision.charges)
    ]
    return PolicyDecision(
        case=case,
        policy_id=decision.policy_id,
        policy_version=decision.policy_version,
        document=document,
        catalog=catalog,
        decision_date=decision.decision_date,
        case_priority=decision.case_priority.value,
        outcomes=outcomes,
        rules=[c.rule_id for c in decision.charges],
        missing_facts=list(decision.missing_facts),
        facts=facts,
        decision=decision.to_dict(),
        screened_at=timezone.now(),
        source=source,
    )


def _audit(
    *, actor: str, action: str, object_id: str, source: str, details: dict[str, Any]
) -> None:
    from survivors_justice.audit.services import record_event

    record_event(
        actor=actor,
        action=action,
        object_type="case" if object_id else "cases",
        object_id=object_id,
        source=source,
        outcome="success",
        details=details,
    )


def screen_case(
    *,
    case_id: int,
    actor: str,
    source: str = "cli",
    policy: Policy | None = None,
    on: date | None = None,
) -> PolicyDecision:
    """Screen one stored case and store the decision (one transaction, audited)."""
    pol = policy if policy is not None else load_policy()
    with transaction.atomic():
        case = Case.objects.select_related("arrest").get(pk=case_id)
        facts = case_facts(case, on=on)
        stored = _row(
            case, facts, evaluate(pol, facts), source, policy_snapshot(pol), catalog_snapshot(None)
        )
        stored.save()
        store([case.pk])
        _audit(
            actor=actor,
            action="screening.decide",
            object_id=str(case.pk),
            source=source,
            details={
                "policy": f"{pol.id}@{pol.version}",
                "case_priority": stored.case_priority,
                "rules": stored.rules,
            },
        )
    return stored


@dataclass
class ScreenRun:
    """What `screen_cases` did: counts, and one summary row per stored decision."""

    policy_id: str
    policy_version: str
    cases: int = 0
    by_priority: dict[str, int] = field(default_factory=dict)
    rows: list[dict[str, Any]] = field(default_factory=list)  # one per charge, for the CSV
    followups_opened: int = 0  # tasks opened for cases in intake (the policy's follow-ups)


def screen_cases(
    *,
    actor: str,
    source: str = "cli",
    policy: Policy | None = None,
    on: date | None = None,
    cases: Iterable[Case] | None = None,
    progress: Callable[[int], None] | None = None,
    catalog: Catalog | None = None,
) -> ScreenRun:
    """Screen every stored case (or ``cases``) and store each decision.

    ``catalog`` is the charge catalog the policy reads the charges with (default: the shipped
    one); ``sj import resolve`` passes the catalog it has just re-read the charges with.

    One transaction per chunk of cases, each with its audit record, so a long run that stops
    keeps what it finished and never leaves a half-written chunk.
    """
    pol = policy if policy is not None else load_policy()
    run = ScreenRun(pol.id, pol.version)
    source_cases = (
        cases
        if cases is not None
        else Case.objects.select_related("arrest")
        .prefetch_related("arrest__charges")
        .order_by("pk")
    )
    chunk: list[Case] = []

    def flush() -> None:
        if not chunk:
            return
        with transaction.atomic():
            rows = []
            document = policy_snapshot(pol)
            read_with = catalog_snapshot(catalog)
            for case in chunk:
                facts = case_facts(case, on=on)
                decision = evaluate(pol, facts, catalog=catalog)
                row = _row(case, facts, decision, source, document, read_with)
                rows.append(row)
                if case.state == CaseState.INTAKE:  # a decided case's tasks came with its decision
                    rec = recommendation_from_json(decision.to_dict(), charge_positions(case))
                    run.followups_opened += len(
                        sync_followups(actor=actor, case=case, rec=rec, source=source)
                    )
                run.by_priority[row.case_priority] = run.by_priority.get(row.case_priority, 0) + 1
                for out in row.outcomes:
                    run.rows.append(
                        {
                            "arrest_key": case.arrest.arrest_key,
                            "case": case.number,
                            "law_code": out["law_code"],
                            "section": out["section"],
                            "subdivision": out["subdivision"],
                            "role": out["role"],
                            "outcome": out["outcome"],
                            "rule_id": out["rule"],
                            "policy_version": pol.version,
                            "missing_facts": ";".join(row.missing_facts),
                            "seal": out["seal"],
                        }
                    )
            PolicyDecision.objects.bulk_create(rows)
            store([case.pk for case in chunk])
            _audit(
                actor=actor,
                action="screening.screen_cases",
                object_id="",
                source=source,
                details={"policy": f"{pol.id}@{pol.version}", "cases": len(rows)},
            )
        run.cases += len(chunk)
        if progress is not None:
            progress(len(chunk))
        chunk.clear()

    for case in source_cases:
        chunk.append(case)
        if len(chunk) >= CHUNK:
            flush()
    flush()
    return run


# --- replay ----------------------------------------------------------------------------------

# What a catalog says about a charge (the rest of a charge decision is the policy's).
READING_FIELDS = ("status", "role", "section", "subdivision", "title")


class ScreeningNotOfCaseError(LookupError):
    """Replay was asked for a stored screening that is not one of the case's."""

    def __init__(self, case: Case, screening_id: int) -> None:
        super().__init__(
            f"case {case.number} has no stored screening #{screening_id}; "
            "leave out --screening to replay the latest, or take an id the replay lists"
        )


@dataclass(frozen=True)
class Difference:
    what: str  # "case priority", "charge 1 outcome", "charge 1 rule", "missing facts"
    stored: str
    now: str


@dataclass(frozen=True)
class Replay:
    """A stored screening evaluated again from its stored facts, (a) under what made it (the
    policy text and catalog text kept with it) and (b) under today's policy and catalog."""

    stored: PolicyDecision
    same_version: Decision | None  # (a); None when the stored policy cannot be read
    same_version_note: str  # why it could not be replayed, or how the policy text was found
    current: Decision  # (b)
    differences_same_version: tuple[Difference, ...]
    differences_current: tuple[Difference, ...]
    stored_catalog: str  # the catalog that made it: "digest12 (source)", or "not recorded"
    catalog_note: str  # why (a) used the shipped catalog instead of the stored one, if it did
    current_catalog: str  # the first 12 characters of today's catalog digest
    readings_changed: tuple[Difference, ...]  # (b)'s why: charge readings, stored -> today's
    policy_changed: str  # (b)'s why: "" when today's policy is the text that made it

    @property
    def replayed_as_made(self) -> bool:
        """(a) ran under the stored policy and the stored catalog both."""
        return self.same_version is not None and not self.catalog_note

    @property
    def reproduced(self) -> bool:
        return self.same_version is not None and not self.differences_same_version


def _compare(stored: dict[str, Any], again: Decision) -> tuple[Difference, ...]:
    now = again.to_dict()
    out: list[Difference] = []
    if stored.get("case_priority") != now["case_priority"]:
        out.append(
            Difference("case priority", str(stored.get("case_priority")), now["case_priority"])
        )
    before = stored.get("charges") or []
    for i, (a, b) in enumerate(zip(before, now["charges"], strict=False), start=1):
        for key, label in (("outcome", "outcome"), ("rule", "rule")):
            if a.get(key) != b.get(key):
                out.append(Difference(f"charge {i} {label}", str(a.get(key)), str(b.get(key))))
    if len(before) != len(now["charges"]):
        out.append(Difference("charges", str(len(before)), str(len(now["charges"]))))
    if sorted(stored.get("missing_facts") or []) != sorted(now["missing_facts"]):
        out.append(
            Difference(
                "missing facts",
                ", ".join(stored.get("missing_facts") or []) or "-",
                ", ".join(now["missing_facts"]) or "-",
            )
        )
    return tuple(out)


def _shown(value: object) -> str:
    return "-" if value is None or value == "" else str(value)


def _readings(stored: dict[str, Any], again: Decision) -> tuple[Difference, ...]:
    """How each charge was read (status, role, section, title) by the stored catalog and by
    ``again``'s catalog, where they differ."""
    out: list[Difference] = []
    now = again.to_dict()["charges"]
    for i, (a, b) in enumerate(zip(stored.get("charges") or [], now, strict=False), start=1):
        code = a.get("law_code") or b.get("law_code") or ""
        label = f"charge {i} ({code})" if code else f"charge {i}"
        for key in READING_FIELDS:
            if a.get(key) != b.get(key):
                out.append(Difference(f"{label} {key}", _shown(a.get(key)), _shown(b.get(key))))
    return tuple(out)


def _stored_policy(stored: PolicyDecision) -> Policy:
    """The policy that made ``stored``: its kept text when there is one, else the shipped file."""
    doc = stored.document
    if doc is None:
        return find_policy(stored.policy_id, stored.policy_version)
    return parse_policy(doc.text, f"stored {doc.policy_id} v{doc.version} ({doc.sha256[:12]})")


def _made_with(stored: PolicyDecision) -> tuple[Catalog, str]:
    """The catalog that made ``stored`` (read back from its kept text), and a note when it
    cannot be had and the shipped catalog stands in."""
    version = stored.catalog
    if version is None:
        return load_catalog(), (
            "this screening was stored before catalogs were recorded; replayed with the shipped "
            "catalog"
        )
    try:
        return stored_catalog(version), ""
    except StoredCatalogError as exc:
        return load_catalog(), str(exc)


def _catalog_label(stored: PolicyDecision) -> str:
    version = stored.catalog
    return "not recorded" if version is None else f"{version.digest[:12]} ({version.source})"


def _policy_change(stored: PolicyDecision, current: Policy) -> str:
    """How today's policy differs from the one that made ``stored`` ("" if it is the same)."""
    if (stored.policy_id, stored.policy_version) != (current.id, current.version):
        return (
            f"policy {stored.policy_id} v{stored.policy_version} -> "
            f"{current.id} v{current.version}"
        )
    text = _document_text(current)
    if stored.document is not None and text is not None and _digest(text) != stored.document.sha256:
        return f"the text of {current.id} v{current.version} was edited"
    return ""


def _edited_note(doc: PolicyVersion) -> str:
    """Say so when the shipped document of this id and version no longer has the stored text."""
    try:
        shipped = find_policy(doc.policy_id, doc.version)
    except PolicyNotFoundError:
        return (
            f"{doc.policy_id} v{doc.version} is no longer shipped; replayed from the text stored "
            "with the decision"
        )
    text = _document_text(shipped)
    if text is not None and _digest(text) != doc.sha256:
        return (
            f"the shipped {doc.policy_id} v{doc.version} was edited after this decision without "
            "a new version number; replayed from the text stored with the decision (give every "
            "change a new version)"
        )
    return ""


def case_screenings(case: Case) -> list[PolicyDecision]:
    """Every stored screening of ``case``, newest first, with the catalog each read."""
    return list(
        PolicyDecision.objects.filter(case=case)
        .select_related("catalog", "document")
        .order_by("-screened_at", "-pk")
    )


def replay(
    *,
    case: Case,
    actor: str,
    source: str = "cli",
    policy: Policy | None = None,
    catalog: Catalog | None = None,
    screening_id: int | None = None,
) -> Replay:
    """Re-evaluate a stored screening of ``case`` (the latest, or ``screening_id``) from its
    stored facts: (a) under the policy text and catalog text that made it (it must reproduce),
    and (b) under today's policy and catalog (``policy``/``catalog``, default the shipped ones),
    with why (b) differs: the charge readings that changed, and the policy if it changed."""
    if screening_id is None:
        stored = latest_decision(case)
        if stored is None:
            raise NoStoredDecisionError(case)
    else:
        found = PolicyDecision.objects.filter(case=case, pk=screening_id).first()
        if found is None:
            raise ScreeningNotOfCaseError(case, screening_id)
        stored = found
    current_policy = policy if policy is not None else load_policy()
    current_catalog = catalog if catalog is not None else load_catalog()
    made_with, catalog_note = _made_with(stored)
    same: Decision | None = None
    note = ""
    try:
        same = evaluate(_stored_policy(stored), stored.facts, catalog=made_with)
    except PolicyNotFoundError as exc:
        note = str(exc)
    if stored.document is not None:
        note = note or _edited_note(stored.document)
    current = evaluate(current_policy, stored.facts, catalog=current_catalog)
    result = Replay(
        stored=stored,
        same_version=same,
        same_version_note=note,
        current=current,
        differences_same_version=() if same is None else _compare(stored.decision, same),
        differences_current=_compare(stored.decision, current),
        stored_catalog=_catalog_label(stored),
        catalog_note=catalog_note,
        current_catalog=catalog_digest(current_catalog)[:12],
        readings_changed=_readings(stored.decision, current),
        policy_changed=_policy_change(stored, current_policy),
    )
    with transaction.atomic():
        _audit(
            actor=actor,
            action="screening.replay",
            object_id=str(case.pk),
            source=source,
            details={
                "screening": stored.pk,
                "stored": f"{stored.policy_id}@{stored.policy_version}",
                "stored_catalog": None if stored.catalog is None else stored.catalog.digest,
                "replayed_as_made": result.replayed_as_made,
                "current": f"{current_policy.id}@{current_policy.version}",
                "current_catalog": catalog_digest(current_catalog),
                "reproduced": result.reproduced,
                "changes_under_current": len(result.differences_current),
                "readings_changed": len(result.readings_changed),
            },
        )
    return result
