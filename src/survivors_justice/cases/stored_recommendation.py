"""The policy's recommendation kept on the case, so the queues filter and sort with an index.

``store`` is the one writer of ``Case.recommended_priority``, ``recommended_policy``,
``recommended_on``, ``readiness_deadline``, ``trafficking_queue`` and the case's
``RecommendedOutcome`` rows. Every path that changes what they are computed from calls it inside
its own transaction: screening (one case and in bulk, ``sj screen --db``, ``sj import resolve``),
opening cases (``sj import arrests``), facts and charge amendments, decisions, reviews, reopening
and follow-up tasks.

What is stored is exactly what the queue shows for the case: ``recommendations.recommend`` under
the policy in force and the shipped catalog, on the day it is stored. It stays right while
(a) the policy document and the catalog are the ones it was computed with (``policy_key``) and
(b) no dated fact of the law or the policy (a section coming into force or repealed, the policy's
effective date) falls between the day it was stored and today (``date_window``). A row failing
either is *stale*: the queue's outcome filter evaluates it again as the page loads and says how
many it did; ``sj cases refresh`` (nightly, and after a new policy version) stores them afresh.
"""

from __future__ import annotations

import bisect
import hashlib
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Field, Q
from django.utils import timezone

from survivors_justice.arrests.models import Charge
from survivors_justice.cases.clock import deadline_of
from survivors_justice.cases.models import Case, RecommendedOutcome
from survivors_justice.cases.recommendations import (
    current_policy,
    fact_key,
    recommendation_for,
)
from survivors_justice.law import Catalog, load_catalog
from survivors_justice.policy import Policy

BATCH = 2000


_DIGESTS: dict[int, tuple[Policy, str]] = {}


def row_fact_key(
    held: list[tuple[int, str, str]],
    law_code: str,
    pd_cd: str,
    arrest_date: date,
    age_group: str,
    today: date,
    known: dict[str, Any] | None = None,
    amended: list[Any] | None = None,
) -> tuple[Any, ...]:
    """`recommendations.fact_key` from plain column values and `_charges_by_arrest`'s charges."""
    return fact_key(
        arrest_law_code=law_code,
        charges=[(position, code) for position, code, _ in held],
        pd_cd=pd_cd,
        arrest_date=arrest_date,
        age_group=age_group,
        on=today,
        known=known,
        amended=amended,
    )


def _policy_digest(policy: Policy) -> str:
    held = _DIGESTS.get(id(policy))
    if held is not None and held[0] is policy:
        return held[1]
    digest = _digest_of(policy)
    _DIGESTS[id(policy)] = (policy, digest)
    return digest


def _digest_of(policy: Policy) -> str:
    path = policy.path
    if path is not None:
        try:
            with open(path, "rb") as handle:
                return hashlib.sha256(handle.read()).hexdigest()[:12]
        except OSError:
            pass
    text = repr((policy.id, policy.version, policy.rules, policy.case_priority))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]


def _catalog_digest(catalog: Catalog) -> str:
    from survivors_justice.arrests.catalogs import catalog_digest

    return catalog_digest(catalog)[:12]


def policy_key(policy: Policy | None = None, catalog: Catalog | None = None) -> str:
    """What a stored recommendation was computed under: ``id@version/policy/catalog`` (the
    digests catch a document or catalog edited without a new version number)."""
    pol = policy if policy is not None else current_policy()
    cat = catalog if catalog is not None else load_catalog()
    return f"{pol.id}@{pol.version}/{_policy_digest(pol)}/{_catalog_digest(cat)}"


_BOUNDARIES: dict[tuple[int, int], tuple[Policy, Catalog, list[date]]] = {}


def _boundaries(policy: Policy, catalog: Catalog) -> list[date]:
    held = _BOUNDARIES.get((id(policy), id(catalog)))
    if held is not None and held[0] is policy and held[1] is catalog:
        return held[2]
    days = _dated_days(policy, catalog)
    _BOUNDARIES[(id(policy), id(catalog))] = (policy, catalog, days)
    return days


def _dated_days(policy: Policy, catalog: Catalog) -> list[date]:
    """Every day on which a decision made that day may differ from one made the day before:
    a catalog section comes into force or its last day has passed, or the policy takes effect."""
    days = {policy.effective_from}
    for entry in catalog.entries:
        if entry.in_force_from is not None:
            days.add(entry.in_force_from)
        if entry.in_force_to is not None:
            days.add(entry.in_force_to + timedelta(days=1))
    days.discard(date.min)
    return sorted(days)


def date_window(
    on: date, policy: Policy | None = None, catalog: Catalog | None = None
) -> tuple[date | None, date | None]:
    """``[first, last)``: the days that decide like ``on`` (None: open-ended)."""
    pol = policy if policy is not None else current_policy()
    cat = catalog if catalog is not None else load_catalog()
    days = _boundaries(pol, cat)
    i = bisect.bisect_right(days, on)
    return (days[i - 1] if i > 0 else None), (days[i] if i < len(days) else None)


def fresh_filter(on: date | None = None) -> Q:
    """Cases whose stored recommendation is the one the policy in force gives ``on`` (today)."""
    first, last = date_window(on or timezone.localdate())
    q = Q(recommended_policy=policy_key(), recommended_on__isnull=False)
    if first is not None:
        q &= Q(recommended_on__gte=first)
    if last is not None:
        q &= Q(recommended_on__lt=last)
    return q


def stale_filter(on: date | None = None) -> Q:
    """Exactly the cases :func:`fresh_filter` leaves out, written as ranges of
    ``(state, recommended_policy, recommended_on)``, the index ``cases_case_state_policy``: the
    few stale cases are found in it instead of reading every fresh case of the queue to rule it
    out (30 ms over 50,000 cases in intake on PostgreSQL, 0.3 ms with the ranges). A policy key
    other than the current one is below or above it (``recommended_policy`` is never NULL)."""
    first, last = date_window(on or timezone.localdate())
    key = policy_key()
    same = Q(recommended_policy=key)
    q = (
        Q(recommended_policy__lt=key)
        | Q(recommended_policy__gt=key)
        | (same & Q(recommended_on__isnull=True))
    )
    if first is not None:
        q |= same & Q(recommended_on__lt=first)
    if last is not None:
        q |= same & Q(recommended_on__gte=last)
    return q


def _trafficking_ids(case_ids: list[int]) -> set[int]:
    from survivors_justice.permissions import trafficking_queue_filter

    return set(
        Case.objects.filter(pk__in=case_ids)
        .filter(trafficking_queue_filter())
        .values_list("pk", flat=True)
    )


def store(case_ids: Iterable[int]) -> int:
    """Compute and keep the recommendation, readiness deadline and trafficking-queue membership of
    each case of ``case_ids`` (inside the caller's transaction); how many cases were stored."""
    ids = sorted(set(case_ids))
    done = 0
    for start in range(0, len(ids), BATCH):
        done += _store_batch(ids[start : start + BATCH])
    return done


def store_case(case: Case) -> None:
    """:func:`store` for one case; ``case``'s attributes are brought up to date too."""
    store([case.pk])
    fresh = Case.objects.filter(pk=case.pk).values(*_FIELDS).first()
    if fresh is not None:
        for name, value in fresh.items():
            setattr(case, name, value)


_FIELDS = (
    "recommended_priority",
    "recommended_policy",
    "recommended_on",
    "readiness_deadline",
    "trafficking_queue",
)


def _db_date(day: date | None) -> Any:
    return connection.ops.adapt_datefield_value(day)


def _column(name: str) -> str:
    f = Case._meta.get_field(name)
    if not isinstance(f, Field) or not f.column:
        raise TypeError(f"Case.{name} is not a stored column")
    return str(f.column)


def _update_sql() -> str:
    q = connection.ops.quote_name
    columns = ", ".join(f"{q(_column(name))} = %s" for name in _FIELDS)
    table, pk = q(Case._meta.db_table), q(Case._meta.pk.column)
    # Identifiers from the model's own metadata, quoted; every value is a parameter.
    return f"UPDATE {table} SET {columns} WHERE {pk} = %s"  # noqa: S608


def _store_batch(ids: list[int]) -> int:
    rows = list(
        Case.objects.filter(pk__in=ids).values_list(
            "pk",
            "arrest_id",
            "arrest__law_code",
            "arrest__pd_cd",
            "arrest__arrest_date",
            "arrest__age_group",
            "arrest__law_cat_cd",
            "known_facts",
            "amended_charges",
        )
    )
    if not rows:
        return 0
    charges: dict[int, list[tuple[int, str, str]]] = {}
    for arrest_id, position, law_code, offense_class in Charge.objects.filter(
        arrest_id__in=[r[1] for r in rows]
    ).values_list("arrest_id", "position", "law_code", "offense_class"):
        charges.setdefault(arrest_id, []).append((position, law_code, offense_class or ""))
    queue = _trafficking_ids([r[0] for r in rows])
    today = timezone.localdate()
    on_db = _db_date(today)
    key = policy_key()
    updates: list[tuple[Any, ...]] = []
    outcomes: list[RecommendedOutcome] = []
    for pk, arrest_id, law_code, pd_cd, arrest_date, age_group, category, known, amended in rows:
        held = charges.get(arrest_id, [])
        rec = recommendation_for(
            row_fact_key(held, law_code, pd_cd, arrest_date, age_group, today, known, amended)
        )
        deadline = deadline_of([c for _, _, c in held], category, arrest_date)
        updates.append((rec.case_priority, key, on_db, _db_date(deadline), pk in queue, pk))
        held_outcomes = sorted({c.outcome for c in rec.charges})
        outcomes.extend(RecommendedOutcome(case_id=pk, outcome=o) for o in held_outcomes)
    # One prepared statement for the batch (Django's bulk_update builds a CASE per row and field,
    # seconds of Python for 2,000 rows).
    with connection.cursor() as cur:
        cur.executemany(_update_sql(), updates)
    RecommendedOutcome.objects.filter(case_id__in=[r[0] for r in rows]).delete()
    RecommendedOutcome.objects.bulk_create(outcomes, batch_size=1000)
    return len(rows)


def refresh(
    *,
    everything: bool = False,
    progress: Callable[[int], None] | None = None,
    on: date | None = None,
) -> int:
    """Store again every case whose stored recommendation is stale (or every case): one
    transaction per batch of ids, so a long run keeps what it finished. How many were stored."""
    qs = Case.objects.all() if everything else Case.objects.filter(stale_filter(on))
    last = 0
    done = 0
    while True:
        ids = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH])
        if not ids:
            return done
        with transaction.atomic():
            done += _store_batch(ids)
        last = ids[-1]
        if progress is not None:
            progress(len(ids))


def stale_count(qs: Any, *, limit: int = 10_000) -> int:
    """How many cases of ``qs`` have a stale stored recommendation (counted up to ``limit``)."""
    return int(qs.filter(stale_filter()).order_by()[:limit].count())


def store_for_arrests(arrest_ids: Iterable[int]) -> int:
    """:func:`store` for the cases opened from ``arrest_ids`` (arrests without a case skipped):
    for the importers, which know arrests, not cases."""
    wanted = sorted(set(arrest_ids))
    ids: list[int] = []
    for start in range(0, len(wanted), BATCH):
        ids.extend(
            Case.objects.filter(arrest_id__in=wanted[start : start + BATCH]).values_list(
                "pk", flat=True
            )
        )
    return store(ids)
