"""Arrests as the NYPD recorded them, and their charges."""

from __future__ import annotations

from django.db import models

from survivors_justice.demographics import RaceCode, SexCode


class Arrest(models.Model):
    """One row of the NYPD Arrests Data schema, kept as recorded, normalised codes beside it."""

    arrest_key = models.CharField(max_length=20, unique=True)
    arrest_date = models.DateField(db_index=True)
    pd_cd = models.CharField(max_length=10, blank=True, default="")
    pd_desc = models.CharField(max_length=100, blank=True, default="")
    ky_cd = models.CharField(max_length=10, blank=True, default="")
    ofns_desc = models.CharField(max_length=100, blank=True, default="")
    law_code = models.CharField(max_length=20)  # queried through Charge, not here: no index
    law_cat_cd = models.CharField(max_length=5, blank=True, default="")
    borough = models.CharField(max_length=1)  # B, K, M, Q, S as recorded
    precinct = models.PositiveSmallIntegerField()
    jurisdiction_code = models.PositiveSmallIntegerField(null=True)
    age_group = models.CharField(max_length=10, blank=True, default="")
    sex_recorded = models.CharField(max_length=10, blank=True, default="")
    sex = models.CharField(max_length=1, choices=[(c.value, c.value) for c in SexCode], default="U")
    race_recorded = models.CharField(max_length=40, blank=True, default="")
    race = models.CharField(max_length=40, choices=[(c.value, c.value) for c in RaceCode])
    x_coord = models.FloatField(null=True)
    y_coord = models.FloatField(null=True)
    latitude = models.FloatField(null=True)
    longitude = models.FloatField(null=True)
    # A digest of the recorded values, so a re-import can tell updated rows from unchanged ones.
    content_hash = models.CharField(max_length=32)
    source_file = models.CharField(max_length=255, blank=True, default="")
    imported_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["borough", "precinct"])]

    def __str__(self) -> str:
        return f"arrest {self.arrest_key} ({self.arrest_date}, {self.law_code})"


class CatalogVersion(models.Model):
    """One charge catalog, by the digest of its content, that resolved stored charges.

    Each charge points at the catalog that last read it (``Charge.catalog``), so ``sj status``
    can say how many stored charges were read by a catalog other than the one in force, and
    ``sj import resolve`` brings them up to date. Each stored screening
    (``screening.PolicyDecision.catalog``) points at the catalog its policy read the charges
    with, and ``text`` keeps that catalog so ``sj policy replay`` can read it again.
    """

    digest = models.CharField(max_length=64, unique=True)
    source = models.CharField(max_length=255, help_text="where it came from when first used")
    first_used_at = models.DateTimeField()
    # The catalog's YAML exactly as it was read (the first text seen with this digest), so a
    # stored screening can be replayed under the catalog that made it. Blank: not kept (a catalog
    # built in memory, or a row stored before texts were kept whose digest is not the shipped
    # catalog's).
    text = models.TextField(blank=True, default="")

    def __str__(self) -> str:
        return f"catalog {self.digest[:12]} ({self.source})"


class Charge(models.Model):
    """A charge on an arrest, resolved against the charge catalog on the arrest date."""

    # No index of its own: the unique (arrest, position) index below serves lookups by arrest.
    arrest = models.ForeignKey(
        Arrest, on_delete=models.CASCADE, related_name="charges", db_index=False
    )
    position = models.PositiveSmallIntegerField(default=1)
    law_code = models.CharField(max_length=20)
    section = models.CharField(max_length=20, blank=True, default="")
    subdivision = models.CharField(max_length=20, blank=True, default="")
    # cataloged / unknown / outside (survivors_justice.law.ChargeStatus)
    status = models.CharField(max_length=12)
    # seller / buyer / promoter / trafficker / premises, blank when not a cataloged charge
    role = models.CharField(max_length=12, blank=True, default="")
    # prostitution / loitering / sex_trafficking / labor_trafficking, blank when not cataloged
    family = models.CharField(max_length=20, blank=True, default="")
    title = models.CharField(max_length=200, blank=True, default="")
    offense_class = models.CharField(max_length=30, blank=True, default="")
    # was the catalog entry in force on the arrest date (None: not cataloged)
    in_force = models.BooleanField(null=True)
    note = models.TextField(blank=True, default="")
    # The catalog that read this charge (null: read before catalogs were recorded). No index:
    # only counted over the whole table (sj status) and updated by arrest range.
    catalog = models.ForeignKey(
        CatalogVersion, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["arrest", "position"], name="charge_unique_position")
        ]
        # One index for "charges by status" and "by role" (status counts, charges by role).
        indexes = [models.Index(fields=["status", "role"], name="charge_status_role")]

    def __str__(self) -> str:
        return f"{self.law_code} ({self.role or self.status})"
