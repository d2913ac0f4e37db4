"""Finding cases in the intake queue: filters, sort, pages and the CSV export's rows.

Every query starts from :func:`survivors_justice.permissions.visible_cases`, so a search or an
export never reaches a case its reader could not open. Names and other personal fields are
encrypted in the database (AES-GCM, ``PersonalTextField``): SQL cannot compare them, so a search
matches the case number and the NYPD arrest key only (docs/decisions.md).

The recommended outcome is not stored: it is the policy in force applied to the case's facts
today, as the queue shows it. Filtering on it reads the few columns the facts come from, in
pages of the sorted query, and asks :func:`recommendations.recommended_outcomes` (cached per
distinct fact set), so page 1 stops as soon as it has its rows.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from survivors_justice.arrests.models import Charge
from survivors_justice.cases import paging, recommendations
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case
from survivors_justice.permissions import INTAKE_STATES, visible_cases

# sort key -> (label, ORDER BY); every ordering ends on a unique column so pages never overlap.
SORTS: dict[str, tuple[str, tuple[str, ...]]] = {
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
    sort: str = "opened"

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
            "sort": "" if self.sort == "opened" else self.sort,
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
        text = f.q.strip()
        qs = qs.filter(Q(number__icontains=text) | Q(arrest__arrest_key__icontains=text))
    if f.role:
        qs = qs.filter(Exists(Charge.objects.filter(arrest_id=OuterRef("arrest_id"), role=f.role)))
    if f.borough:
        qs = qs.filter(arrest__borough=f.borough)
    if f.precinct is not None:
        qs = qs.filter(arrest__precinct=f.precinct)
    if f.arrested_from:
        qs = qs.filter(arrest__arrest_date__gte=f.arrested_from)
    if f.arrested_to:
        qs = qs.filter(arrest__arrest_date__lte=f.arrested_to)
    return qs.order_by(*SORTS.get(f.sort, SORTS["opened"])[1])


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


def _key(
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
    return recommendations.fact_key(
        arrest_law_code=law_code,
        charges=[(position, code) for position, code, _ in held],
        pd_cd=pd_cd,
        arrest_date=arrest_date,
        age_group=age_group,
        on=today,
        known=known,
        amended=amended,
    )


def _with_outcome(qs: QuerySet[Case], outcome: str, limit: int | None) -> Iterator[int]:
    """The ids of ``qs``, in order, whose recommendation gives some charge ``outcome``."""
    rows = qs.values_list(
        "pk",
        "arrest_id",
        "arrest__law_code",
        "arrest__pd_cd",
        "arrest__arrest_date",
        "arrest__age_group",
        "known_facts",
        "amended_charges",
    ).iterator(chunk_size=SCAN_CHUNK)
    today = timezone.localdate()
    found = 0
    while chunk := list(itertools.islice(rows, SCAN_CHUNK)):
        charges = _charges_by_arrest([r[1] for r in chunk])
        for pk, arrest_id, law_code, pd_cd, arrest_date, age_group, known, amended in chunk:
            key = _key(
                charges.get(arrest_id, []), law_code, pd_cd, arrest_date, age_group, today,
                known, amended,
            )
            if outcome in recommendations.recommended_outcomes(key):
                yield pk
                found += 1
                if limit is not None and found >= limit:
                    return


def matching_ids(principal: Any, f: CaseFilter, limit: int | None = None) -> list[int]:
    """The ids of every case ``principal`` may see that matches ``f``, in the filter's order."""
    qs = filtered_cases(principal, f)
    if f.outcome:
        return list(_with_outcome(qs, f.outcome, limit))
    ids = qs.values_list("pk", flat=True)
    return list(ids[:limit] if limit is not None else ids)


def in_order(ids: list[int]) -> list[Case]:
    """The cases ``ids`` with what a list shows of them, in the order given."""
    by_pk = {c.pk: c for c in paging.with_list_data(Case.objects.filter(pk__in=ids))}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def page(principal: Any, f: CaseFilter, number: int, size: int) -> paging.Page:
    """One page of the filtered queue (no COUNT(*): one row more than shown says "next")."""
    number = max(1, number)
    if not f.outcome:
        qs = paging.with_list_data(filtered_cases(principal, f))
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
        ("defendant__given_name", "defendant__family_name") if personal else ()
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
                _key(held, law_code, pd_cd, arrest_date, age_group, today, known, amended)
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
                values["defendant_given_name"], values["defendant_family_name"] = names
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
