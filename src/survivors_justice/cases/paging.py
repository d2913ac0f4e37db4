"""What a list page shows of each case, and a page of a list without counting it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from survivors_justice.cases.models import Case
from survivors_justice.limits import check_page

API_PAGE_SIZE = 25

# Personal fields a list never shows: not fetched, so not decrypted either.
_NOT_LISTED = ("address", "phone", "email", "narrative", "date_of_birth")


def with_list_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What a list page shows of each case, in a fixed number of queries."""
    return (
        cases.select_related("defendant", "arrest")
        .defer(*(f"defendant__{name}" for name in _NOT_LISTED))
        .prefetch_related("arrest__charges")
    )


def with_queue_data(cases: QuerySet[Case]) -> QuerySet[Case]:
    """What the intake queue shows of each case, and no more: the queue is the page prosecutors
    load most, and every column fetched is a value converted (a personal one decrypted) per row.
    The charges its recommendations read come as plain values (``search.recommendations_of``);
    anything else read from these cases is fetched when read."""
    return cases.select_related("defendant", "arrest").only(
        "number", "state", "arrest_id", "defendant_id", "known_facts", "amended_charges",
        "readiness_deadline",
        "arrest__arrest_date", "arrest__law_code", "arrest__pd_cd", "arrest__age_group",
        "defendant__given_name", "defendant__family_name",
    )


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


def page_of(qs: QuerySet[Any], number: int, size: int = 25) -> Page:
    """One page without a COUNT(*) (cheap on 200,000 cases): fetch one row more than shown.
    A page past ``limits.MAX_PAGE`` raises ``limits.LimitExceeded`` (a 400)."""
    number = check_page(max(1, number))
    rows = list(qs[(number - 1) * size : number * size + 1])
    return Page(items=rows[:size], number=number, has_next=len(rows) > size)
