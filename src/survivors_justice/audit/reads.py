"""Audit of reads: every view of a defendant or survivor record leaves a record.

Call :func:`audit_read` from the view that shows the record, after the permission check and before
rendering; it writes in the current transaction when there is one (so a read inside an action's
transaction commits with it), or in its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.http import HttpRequest

from survivors_justice.audit.services import record_event


def _actor(request: HttpRequest) -> str:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return str(user.get_username())
    return "anonymous"


def _source(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


def audit_read(
    request: HttpRequest, obj: models.Model, *, action: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record that the signed-in person viewed ``obj`` (``<model>.read``, e.g. ``person.read``)."""
    object_type = obj._meta.model_name or type(obj).__name__.lower()
    record_event(  # in its own transaction, or the caller's (record_event's atomic block)
        actor=_actor(request),
        action=action or f"{object_type}.read",
        object_type=object_type,
        object_id=str(obj.pk),
        source=_source(request),
        details={"path": request.path, **dict(details or {})},
    )


def audit_list_read(
    request: HttpRequest, objs: Iterable[models.Model], *, action: str,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Record one list page's worth of records shown (their ids), e.g. ``cases.queue.read``."""
    items = list(objs)
    object_type = items[0]._meta.model_name or "" if items else ""
    record_event(
        actor=_actor(request),
        action=action,
        object_type=object_type,
        source=_source(request),
        details={"path": request.path, "ids": [str(o.pk) for o in items], **dict(details or {})},
    )
