"""Which training each kind of work needs, and whether a person's is current.

:func:`training_gap` is the predicate the permission module asks before anyone is assigned work
with a survivor or a seat on the review panel (``permissions.Action.SURVIVOR_WORK`` and
``PANEL_SEAT``). It reads records only; it writes nothing.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.utils import timezone

from survivors_justice.training.models import Course, TrainingRecord

WORK: dict[str, tuple[Course, ...]] = {
    "survivor_work": (Course.TRAUMA_INFORMED, Course.POLICY, Course.CONFIDENTIALITY),
    "panel_seat": (Course.TRAUMA_INFORMED, Course.POLICY, Course.SCREENING_INSTRUMENT,
                   Course.CONFIDENTIALITY),
}


def _words(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def training_gap(user: Any, work: str, today: date | None = None) -> str | None:
    """None when ``user``'s training for ``work`` (``survivor_work`` or ``panel_seat``) is
    current, else a plain sentence naming what lapsed or is missing."""
    if work not in WORK:
        raise ValueError(f"unknown work {work!r}; use one of {', '.join(WORK)}")
    if user is None or getattr(user, "pk", None) is None:
        return "Only a signed-in member of staff can be assigned this work."
    day = today or timezone.localdate()
    latest: dict[str, date] = {}
    for course, expires in TrainingRecord.objects.filter(
            user_id=user.pk, course__in=WORK[work], completed_on__lte=day).values_list(
            "course", "expires_on"):
        latest[course] = max(expires, latest.get(course, expires))
    lapsed = [f"{Course(c).label} (lapsed {latest[c].isoformat()})" for c in WORK[work]
              if c in latest and latest[c] <= day]
    missing = [Course(c).label for c in WORK[work] if c not in latest]
    if not lapsed and not missing:
        return None
    what = "work with survivors" if work == "survivor_work" else "a seat on the review panel"
    parts = []
    if lapsed:
        parts.append(f"training has lapsed: {_words(lapsed)}")
    if missing:
        parts.append(f"no training is recorded in {_words(missing)}")
    return (f"Cannot be given {what}: " + "; ".join(parts) +
            ". A supervisor or administrator records renewed training on the Training page.")
