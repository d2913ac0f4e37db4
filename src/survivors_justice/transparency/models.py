"""Public releases: figures prepared by an analyst, approved by a supervisor, then published.

A release is frozen when it is prepared: its tables, findings, charts and the digests of its
inputs are stored once and never recomputed. Approval only publishes it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class ReleaseState(models.TextChoices):
    PREPARED = "prepared", "Waiting for a supervisor"
    PUBLISHED = "published", "Published"


class FrozenError(RuntimeError):
    """A release's figures were about to change after it was prepared."""


class Release(models.Model):
    slug = models.SlugField(max_length=40, unique=True)
    month_from = models.CharField(max_length=7)
    month_to = models.CharField(max_length=7)
    threshold = models.PositiveSmallIntegerField()
    measures = models.JSONField()
    source = models.CharField(max_length=200)
    arrests = models.PositiveIntegerField()
    findings = models.JSONField()
    rule = models.JSONField()
    methods = models.JSONField()
    caveats = models.JSONField()
    charts = models.JSONField()
    digests = models.JSONField()
    state = models.CharField(max_length=12, choices=ReleaseState.choices,
                             default=ReleaseState.PREPARED)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="releases_prepared")
    prepared_at = models.DateTimeField()
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="releases_approved", null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-month_to", "-prepared_at"]

    def __str__(self) -> str:
        return f"release {self.slug}"

    @property
    def period(self) -> str:
        return self.month_from if self.month_from == self.month_to else \
            f"{self.month_from} to {self.month_to}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not kwargs.get("update_fields"):
            raise FrozenError(f"{self} is frozen; only its approval may be recorded")
        super().save(*args, **kwargs)


class ReleaseTable(models.Model):
    release = models.ForeignKey(Release, on_delete=models.PROTECT, related_name="tables")
    name = models.CharField(max_length=40)
    title = models.CharField(max_length=200)
    by = models.CharField(max_length=40)
    within = models.CharField(max_length=40, blank=True)
    position = models.PositiveSmallIntegerField()
    csv = models.TextField()  # the published file, byte for byte
    digest = models.CharField(max_length=80)

    class Meta:
        ordering = ["release", "position"]
        constraints = [models.UniqueConstraint(fields=["release", "name"],
                                               name="release_table_once")]

    def __str__(self) -> str:
        return f"{self.release.slug}/{self.name}.csv"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise FrozenError(f"{self} is frozen")
        super().save(*args, **kwargs)
