"""The only writer of releases: prepare (an analyst) and approve (a different person, a
supervisor). One transaction per action with its audit record inside."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
from django.db import transaction
from django.utils import timezone

from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD
from survivors_justice.analytics.release import (
    DEFAULT_MEASURES,
    MEASURES,
    ReleaseError,
    build_release,
    check_month,
    digest_bytes,
    table_csv,
)
from survivors_justice.audit.services import record_event
from survivors_justice.permissions import Action, NotAllowed, can
from survivors_justice.transparency.models import Release, ReleaseState, ReleaseTable


class ReleaseRefused(ValueError):
    """The release cannot be approved as asked (says why)."""


def _slug(month_from: str, month_to: str) -> str:
    base = month_from if month_from == month_to else f"{month_from}-to-{month_to}"
    slug, n = base, 1
    while Release.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def overlapping(month_from: str, month_to: str) -> Release | None:
    """A release, prepared or published, that shares a month with ``month_from``..``month_to``
    (months as YYYY-MM compare as text)."""
    return (Release.objects.filter(month_from__lte=month_to, month_to__gte=month_from)
            .order_by("month_from").first())


def prepare_release(*, actor: Any, source: str | Path | pl.DataFrame, month_from: str,
                    month_to: str, threshold: int = DEFAULT_THRESHOLD,
                    measures: tuple[str, ...] = DEFAULT_MEASURES) -> Release:
    """Compute and freeze a release (not yet public)."""
    if not can(actor, Action.PREPARE_RELEASE):
        raise NotAllowed(actor, Action.PREPARE_RELEASE)
    check_month(month_from)
    check_month(month_to)
    clash = overlapping(month_from, month_to)
    if clash is not None:
        raise ReleaseError(
            f"the period {month_from} to {month_to} overlaps release {clash.slug} "
            f"({clash.period}, {clash.get_state_display().lower()}); two releases that share "
            "months would let a reader subtract one from the other and recover hidden counts, "
            f"so choose months before {clash.month_from} or after {clash.month_to}")
    content = build_release(source, month_from=month_from, month_to=month_to,
                            threshold=threshold, measures=measures)
    with transaction.atomic():
        release = Release.objects.create(
            slug=_slug(month_from, month_to), month_from=month_from, month_to=month_to,
            threshold=threshold, measures=list(content.measures), source=content.source,
            arrests=content.arrests, findings=content.findings, rule=content.rule,
            methods=content.methods, caveats=content.caveats, charts=content.charts,
            digests=content.digests, prepared_by=actor, prepared_at=timezone.now())
        for position, (name, rows) in enumerate(content.tables.items()):
            title, by, within = MEASURES[name]
            text = table_csv(rows)
            ReleaseTable.objects.create(release=release, name=name, title=title, by=by,
                                        within=within or "", position=position, csv=text,
                                        digest=digest_bytes(text.encode()))
        record_event(actor=actor.email, action="release.prepare", object_type="release",
                     object_id=release.slug,
                     details={"period": release.period, "threshold": threshold,
                              "measures": list(content.measures), **content.digests})
    return release


def approve_release(*, actor: Any, slug: str) -> Release:
    """Publish a prepared release: a supervisor who did not prepare it."""
    release = Release.objects.filter(slug=slug).first()
    if release is None:
        raise ReleaseRefused(f"no release {slug!r}; `sj releases list` shows them")
    reason = None
    if not can(actor, Action.APPROVE_RELEASE):
        with transaction.atomic():
            record_event(actor=actor.email, action="release.approve", object_type="release",
                         object_id=release.slug, outcome="refused",
                         details={"reason": f"role {actor.role} may not approve releases"})
        raise NotAllowed(actor, Action.APPROVE_RELEASE, release)
    if release.state != ReleaseState.PREPARED:
        reason = f"{release} is already published"
    elif release.prepared_by_id == actor.pk:
        reason = (f"{release} was prepared by {actor.email}; another person (a supervisor) "
                  "must approve it")
    if reason is not None:
        with transaction.atomic():
            record_event(actor=actor.email, action="release.approve", object_type="release",
                         object_id=release.slug, outcome="refused", details={"reason": reason})
        raise ReleaseRefused(reason)
    with transaction.atomic():
        updated = Release.objects.filter(pk=release.pk, state=ReleaseState.PREPARED).update(
            state=ReleaseState.PUBLISHED, approved_by=actor, approved_at=timezone.now())
        if updated != 1:
            raise ReleaseRefused(f"{release} is already published")
        record_event(actor=actor.email, action="release.approve", object_type="release",
                     object_id=release.slug, details={"digests": release.digests})
    release.refresh_from_db()
    return release
