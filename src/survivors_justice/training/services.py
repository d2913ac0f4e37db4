"""The only writer of training records (one transaction each, with its audit record)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from survivors_justice.audit.services import record_event
from survivors_justice.permissions import Action, NotAllowed, can
from survivors_justice.training.models import Course, TrainingRecord


class TrainingError(ValueError):
    """A training record that cannot be right (says why)."""


def record_training(*, actor: Any, user: Any, course: str, completed_on: date,
                    expires_on: date, note: str = "") -> TrainingRecord:
    if not can(actor, Action.RECORD_TRAINING):
        raise NotAllowed(actor, Action.RECORD_TRAINING)
    if course not in Course.values:
        raise TrainingError(f"unknown course {course!r}; use one of {', '.join(Course.values)}")
    if expires_on <= completed_on:
        raise TrainingError(f"expiry {expires_on} is not after completion {completed_on}; "
                            "give the date the training stops counting")
    if completed_on > timezone.localdate():
        raise TrainingError(f"completion date {completed_on} is in the future; record training "
                            "once it is done")
    with transaction.atomic():
        record = TrainingRecord.objects.create(
            user=user, course=course, completed_on=completed_on, expires_on=expires_on,
            recorded_by=actor, recorded_at=timezone.now(), note=note)
        record_event(actor=actor.email, action="training.record", object_type="user",
                     object_id=str(user.pk),
                     details={"course": course, "completed_on": completed_on.isoformat(),
                              "expires_on": expires_on.isoformat()})
    return record
