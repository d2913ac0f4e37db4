"""Read the stored charges again with the current (or a given) catalog: ``sj import resolve``.

:func:`resolve_charges` is the one entry point:

- every stored charge is read again exactly as the importer reads it (the same
  :class:`~survivors_justice.arrests.reader.Charges` resolver, once per distinct law code,
  PD_CD and date), in batches of arrest ids streamed from the database, so memory stays flat;
- what would change is counted by ``(field, old value, new value)``; ``dry_run`` stops there
  and writes nothing;
- otherwise each batch is one transaction: the changed charges are updated, every charge of the
  batch records the catalog that read it (``Charge.catalog``), an arrest whose charge now opens
  a case gets one (as an import would), and the existing cases of changed arrests are screened
  again under the policy in force with this catalog (new ``PolicyDecision`` rows, the old ones
  kept). A case a person has already decided keeps its decision and state; when its
  recommendation changed it gets a :class:`~survivors_justice.cases.models.CaseRecheck` row;
- the run writes one audit record (``arrests.resolve``) with the counts and the catalog digest.

A second run with the same catalog finds nothing to change.
"""

# The SQL below is assembled only from model metadata (table and column names through
# connection.ops.quote_name) and %s placeholders; no stored value is ever part of a statement.
# ruff: noqa: S608

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from time import perf_counter
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from survivors_justice.arrests.catalogs import (
    SHIPPED,
    catalog_digest,
    catalog_version_id,
    known_version_id,
)
from survivors_justice.arrests.importer import IMPORT_LOCK, _column, open_cases
from survivors_justice.arrests.models import Arrest, Charge
from survivors_justice.arrests.reader import Charges
from survivors_justice.arrests.scope import office_scope
from survivors_justice.audit.services import record_event
from survivors_justice.cases.models import Case, CaseRecheck, ChargingDecision
from survivors_justice.cases.recommendations import case_facts
from survivors_justice.cases.stored_recommendation import store_for_arrests
from survivors_justice.law import Catalog, load_catalog
from survivors_justice.locks import advisory_xact_lock
from survivors_justice.policy import Decision, Policy, evaluate, load_policy
from survivors_justice.screening.models import PolicyDecision
from survivors_justice.screening.services import screen_cases

ACTION = "arrests.resolve"
BATCH = 5000  # arrest ids per batch (and per transaction)
# The Charge fields the catalog gives, in the order of the importer's resolved values.
FIELDS = (
    "section", "subdivision", "status", "role", "family", "title", "offense_class", "in_force",
    "note",
)
AUDIT_TRANSITIONS = 100  # at most this many (field, old, new) rows in the audit record
AUDIT_VALUE_CHARS = 120
AUDIT_CASES = 100

ProgressCallback = Callable[[int, int], None]  # (arrest ids done, arrest ids in all)
Outcomes = tuple[str, tuple[str, ...]]  # (case priority, outcome of each charge)


def show(value: object) -> str:
    """A stored value as the change table prints it; blank and null are both ``null``."""
    if value is None or value == "":
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@dataclass
class ResolveSummary:
    """What one run found (and, unless ``dry_run``, did); ``as_dict()`` is what the audit record
    and ``--json`` carry."""

    catalog: str
    catalog_source: str
    dry_run: bool
    policy: str = ""
    charges: int = 0  # charges read again
    changed: int = 0  # charges whose catalog reading changed
    changes: Counter[tuple[str, str, str]] = field(default_factory=Counter)
    arrests_changed: int = 0
    cases_affected: int = 0  # existing cases of arrests with a changed charge
    cases_opened: int = 0  # arrests whose charge now opens a case and had none
    other_catalog: int = 0  # charges last read by another catalog (or by an unrecorded one)
    rescreened: int = 0  # affected cases screened again (would be, in a dry run)
    recommendations_changed: int = 0  # of those, a different recommendation than stored before
    flagged: int = 0  # decided cases whose recommendation changed: a person must look again
    flagged_cases: list[str] = field(default_factory=list)  # their numbers (the first 100)
    seconds: float = 0.0
    audit_seq: int | None = None

    @property
    def nothing_to_change(self) -> bool:
        return self.changed == 0 and self.cases_opened == 0

    def by_field(self) -> dict[str, int]:
        counts: Counter[str] = Counter()
        for (name, _, _), n in self.changes.items():
            counts[name] += n
        return {name: counts[name] for name in FIELDS if counts[name]}

    def transitions(self, limit: int | None = None) -> list[dict[str, Any]]:
        """``(field, old, new, charges)`` rows, by field order then most charges first."""
        order = {name: i for i, name in enumerate(FIELDS)}
        rows = sorted(self.changes.items(), key=lambda kv: (order[kv[0][0]], -kv[1], kv[0]))
        return [
            {"field": name, "from": old, "to": new, "charges": n}
            for (name, old, new), n in rows[:limit]
        ]

    def as_dict(self) -> dict[str, Any]:
        def cut(text: str) -> str:
            return text if len(text) <= AUDIT_VALUE_CHARS else text[: AUDIT_VALUE_CHARS - 1] + "…"

        transitions = self.transitions()
        return {
            "catalog": {"digest": self.catalog, "source": self.catalog_source},
            "policy": self.policy,
            "dry_run": self.dry_run,
            "charges": self.charges,
            "changed": self.changed,
            "by_field": self.by_field(),
            "transitions": [
                {**t, "from": cut(t["from"]), "to": cut(t["to"])}
                for t in transitions[:AUDIT_TRANSITIONS]
            ],
            "transitions_left_out": max(0, len(transitions) - AUDIT_TRANSITIONS),
            "arrests_changed": self.arrests_changed,
            "cases_affected": self.cases_affected,
            "cases_opened": self.cases_opened,
            "other_catalog": self.other_catalog,
            "rescreened": self.rescreened,
            "recommendations_changed": self.recommendations_changed,
            "flagged": self.flagged,
            "flagged_cases": self.flagged_cases[:AUDIT_CASES],
            "seconds": round(self.seconds, 3),
        }


def _key(decision: Decision) -> Outcomes:
    return decision.case_priority.value, tuple(c.outcome.value for c in decision.charges)


def _recorded_key(priority: str, charges: Iterable[dict[str, Any]]) -> Outcomes:
    return priority, tuple(str(c.get("outcome")) for c in charges)


class _Run:
    """One pass over the store; ``batch`` does one range of arrest ids."""

    def __init__(
        self,
        *,
        catalog: Catalog,
        policy: Policy,
        summary: ResolveSummary,
        actor: str,
        source: str,
        version_id: int | None,
    ) -> None:
        self.catalog, self.policy, self.summary = catalog, policy, summary
        self.actor, self.source = actor, source
        self.version_id = version_id
        self.charges = Charges(catalog)
        self.today = timezone.localdate()
        self.now = timezone.now()
        self.dates: dict[Any, date] = {}
        self.decided: dict[str, Outcomes] = {}  # facts (JSON) -> the recommendation's outcomes
        q = connection.ops.quote_name
        c_table, a_table = q(Charge._meta.db_table), q(Arrest._meta.db_table)
        stored = ", ".join(f"c.{q(_column(Charge, name))}" for name in FIELDS)
        catalog_col = q(_column(Charge, "catalog"))
        self.select = (
            f"SELECT c.id, c.arrest_id, c.{q(_column(Charge, 'law_code'))}, "
            f"a.{q(_column(Arrest, 'pd_cd'))}, a.{q(_column(Arrest, 'arrest_date'))}, {stored}, "
            f"c.{catalog_col} FROM {c_table} c JOIN {a_table} a ON a.id = c.arrest_id "
            "WHERE c.arrest_id > %s AND c.arrest_id <= %s"
        )
        sets = ", ".join(f"{q(_column(Charge, name))} = %s" for name in FIELDS)
        self.update = f"UPDATE {c_table} SET {sets}, {catalog_col} = %s WHERE id = %s"
        self.stamp = (
            f"UPDATE {c_table} SET {catalog_col} = %s WHERE arrest_id > %s AND arrest_id <= %s "
            f"AND ({catalog_col} IS NULL OR {catalog_col} <> %s)"
        )

    def _day(self, value: Any) -> date:
        day = self.dates.get(value)
        if day is None:
            day = self.dates[value] = (
                value if isinstance(value, date) else date.fromisoformat(str(value))
            )
        return day

    def batch(self, lo: int, hi: int, *, apply: bool) -> None:
        s = self.summary
        cache, resolve = self.charges.cache, self.charges.get
        updates: list[tuple[Any, ...]] = []
        changed_arrests: set[int] = set()
        opening: set[int] = set()
        with connection.cursor() as cur:
            cur.execute(self.select, [lo, hi])
            rows = cur.fetchall()
        for cid, aid, law_code, pd_cd, day, *old, catalog_id in rows:
            on = self._day(day)
            hit = cache.get((law_code, pd_cd, on)) or resolve(law_code, pd_cd, on)
            new = hit[0]
            if old[7] is not None:  # in_force: SQLite gives 0/1
                old[7] = bool(old[7])
            if catalog_id is None or catalog_id != self.version_id:
                s.other_catalog += 1
            if tuple(old) == new:
                continue
            for name, before, after in zip(FIELDS, old, new, strict=True):
                if before != after:
                    s.changes[(name, show(before), show(after))] += 1
            updates.append((*new, self.version_id, cid))
            changed_arrests.add(aid)
            if hit[3]:
                opening.add(aid)
        s.charges += len(rows)
        s.changed += len(updates)
        s.arrests_changed += len(changed_arrests)
        if apply:
            with connection.cursor() as cur:
                if updates:
                    cur.executemany(self.update, updates)
                cur.execute(self.stamp, [self.version_id, lo, hi, self.version_id])
        if not changed_arrests:
            return
        cases = dict(
            Case.objects.filter(arrest_id__gt=lo, arrest_id__lte=hi).values_list("arrest_id", "pk")
        )
        affected = sorted(cases[a] for a in changed_arrests if a in cases)
        to_open = sorted(a for a in opening if a not in cases)
        s.cases_affected += len(affected)
        if to_open:  # only arrests in the office's scope open a case
            to_open = sorted(
                Arrest.objects.filter(office_scope().q(), pk__in=to_open).values_list(
                    "pk", flat=True
                )
            )
        s.cases_opened += len(to_open)
        if apply and to_open:
            keys = Arrest.objects.filter(pk__in=to_open).values_list("pk", "arrest_key")
            with connection.cursor() as cur:
                open_cases(
                    cur,
                    sorted(keys),
                    now=self.now,
                    opened_at=connection.ops.adapt_datetimefield_value(self.now),
                )
            store_for_arrests(to_open)
        if affected:
            self._rescreen(affected, apply=apply)

    def _rescreen(self, case_ids: list[int], *, apply: bool) -> None:
        """Screen the affected cases under the policy in force with this catalog; compare with
        what was recommended before; flag decided cases whose recommendation changed."""
        s = self.summary
        cases = list(
            Case.objects.filter(pk__in=case_ids)
            .select_related("arrest")
            .prefetch_related("arrest__charges")
            .order_by("pk")
        )
        screened: dict[int, Outcomes] = {}
        for row in (
            PolicyDecision.objects.filter(case_id__in=case_ids)
            .order_by("case_id", "screened_at", "pk")
            .values_list("case_id", "case_priority", "outcomes")
        ):
            screened[row[0]] = _recorded_key(row[1], row[2])
        decided: dict[int, ChargingDecision] = {}
        for made in ChargingDecision.objects.filter(case_id__in=case_ids).order_by(
            "case_id", "decided_at", "pk"
        ):
            decided[made.case_id] = made
        flags: list[CaseRecheck] = []
        for case in cases:
            facts = case_facts(case, on=self.today)
            # Cases share few distinct fact sets (the same code, date and age group).
            memo = json.dumps(facts, sort_keys=True, default=str)
            key = self.decided.get(memo)
            if key is None:
                key = self.decided[memo] = _key(
                    evaluate(self.policy, facts, catalog=self.catalog)
                )
            decision = decided.get(case.pk)
            recommended = None
            if decision is not None:
                recommended = _recorded_key(
                    decision.recommended_priority, decision.recommendation.get("charges") or []
                )
            before = screened.get(case.pk, recommended)
            if before is not None and before != key:
                s.recommendations_changed += 1
            if decision is not None and recommended != key:
                s.flagged += 1
                if len(s.flagged_cases) < AUDIT_CASES:
                    s.flagged_cases.append(case.number)
                if apply and self.version_id is not None:
                    flags.append(
                        CaseRecheck(
                            case=case,
                            decision=decision,
                            catalog_id=self.version_id,
                            decided_priority=decision.recommended_priority,
                            recommended_priority=key[0],
                            decided_outcomes=list(recommended[1]) if recommended else [],
                            recommended_outcomes=list(key[1]),
                            flagged_at=self.now,
                        )
                    )
        s.rescreened += len(cases)
        if apply:
            screen_cases(
                actor=self.actor,
                source=self.source,
                policy=self.policy,
                on=self.today,
                cases=cases,
                catalog=self.catalog,
            )
            CaseRecheck.objects.bulk_create(flags, ignore_conflicts=True)


def resolve_charges(
    *,
    actor: str,
    source: str = "cli",
    catalog: Catalog | None = None,
    catalog_source: str = SHIPPED,
    policy: Policy | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH,
    on_progress: ProgressCallback | None = None,
) -> ResolveSummary:
    """Read every stored charge again with ``catalog`` (default: the shipped one).

    ``dry_run`` counts what would change and writes nothing (no audit record either: nothing was
    done). Otherwise one transaction per batch of ``batch_size`` arrest ids, and the run's audit
    record (``arrests.resolve``) in the transaction of the last batch; a failed run writes an
    audit record with outcome ``failed`` and keeps the batches it finished (run it again).
    """
    started = perf_counter()
    cat = catalog if catalog is not None else load_catalog()
    pol = policy if policy is not None else load_policy()
    digest = catalog_digest(cat)
    summary = ResolveSummary(
        catalog=digest,
        catalog_source=catalog_source,
        dry_run=dry_run,
        policy=f"{pol.id}@{pol.version}",
    )
    run = _Run(
        catalog=cat,
        policy=pol,
        summary=summary,
        actor=actor,
        source=source,
        version_id=known_version_id(digest),
    )
    with connection.cursor() as cur:
        table = connection.ops.quote_name(Charge._meta.db_table)
        cur.execute(f"SELECT MIN(arrest_id), MAX(arrest_id) FROM {table}")
        first, last = cur.fetchone()
    if first is None:
        first = last = 0
    lo, total = first - 1, last - first + 1

    def audit(outcome: str, details: dict[str, Any]) -> None:
        record = record_event(
            actor=actor, action=ACTION, object_type="charges", object_id=digest[:16],
            source=source, outcome=outcome, details=details,
        )
        summary.audit_seq = record.seq

    try:
        while True:
            hi = min(lo + batch_size, last)
            final = hi >= last
            if dry_run:
                if hi > lo:
                    run.batch(lo, hi, apply=False)
            else:
                with transaction.atomic():
                    if connection.vendor == "postgresql":  # an import in progress goes first
                        with connection.cursor() as cur:
                            advisory_xact_lock(cur, IMPORT_LOCK)
                    if run.version_id is None:
                        run.version_id = catalog_version_id(cat, catalog_source)
                    if hi > lo:
                        run.batch(lo, hi, apply=True)
                    if final:
                        summary.seconds = perf_counter() - started
                        audit("success", summary.as_dict())
            if on_progress is not None:
                on_progress(hi - first + 1, total)
            lo = hi
            if final:
                break
    except BaseException as exc:
        summary.seconds = perf_counter() - started
        if not dry_run:
            with transaction.atomic():
                audit(
                    "failed",
                    {**summary.as_dict(), "error": type(exc).__name__,
                     "note": "batches finished before the failure stay applied; run it again"},
                )
        raise
    summary.seconds = perf_counter() - started
    return summary
