"""Finding cases in the intake queue: filters, sort, pages and the CSV export's rows.

Every query starts from :func:`survivors_justice.permissions.visible_cases`, so a search or an
export never reaches a case its reader could not open. Names and other personal fields are
encrypted in the database (AES-GCM, ``PersonalTextField``): SQL cannot compare them, so a search
matches the start of the case number or of the NYPD arrest key only, an index lookup
(docs/decisions.md).

The recommended outcome is stored on the case (``cases/stored_recommendation.py``): the outcome
filter is one indexed query over the cases whose stored recommendation holds for the policy in
force and today. Cases whose stored one is stale (a new policy version, a dated change of the law
since it was stored) are evaluated as the page loads, a few at a time when they are few; when many
are (a new policy, not yet refreshed with ``sj cases refresh``) the whole queue is evaluated as
before storing it: slower, never wrong.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.expressions import OrderBy, RawSQL
from django.utils import timezone

from survivors_justice.arrests.models import Arrest, Charge
from survivors_justice.cases import paging, recommendations, stored_recommendation
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, Person, RecommendedOutcome
from survivors_justice.fields import unseal_value
from survivors_justice.permissions import INTAKE_STATES, visible_cases

# sort key -> (label, ORDER BY); every ordering ends on a unique column so pages never overlap.
# The default is the CPL 30.30 readiness deadline stored on the case (cases without a known
# class last, on both databases).
DEFAULT_SORT = "deadline"
SORTS: dict[str, tuple[str, tuple[str | OrderBy, ...]]] = {
    "deadline": (
        "Readiness deadline (CPL 30.30), soonest first",
        (F("readiness_deadline").asc(nulls_last=True), "pk"),
    ),
    "opened": ("Opened, oldest first", ("pk",)),
    "-opened": ("Opened, newest first", ("-pk",)),
    "arrested": ("Arrest date, oldest first", ("arrest__arrest_date", "pk")),
    "-arrested": ("Arrest date, newest first", ("-arrest__arrest_date", "-pk")),
    "number": ("Case number", ("number",)),
}
ANY_STATE = "any"
SCAN_CHUNK = 2000


@dataclass(frozen=True)
class CaseFilter:
    """What a person asked the queue for. Empty values filter nothing."""

    q: str = ""
    outcome: str = ""
    role: str = ""
    status: str = ""  # "" = new cases (intake); ANY_STATE = every state of the queue
    borough: str = ""
    precinct: int | None = None
    arrested_from: date | None = None
    arrested_to: date | None = None
    sort: str = DEFAULT_SORT

    def params(self) -> dict[str, str]:
        """The filter as query parameters (empty ones left out): for links and the audit log."""
        values = {
            "q": self.q,
            "outcome": self.outcome,
            "role": self.role,
            "status": self.status,
            "borough": self.borough,
            "precinct": "" if self.precinct is None else str(self.precinct),
            "arrested_from": self.arrested_from.isoformat() if self.arrested_from else "",
            "arrested_to": self.arrested_to.isoformat() if self.arrested_to else "",
            "sort": "" if self.sort == DEFAULT_SORT else self.sort,
        }
        return {k: v for k, v in values.items() if v}

    @property
    def narrows(self) -> bool:
        """Anything beyond the plain queue (sort alone narrows nothing)."""
        return any(k != "sort" for k in self.params())


def _states(status: str) -> list[str]:
    if status == ANY_STATE:
        return sorted(INTAKE_STATES)
    if status in INTAKE_STATES:
        return [status]
    return [CaseState.INTAKE]


def filtered_cases(principal: Any, f: CaseFilter) -> QuerySet[Case]:
    """The cases ``principal`` may see that match ``f`` (all but the outcome), sorted."""
    qs = visible_cases(principal).filter(state__in=_states(f.status))
    if f.q:
        qs = qs.filter(number_filter(f.q))
    if f.role:
        qs = qs.filter(Exists(Charge.objects.filter(arrest_id=OuterRef("arrest_id"), role=f.role)))
    if f.borough:
        qs = qs.filter(arrest__borough=f.borough)
    if f.precinct is not None:
        qs = qs.filter(arrest__precinct=f.precinct)
    sort = f.sort if f.sort in SORTS else DEFAULT_SORT
    if f.arrested_from and sort == DEFAULT_SORT and _deadlines_known(_states(f.status)):
        qs = qs.filter(
            readiness_deadline__gte=f.arrested_from,
            arrest__arrest_date__gte=f.arrested_from,
            **({"arrest__arrest_date__lte": f.arrested_to} if f.arrested_to else {}),
        )
    elif f.arrested_from or f.arrested_to:
        qs = qs.filter(arrest_id__in=_arrested_between(f.arrested_from, f.arrested_to))
    return qs.order_by(*SORTS[sort][1])


def _deadlines_known(states: list[str]) -> bool:
    """Whether every case in ``states`` has a readiness deadline (one index look-up).

    A readiness deadline is never before its arrest date (every CPL 30.30 period is a positive
    number of days from it), so "arrested on or after D" may add "deadline on or after D": the
    queue, in deadline order, then starts its walk of the deadline index at D instead of at the
    queue's first deadline (50,000 cases in intake, one year of 2016: 54 ms of PostgreSQL's time
    -> 3 ms). A case without a deadline would fall out of that range, so then it is not added."""
    return not Case.objects.filter(state__in=states, readiness_deadline__isnull=True).exists()


def _arrested_between(start: date | None, end: date | None) -> QuerySet[Arrest, Any] | RawSQL:
    """The ids of arrests made from ``start`` to ``end`` (inclusive), for ``arrest_id__in``.

    The readiness deadline follows the arrest date, so PostgreSQL, assuming the two independent,
    would walk the queue in deadline order past every earlier arrest looking for a page of them
    (240 ms over 50,000 cases in intake for one year of 2016). ``OFFSET 0`` keeps the subquery
    apart: the arrests of the range are found by their date index first (65 ms)."""
    arrests = Arrest.objects.all()
    if start:
        arrests = arrests.filter(arrest_date__gte=start)
    if end:
        arrests = arrests.filter(arrest_date__lte=end)
    ids = arrests.order_by().values("pk")
    if connection.vendor != "postgresql":
        return ids
    sql, params = ids.query.sql_with_params()
    return RawSQL(f"{sql} OFFSET 0", params)  # noqa: S611 (the ORM's own SQL and parameters)


NUMBER_IDS_MAX = 2000  # a prefix matching more is given to SQL as subqueries


def number_filter(text: str) -> Q:
    """Cases whose number or NYPD arrest key starts with ``text`` (case numbers are upper case:
    ``nypd-2017`` finds ``NYPD-2017...``): two index range scans whose ids the queue then reads
    by primary key, never a scan of the table; a short prefix matching thousands of cases is
    left to SQL as the same two lookups in subqueries."""
    from survivors_justice.arrests.models import Arrest

    wanted = text.strip()
    by_number = Case.objects.filter(number__startswith=wanted.upper()).values("pk")
    by_key = Case.objects.filter(
        arrest_id__in=Arrest.objects.filter(arrest_key__startswith=wanted).values("pk")
    ).values("pk")
    ids: list[int] = []
    for found in (by_number, by_key):
        some = list(found.order_by().values_list("pk", flat=True)[: NUMBER_IDS_MAX + 1])
        if len(some) > NUMBER_IDS_MAX:
            return Q(pk__in=by_number) | Q(pk__in=by_key)
        ids += some
    return Q(pk__in=sorted(set(ids)))


def _charges_by_arrest(arrest_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
    """(position, law code, role) of each arrest's charges, by position, in one query."""
    charges: dict[int, list[tuple[int, str, str]]] = {}
    for arrest_id, position, law_code, role in Charge.objects.filter(
        arrest_id__in=arrest_ids
    ).values_list("arrest_id", "position", "law_code", "role"):
        charges.setdefault(arrest_id, []).append((position, law_code, role))
    for held in charges.values():
        held.sort()
    return charges


def _with_outcome(qs: QuerySet[Case], outcome: str, limit: int | None, *,
                  few: bool = False) -> Iterator[int]:
    """The ids of ``qs``, in order, whose recommendation gives some charge ``outcome``.

    ``few``: ``qs`` holds a bounded number of cases, read at once (no server-side cursor)."""
    values = qs.values_list(
        "pk",
        "arrest_id",
        "arrest__law_code",
        "arrest__pd_cd",
        "arrest__arrest_date",
        "arrest__age_group",
        "known_facts",
        "amended_charges",
    )
    rows = iter(list(values)) if few else values.iterator(chunk_size=SCAN_CHUNK)
    today = timezone.localdate()
    found = 0
    while chunk := list(itertools.islice(rows, SCAN_CHUNK)):
        charges = _charges_by_arrest([r[1] for r in chunk])
        for pk, arrest_id, law_code, pd_cd, arrest_date, age_group, known, amended in chunk:
            key = stored_recommendation.row_fact_key(
                charges.get(arrest_id, []), law_code, pd_cd, arrest_date, age_group, today,
                known, amended,
            )
            if outcome in recommendations.recommended_outcomes(key):
                yield pk
                found += 1
                if limit is not None and found >= limit:
                    return


GROUPED_MAX_TERMS = 300  # past this many SQL terms the early-stopping scan is used instead


def _plain_key_filter() -> Q:
    """Cases whose recommendation depends only on columns of their arrest and its first charge:
    no answered facts, no amended charges (an arrest with several charges is scanned apart)."""
    return (Q(known_facts__isnull=True) | Q(known_facts={})) & Q(amended_charges__isnull=True)


SCAN_FIRST_ROWS = 3 * SCAN_CHUNK  # a page of a common outcome is found within these


def _grouped(qs: QuerySet[Case], outcome: str, limit: int | None) -> list[int] | None:
    """The ids of ``qs`` (in order) whose recommendation gives ``outcome``, evaluating each
    distinct (charge, PD code, arrest date, age group) once instead of each case: a rare outcome
    no longer reads every case. None when the matching groups need too many SQL terms (a common
    outcome: the scan finds a page of them at once)."""
    plain = _plain_key_filter()
    several = Charge.objects.filter(position__gt=1).values("arrest_id")
    simple = qs.filter(plain, arrest__charges__position=1).exclude(arrest_id__in=several)
    today = timezone.localdate().isoformat()
    groups = simple.order_by().values_list(
        "arrest__charges__law_code", "arrest__pd_cd", "arrest__arrest_date", "arrest__age_group"
    ).distinct()
    dates: dict[tuple[str, str, str], tuple[list[date], list[int]]] = {}
    outcomes = recommendations.recommended_outcomes
    for law_code, pd_cd, arrest_date, age_group in groups.iterator(chunk_size=5000):
        # recommendations.fact_key for one charge at position 1, no answers, no amendments
        key = ((law_code,), (1,), pd_cd or None, arrest_date.isoformat(), age_group or None,
               today, ())
        matched, seen = dates.setdefault((law_code, pd_cd, age_group), ([], [0]))
        seen[0] += 1
        if outcome in outcomes(key):
            matched.append(arrest_date)
    terms = Q(pk__in=[])
    count = 0
    for (law_code, pd_cd, age_group), (matched, seen) in dates.items():
        if not matched:
            continue
        group = Q(
            arrest__charges__law_code=law_code, arrest__pd_cd=pd_cd, arrest__age_group=age_group
        )
        if len(matched) < seen[0]:  # the outcome depends on the date: name the dates
            group &= Q(arrest__arrest_date__in=matched)
        terms |= group
        count += 1
        if count > GROUPED_MAX_TERMS:
            return None
    rest = qs.exclude(pk__in=simple.values("pk"))
    others = list(_with_outcome(rest, outcome, None))
    found = qs.filter(
        Q(pk__in=simple.filter(terms).values("pk")) | Q(pk__in=others)
    ).values_list("pk", flat=True)
    return list(found[:limit] if limit is not None else found)


STALE_LIVE_MAX = 2000  # stale cases evaluated beside the stored ones; past this, all are


def _stored_outcome(qs: QuerySet[Case], outcome: str, limit: int | None) -> list[int] | None:
    """The ids of ``qs`` (in order) whose recommendation gives some charge ``outcome``, read from
    the stored outcomes; the few stale cases are evaluated now. None when too many are stale."""
    fresh = stored_recommendation.fresh_filter()
    with_outcome = RecommendedOutcome.objects.filter(outcome=outcome).values("case_id")
    stale = list(
        qs.filter(stored_recommendation.stale_filter())
        .order_by()
        .values_list("pk", flat=True)[: STALE_LIVE_MAX + 1]
    )
    if len(stale) > STALE_LIVE_MAX:
        return None
    matched = qs.filter(fresh, pk__in=with_outcome)
    if stale:
        live = list(_with_outcome(qs.filter(pk__in=stale).order_by(), outcome, None, few=True))
        if limit is None:
            matched = qs.filter((fresh & Q(pk__in=with_outcome)) | Q(pk__in=live))
        else:
            # The first ``limit`` of both are among the first ``limit`` stored matches and the
            # stale ones that match: sorting those few is quicker than one query with an OR,
            # which reads every stored outcome of the kind.
            first = list(matched.values_list("pk", flat=True)[:limit])
            matched = qs.filter(pk__in=first + live)
    ids = matched.values_list("pk", flat=True)
    return list(ids[:limit] if limit is not None else ids)


def matching_ids(principal: Any, f: CaseFilter, limit: int | None = None) -> list[int]:
    """The ids of every case ``principal`` may see that matches ``f``, in the filter's order."""
    qs = filtered_cases(principal, f)
    if f.outcome:
        stored = _stored_outcome(qs, f.outcome, limit)
        if stored is not None:
            return stored
        if limit is not None:  # a page: a common outcome is found in the first rows
            first = list(_with_outcome(qs[:SCAN_FIRST_ROWS], f.outcome, limit))
            if len(first) >= limit:
                return first
        grouped = _grouped(qs, f.outcome, limit)
        if grouped is not None:
            return grouped
        return list(_with_outcome(qs, f.outcome, limit))
    ids = qs.values_list("pk", flat=True)
    return list(ids[:limit] if limit is not None else ids)


def in_order(ids: list[int]) -> list[Case]:
    """The cases ``ids`` with what a list shows of them, in the order given."""
    by_pk = {c.pk: c for c in paging.with_queue_data(Case.objects.filter(pk__in=ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def recommendations_of(cases: list[Case]) -> dict[int, recommendations.Recommendation]:
    """Each case's recommendation today, by case id, its charges read in one query of plain
    values (no charge objects: for a page of the queue, building them cost more than the rest)."""
    charges = _charges_by_arrest([c.arrest_id for c in cases])
    today = timezone.localdate()
    found: dict[int, recommendations.Recommendation] = {}
    for case in cases:
        arrest = case.arrest
        found[case.pk] = recommendations.recommendation_for(
            stored_recommendation.row_fact_key(
                charges.get(arrest.pk, []), arrest.law_code, arrest.pd_cd, arrest.arrest_date,
                arrest.age_group, today, case.known_facts, case.amended_charges,
            )
        )
    return found


def page(principal: Any, f: CaseFilter, number: int, size: int) -> paging.Page:
    """One page of the filtered queue (no COUNT(*): one row more than shown says "next")."""
    from survivors_justice.limits import check_page

    number = check_page(max(1, number))
    if not f.outcome:
        qs = paging.with_queue_data(filtered_cases(principal, f))
        return paging.page_of(qs, number, size)
    ids = matching_ids(principal, f, limit=number * size + 1)
    shown = ids[(number - 1) * size : number * size]
    return paging.Page(items=in_order(shown), number=number, has_next=len(ids) > number * size)


# --- the CSV export ----------------------------------------------------------------------------

EXPORT_CHUNK = 500
BASE_COLUMNS = (
    "case_number",
    "arrest_key",
    "state",
    "opened",
    "arrest_date",
    "borough",
    "precinct",
    "age_group",
    "charges",
    "charged_as",
    "recommendation",
    "policy_version",
)
PERSONAL_COLUMNS = ("defendant_given_name", "defendant_family_name")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def export_columns(principal: Any) -> tuple[str, ...]:
    """The columns ``principal`` gets: names only for a role that may open the cases' records."""
    from survivors_justice.permissions import Action, can

    return BASE_COLUMNS + (PERSONAL_COLUMNS if can(principal, Action.VIEW_CASE) else ())


def _cell(value: object) -> str:
    """Text a spreadsheet shows as text: a leading ``= + - @`` would start a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


# What an export row reads, as plain column values: no model instance is built (for a whole
# queue, building the case, arrest and charge objects costs more than everything else together).
_EXPORT_VALUES = (
    "pk",
    "number",
    "state",
    "opened_at",
    "arrest_id",
    "arrest__arrest_key",
    "arrest__arrest_date",
    "arrest__borough",
    "arrest__precinct",
    "arrest__age_group",
    "arrest__law_code",
    "arrest__pd_cd",
    "known_facts",
    "amended_charges",
)


def _export_rows(ids: list[int], columns: tuple[str, ...]) -> Iterator[list[str]]:
    """One row of ``columns`` per case of ``ids``, in that order, read in chunks."""
    personal = PERSONAL_COLUMNS[0] in columns
    fields = _EXPORT_VALUES + (
        ("defendant__given_name", "defendant__family_name", "defendant_id") if personal else ()
    )
    today = timezone.localdate()
    for start in range(0, len(ids), EXPORT_CHUNK):
        chunk = ids[start : start + EXPORT_CHUNK]
        rows = {r[0]: r for r in Case.objects.filter(pk__in=chunk).values_list(*fields)}
        charges = _charges_by_arrest([r[4] for r in rows.values()])
        for pk in chunk:
            if pk not in rows:
                continue
            (_, number, state, opened_at, arrest_id, arrest_key, arrest_date, borough, precinct,
             age_group, law_code, pd_cd, known, amended, *names) = rows[pk]  # fmt: skip
            held = charges.get(arrest_id, [])
            rec = recommendations.recommendation_for(
                stored_recommendation.row_fact_key(
                    held, law_code, pd_cd, arrest_date, age_group, today, known, amended
                )
            )
            values: dict[str, object] = {
                "case_number": number,
                "arrest_key": arrest_key,
                "state": state,
                "opened": opened_at.date().isoformat(),
                "arrest_date": arrest_date.isoformat(),
                "borough": borough,
                "precinct": precinct,
                "age_group": age_group,
                "charges": "; ".join(code for _, code, _ in held) or law_code,
                "charged_as": "; ".join(role or "not cataloged" for _, _, role in held),
                "recommendation": "; ".join(c.outcome for c in rec.charges),
                "policy_version": f"{rec.policy_id}@{rec.policy_version}",
            }
            if personal:
                given, family, person = names  # ciphertexts, bound to the person's row
                values["defendant_given_name"] = unseal_value(Person, "given_name", given, person)
                values["defendant_family_name"] = unseal_value(
                    Person, "family_name", family, person
                )
            yield [_cell(values[c]) for c in columns]


class _Line:
    """A file-like object whose ``write`` returns what it was given (for ``csv.writer``)."""

    def write(self, text: str) -> str:
        return text


def csv_lines(ids: list[int], columns: tuple[str, ...]) -> Iterator[str]:
    """The header, then one CSV line per case of ``ids`` (in that order), read in chunks."""
    import csv

    writer = csv.writer(_Line())
    yield writer.writerow(columns)
    for row in _export_rows(ids, columns):
        yield writer.writerow(row)
