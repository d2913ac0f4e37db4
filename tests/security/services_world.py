"""The survivor-services side of the role x URL matrix: one record of everything, owned by one
advocate, referred (with a consent for contact and case status, not identity) to one partner."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone
from tests.survivors.factories import consent, make_org, make_partner_staff, make_survivor

from survivors_justice.survivors import care, services
from survivors_justice.survivors.models import (
    Booking,
    Certification,
    Consent,
    Diversion,
    Referral,
    Room,
    StaffHours,
    Survivor,
)

SURVIVOR_FAMILY_NAME = "Quintero-Baptiste"  # must never show to anyone but the advocate


@dataclass
class ServicesWorld:
    advocate: Any
    partner: Any
    survivor: Survivor
    consent: Consent
    referral: Referral
    diversion: Diversion
    certification: Certification
    room: Room
    booking: Booking
    org_id: int


def services_world() -> ServicesWorld:
    org = make_org("Matrix Partner Services")
    survivor = make_survivor()
    advocate = survivor.advocate
    c = consent(survivor, org, ["contact", "case_status"])
    referral = services.send_referral(actor=advocate, survivor_id=survivor.pk, consent_id=c.pk,
                                      need="mental_health", source="test")
    partner = make_partner_staff(org)
    diversion = care.offer_diversion(actor=advocate, survivor_id=survivor.pk,
                                     programme="Project Reset", source="test")
    cert = care.request_certification(actor=advocate, survivor_id=survivor.pk,
                                      kind="u_visa_i918b", source="test")
    room = Room.objects.create(name="Room 2B")
    day = timezone.localdate() + timedelta(days=7)
    hours = StaffHours.objects.create(organisation=org, room=room, weekday=day.weekday(),
                                      starts=time(9), ends=time(17), service="Counselling")
    booking = care.book(actor=advocate, survivor_id=survivor.pk, hours_id=hours.pk,
                        starts_at=timezone.make_aware(datetime.combine(day, time(10))),
                        minutes=60, source="test")
    return ServicesWorld(advocate, partner, survivor, c, referral, diversion, cert, room,
                         booking, org.pk)
