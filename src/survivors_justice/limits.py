"""The limits on every input, in one place: models, forms, API schemas and services read them.

Anything past a limit is refused with a 4xx that says which limit (a JSON ``{"detail": ...}`` on
the API, the 400 page on the web), never a 500 and never an answer that grows with the input.
Plain Python (no Django): the core packages and the settings may import it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

# A request body: the largest legitimate one (the facts of a case, an override with its reason)
# is a few kilobytes.
MAX_REQUEST_BYTES = 256 * 1024
# Form fields in one POST (Django's DATA_UPLOAD_MAX_NUMBER_FIELDS).
MAX_FORM_FIELDS = 200

# The facts of one case (POST /api/policy/evaluate): an arrest carries at most a handful of
# charges; the largest NYPD arrest in the bundled files has far fewer than this.
MAX_CHARGES = 50
MAX_VICTIMS = 50
# Depth of a JSON body: the facts contract is three levels deep ({"charges": [{...}]}).
MAX_JSON_DEPTH = 8
# A short code or identifier inside the facts (a law code, a section, a date).
MAX_CODE_CHARS = 64

# Free text a person types.
MAX_REASON_CHARS = 4000  # an override's reason
MAX_NOTE_CHARS = 2000  # a supervisor's review note, a recheck note

# Page numbers: 100,000 pages of 25 rows is 2.5 million cases, far past any office's queue.
MAX_PAGE = 100_000

# Dates anyone may ask for (filters): the arrest files start in 2006; nothing is dated past 2199.
MIN_DATE = date(1900, 1, 1)
MAX_DATE = date(2199, 12, 31)


class LimitExceeded(ValueError):
    """An input is past one of the limits above; the message names the limit."""


def check_page(number: int) -> int:
    """``number`` as a page number, or LimitExceeded."""
    if number < 1 or number > MAX_PAGE:
        raise LimitExceeded(f"page {number} is out of range; pages run from 1 to {MAX_PAGE:,}")
    return number


def check_date(day: date, *, what: str = "date") -> date:
    if day < MIN_DATE or day > MAX_DATE:
        raise LimitExceeded(
            f"{what} {day.isoformat()} is out of range; give a date between "
            f"{MIN_DATE.isoformat()} and {MAX_DATE.isoformat()}"
        )
    return day


def check_text(text: str, *, what: str, limit: int) -> str:
    if len(text) > limit:
        raise LimitExceeded(
            f"{what} is {len(text):,} characters; the limit is {limit:,}: shorten it"
        )
    return text


def json_depth(value: Any) -> int:
    """The nesting depth of a parsed JSON value (a scalar is 0, ``[]`` and ``{}`` are 1),
    computed without recursion."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            depth += 1
            stack.extend((v, depth) for v in item.values())
        elif isinstance(item, list):
            depth += 1
            stack.extend((v, depth) for v in item)
        deepest = max(deepest, depth)
    return deepest
