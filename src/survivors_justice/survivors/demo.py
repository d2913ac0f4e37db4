"""Development-only demo data for the survivor pages (called by `sj demo`).

A partner organisation with two services (the demo partner-staff account works for it), a room
with the partner's on-site hours, a second organisation, and one fictional survivor in the demo
advocate's caseload with a consent and a referral, so every page has something to show.
"""

from __future__ import annotations

from datetime import time, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from survivors_justice.accounts.models import User
from survivors_justice.partners.models import (
    Location,
    Membership,
    Organisation,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
)
from survivors_justice.survivors import services
from survivors_justice.survivors.models import Room, StaffHours, Survivor

DEMO_ORG = "Demo Partner Organisation"


def _service(org: Organisation, loc: Location, name: str, needs: list[str], langs: list[str],
             borough: str, capacity: int | None) -> Service:
    svc = Service.objects.create(organisation=org, name=name, needs=needs, capacity=capacity,
                                 description=f"{name} for survivors of sex crimes and "
                                             "trafficking, free and confidential.",
                                 eligibility_description="Survivors aged 12 and over")
    ServiceAtLocation.objects.create(service=svc, location=loc)
    names = {"en": "English", "es": "Spanish", "zh": "Chinese", "bn": "Bengali", "ko": "Korean"}
    for code in langs:
        ServiceLanguage.objects.create(service=svc, code=code, name=names[code])
    ServiceArea.objects.create(service=svc, name=borough)
    Schedule.objects.create(service=svc, byday="MO,TU,WE,TH,FR", opens_at="09:00",
                            closes_at="17:00")
    return svc


@transaction.atomic
def ensure_demo_services(*, domain: str) -> None:
    if settings.PRODUCTION:
        raise RuntimeError("demo data is refused in production")
    advocate = User.objects.get(email=f"advocate@{domain}")
    staff = User.objects.get(email=f"partner-staff@{domain}")
    org = Organisation.objects.filter(name=DEMO_ORG).first()
    if org is None:
        org = Organisation.objects.create(
            name=DEMO_ORG, email="intake@partner.example.org",
            description="Counselling and emergency housing for survivors in Queens.")
        loc = Location.objects.create(organisation=org, name="Jamaica office",
                                      address_1="90-04 161st Street", city="Jamaica",
                                      borough="Queens", state_province="NY",
                                      postal_code="11432", country="US")
        _service(org, loc, "Trauma counselling", ["mental_health", "safety"], ["en", "es", "bn"],
                 "Queens", 6)
        _service(org, loc, "Emergency housing", ["housing", "safety"], ["en", "es"], "Queens", 2)
        other = Organisation.objects.create(
            name="Demo Immigration Legal Help", description="Lawyers for T and U visas.")
        oloc = Location.objects.create(organisation=other, name="Jackson Heights office",
                                       address_1="37-20 82nd Street", city="Jackson Heights",
                                       borough="Queens", state_province="NY",
                                       postal_code="11372", country="US")
        _service(other, oloc, "T and U visa legal help", ["immigration", "legal"],
                 ["en", "zh", "ko"], "Queens", None)
        room = Room.objects.create(name="Room 4C (quiet room)")
        for weekday in (1, 3):
            StaffHours.objects.create(organisation=org, room=room, weekday=weekday,
                                      starts=time(10), ends=time(16), service="Counselling")
    Membership.objects.get_or_create(user=staff, defaults={"organisation": org})
    if not Survivor.objects.filter(advocate=advocate).exists():
        survivor = services.open_survivor(actor=advocate, source="demo", fields={
            "given_name": "Ana", "family_name": "Demo-Example", "preferred_name": "Ana",
            "phone": "718-555-0199", "language": "es", "interpreter_needed": True,
            "reminder_channel": "sms", "safe_contact_note": "Text only, after 6pm",
        })
        today = timezone.localdate()
        consent = services.record_consent(
            actor=advocate, survivor_id=survivor.pk, organisation_id=org.pk,
            categories=["contact", "identity"], purpose="Counselling referral",
            starts_on=today, ends_on=today + timedelta(days=90), given_how="signed_in_person",
            language="es", interpreter="Office Spanish interpreter", source="demo")
        services.send_referral(actor=advocate, survivor_id=survivor.pk, consent_id=consent.pk,
                               need="mental_health", note="Prefers a woman counsellor.",
                               source="demo")
