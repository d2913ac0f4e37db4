"""The directory of partner organisations, in the shape of Open Referral HSDS 3.0.

Every row keeps its HSDS identifier (a UUID) so a directory imported from HSDS exports again with
the same identifiers. Fields HSDS has no column for (a service's capacity, the needs it meets) are
carried as HSDS ``attribute`` rows with the office's taxonomy (``partners/hsds.py``).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


def new_hsds_id() -> str:
    return str(uuid.uuid4())


class Need(models.TextChoices):
    """What a survivor needs help with: the domains of a healing plan, used to search services."""

    SAFETY = "safety", "Safety"
    HOUSING = "housing", "Housing"
    HEALTH = "health", "Health"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SUBSTANCE_USE = "substance_use", "Substance use"
    IMMIGRATION = "immigration", "Immigration"
    LEGAL = "legal", "Legal help"
    EDUCATION_WORK = "education_work", "Education and work"
    INCOME = "income", "Income"
    FAMILY = "family", "Family"


class Borough(models.TextChoices):
    BRONX = "Bronx", "Bronx"
    BROOKLYN = "Brooklyn", "Brooklyn"
    MANHATTAN = "Manhattan", "Manhattan"
    QUEENS = "Queens", "Queens"
    STATEN_ISLAND = "Staten Island", "Staten Island"


class Organisation(models.Model):
    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    name = models.CharField(max_length=300)
    alternate_name = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField()
    email = models.CharField(max_length=254, blank=True, default="")
    website = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="locations")
    location_type = models.CharField(max_length=10, default="physical")
    name = models.CharField(max_length=300, blank=True, default="")
    description = models.TextField(blank=True, default="")
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # the physical address (HSDS ``address``; one per location here)
    address_hsds_id = models.CharField(max_length=36, blank=True, default="")
    address_1 = models.CharField(max_length=300, blank=True, default="")
    city = models.CharField(max_length=100, blank=True, default="")
    borough = models.CharField(max_length=20, blank=True, default="", db_index=True,
                               help_text="HSDS address.region")
    state_province = models.CharField(max_length=50, blank=True, default="")
    postal_code = models.CharField(max_length=20, blank=True, default="")
    country = models.CharField(max_length=2, blank=True, default="")

    def __str__(self) -> str:
        return self.name or self.address_1


class Service(models.Model):
    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE,
                                     related_name="services")
    name = models.CharField(max_length=300)
    description = models.TextField(blank=True, default="")
    status = models.CharField(max_length=20, default="active")
    email = models.CharField(max_length=254, blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    interpretation_services = models.TextField(blank=True, default="")
    eligibility_description = models.TextField(blank=True, default="")
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    needs = models.JSONField(default=list, blank=True, help_text="Need codes")
    capacity = models.PositiveIntegerField(
        null=True, blank=True, help_text="people it can take on now; blank: not said"
    )
    locations: models.ManyToManyField[Location, ServiceAtLocation] = models.ManyToManyField(
        Location, through="ServiceAtLocation",
                                       related_name="services")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ServiceAtLocation(models.Model):
    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    service = models.ForeignKey(Service, on_delete=models.CASCADE)
    location = models.ForeignKey(Location, on_delete=models.CASCADE)


class ServiceLanguage(models.Model):
    """A language the service is given in (HSDS ``language``: ISO 639 code and name)."""

    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    code = models.CharField(max_length=12, db_index=True)
    name = models.CharField(max_length=100, blank=True, default="")
    note = models.TextField(blank=True, default="")


class ServiceArea(models.Model):
    """Where the service takes people from: a borough (HSDS ``service_area``)."""

    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="areas")
    name = models.CharField(max_length=100, db_index=True)
    description = models.TextField(blank=True, default="")


class Schedule(models.Model):
    """Opening hours (HSDS ``schedule``: weekly, a day list and the opening and closing times)."""

    hsds_id = models.CharField(max_length=36, unique=True, default=new_hsds_id)
    extra = models.JSONField(default=dict, blank=True, help_text="HSDS columns kept as given")
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    freq = models.CharField(max_length=10, default="WEEKLY")
    byday = models.CharField(max_length=40, blank=True, default="", help_text="e.g. MO,TU,WE")
    opens_at = models.CharField(max_length=8, blank=True, default="")
    closes_at = models.CharField(max_length=8, blank=True, default="")
    description = models.TextField(blank=True, default="")

    @property
    def days(self) -> str:
        """``byday`` in words: "Monday to Friday", "Tuesday and Thursday"; an unknown code as
        given; no days listed: "Days not said"."""
        codes = [c.strip().upper() for c in self.byday.split(",") if c.strip()]
        if not codes:
            return "Days not said"
        if any(c not in WEEKDAYS for c in codes):
            return self.byday
        order = sorted({WEEKDAYS.index(c) for c in codes})
        names = [WEEKDAY_NAMES[i] for i in order]
        if len(order) >= 3 and order == list(range(order[0], order[-1] + 1)):
            return f"{names[0]} to {names[-1]}"
        return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")  # RFC 5545 BYDAY, as HSDS uses them
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class ForeignRow(models.Model):
    """A row of an HSDS table the directory does not use (phones, contacts, funding...), kept
    verbatim so that exporting gives back everything that was imported."""

    resource = models.CharField(max_length=40)
    hsds_id = models.CharField(max_length=100)
    data = models.JSONField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["resource", "hsds_id"],
                                               name="one_foreign_row_per_id")]


class Membership(models.Model):
    """A partner-staff account works for one organisation; it sees only that one's referrals."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                                related_name="partner_membership")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT,
                                     related_name="members")
    since = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.user} at {self.organisation}"
