"""Staff training: who completed which course when, and until when it counts."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Course(models.TextChoices):
    TRAUMA_INFORMED = "trauma_informed", "Trauma-informed practice"
    POLICY = "policy", "The office's prostitution and trafficking policy"
    SCREENING_INSTRUMENT = "screening_instrument", "The trafficking screening instrument"
    CONFIDENTIALITY = "confidentiality", "Confidentiality of survivors' information"


class TrainingRecord(models.Model):
    """One completed course. Records are never edited: a renewal is a new record."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                             related_name="training_records")
    course = models.CharField(max_length=32, choices=Course.choices)
    completed_on = models.DateField()
    expires_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="training_recorded")
    recorded_at = models.DateTimeField()
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["user", "course", "-expires_on"]
        constraints = [models.CheckConstraint(
            condition=models.Q(expires_on__gt=models.F("completed_on")),
            name="training_expires_after_completion")]
        indexes = [models.Index(fields=["user", "course", "expires_on"])]

    def __str__(self) -> str:
        return f"{self.course} {self.completed_on}..{self.expires_on}"
