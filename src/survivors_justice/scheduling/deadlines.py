"""CPL 30.30 ready-by dates for the planner, from :mod:`survivors_justice.law.speedy_trial`.

The periods (felony six months, class A misdemeanor 90 days, class B misdemeanor 60 days,
violation 30 days) are dated data in ``law/speedy_trial.yaml``; this module only reads the date.
"""

from __future__ import annotations

from datetime import date

from survivors_justice.law.speedy_trial import readiness_deadline

CPL_3030_URL = "https://www.nysenate.gov/legislation/laws/CPL/30.30"


def ready_by(offense_class: str, commenced: date) -> date:
    """The case's CPL 30.30 ready-by date for its top charge's class, counted from ``commenced``."""
    return readiness_deadline(offense_class, commenced).deadline


def class_group(offense_class: str, commenced: date) -> str:
    """The CPL 30.30 group of a class: felony, A misdemeanor, B misdemeanor or violation."""
    return readiness_deadline(offense_class, commenced).offense_class
