"""Survivors, partner organisations with staff, and consents for tests."""

from __future__ import annotations

import itertools
from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from tests.factories import make_user

from survivors_justice.accounts.models import User
from survivors_justice.partners.models import Membership, Organisation, Service
from survivors_justice.survivors import services
from survivors_justice.survivors.models import Consent, Survivor

_n = itertools.count(1)


def make_org(name: str | None = None) -> Organisation:
    i = next(_n)
    org = Organisation.objects.create(name=name or f"Partner {i}", description="Helps people.")
    Service.objects.create(organisation=org, name=f"Counselling {i}", needs=["mental_health"])
    return org


def make_partner_staff(org: Organisation, email: str | None = None) -> User:
    user = make_user("partner_staff", email=email)
    Membership.objects.create(user=user, organisation=org)
    return user


SURVIVOR = {
    "given_name": "Marisol", "family_name": "Quintero-Baptiste", "preferred_name": "Mari",
    "date_of_birth": "2008-04-17", "phone": "718-555-0142", "email": "mari@example.test",
    "address": "12-34 Roosevelt Ave, Queens", "safe_contact_note": "Text only after 6pm",
    "immigration_status": "Pending asylum application", "health_notes": "Asthma inhaler",
    "narrative": "Recruited through a fake modelling agency", "sexual_orientation": "bisexual",
    "gender_identity": "declined_to_say", "minor": True, "language": "es",
    "interpreter_needed": True,
}


def make_survivor(advocate: User | None = None, **fields: Any) -> Survivor:
    advocate = advocate or make_user("advocate")
    values = {**SURVIVOR, **fields}
    return services.open_survivor(actor=advocate, source="test", fields=values)


def consent(survivor: Survivor, org: Organisation, categories: list[str], *,
            starts_on: date | None = None, ends_on: date | None = None) -> Consent:
    today = timezone.localdate()
    assert survivor.advocate is not None
    return services.record_consent(
        actor=survivor.advocate, survivor_id=survivor.pk, organisation_id=org.pk,
        categories=categories, purpose="Counselling referral", starts_on=starts_on or today,
        ends_on=ends_on or today + timedelta(days=90), given_how="signed_in_person",
        language="es", source="test",
    )
