"""Referrals close the loop; plans, diversion, bookings and certifications keep their dates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from icalendar import Calendar
from tests.factories import make_user, sign_in
from tests.survivors.factories import consent, make_org, make_partner_staff, make_survivor

from survivors_justice.permissions import NotAllowed, visible_survivors
from survivors_justice.survivors import care, services
from survivors_justice.survivors.flows import IllegalReferralMove
from survivors_justice.survivors.models import Referral, Reminder, Room, StaffHours

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _referred() -> tuple[object, object, Referral]:
    org = make_org()
    survivor = make_survivor()
    c = consent(survivor, org, ["contact"])
    referral = services.send_referral(actor=survivor.advocate, survivor_id=survivor.pk,
                                      consent_id=c.pk, need="housing", source="test")
    return survivor, make_partner_staff(org), referral


def test_accept_then_service_then_outcome() -> None:
    _, staff, referral = _referred()
    services.respond_referral(actor=staff, referral_id=referral.pk, accept=True, source="t")
    services.record_service(actor=staff, referral_id=referral.pk, started_on=date(2026, 12, 1),
                            source="t")
    referral.refresh_from_db()
    assert referral.state == "in_service"
    services.record_service(actor=staff, referral_id=referral.pk, started_on=date(2026, 12, 1),
                            ended_on=date(2026, 12, 20), outcome="Housed", source="t")
    referral.refresh_from_db()
    assert (referral.state, referral.outcome) == ("closed", "Housed")
    with pytest.raises(IllegalReferralMove, match="from 'closed'"):
        services.respond_referral(actor=staff, referral_id=referral.pk, accept=True, source="t")


def test_decline_needs_a_reason_and_comes_back_to_the_advocate() -> None:
    survivor, staff, referral = _referred()
    with pytest.raises(services.ServicesError, match="say why"):
        services.respond_referral(actor=staff, referral_id=referral.pk, accept=False, source="t")
    services.respond_referral(actor=staff, referral_id=referral.pk, accept=False,
                              reason="No beds this month", source="t")
    page = sign_in(Client(), survivor.advocate).get("/survivors/").content.decode()
    assert "No beds this month" in page


def test_overdue_referral_comes_back() -> None:
    survivor, _, referral = _referred()
    Referral.objects.filter(pk=referral.pk).update(respond_by=timezone.localdate()
                                                   - timedelta(days=1))
    page = sign_in(Client(), survivor.advocate).get("/survivors/").content.decode()
    assert "Referrals that came back to you" in page and "no answer since" in page
    assert services.return_overdue_referrals() == 1
    assert services.return_overdue_referrals() == 0


def test_staff_of_another_organisation_cannot_answer() -> None:
    _, _, referral = _referred()
    other = make_partner_staff(make_org())
    with pytest.raises(NotAllowed):
        services.respond_referral(actor=other, referral_id=referral.pk, accept=True, source="t")


def test_another_advocate_sees_nothing_of_the_record() -> None:
    survivor = make_survivor()
    other = make_user("advocate")
    assert not visible_survivors(other).exists()
    client = sign_in(Client(), other)
    assert client.get(f"/survivors/{survivor.pk}/").status_code == 404
    assert "Marisol" not in client.get("/survivors/").content.decode()


def test_diversion_completion_recommends_dismissal_with_dates() -> None:
    survivor = make_survivor()
    d = care.offer_diversion(actor=survivor.advocate, survivor_id=survivor.pk,
                             programme="Project Reset", source="t")
    with pytest.raises(services.ServicesError, match="only an accepted"):
        care.update_diversion(actor=survivor.advocate, diversion_id=d.pk,
                              completed_on=date(2027, 1, 5), source="t")
    care.update_diversion(actor=survivor.advocate, diversion_id=d.pk, answer="accepted",
                          source="t")
    d = care.update_diversion(actor=survivor.advocate, diversion_id=d.pk,
                              completed_on=date(2027, 1, 5), source="t")
    today = timezone.localdate()
    assert d.recommended_on == today and d.act_by == today + timedelta(days=14)


def test_declining_diversion_is_recorded_and_changes_no_service() -> None:
    survivor, _, referral = _referred()
    d = care.offer_diversion(actor=survivor.advocate, survivor_id=survivor.pk,
                             programme="Project Reset", source="t")
    care.update_diversion(actor=survivor.advocate, diversion_id=d.pk, answer="declined",
                          source="t")
    referral.refresh_from_db()
    assert referral.state == "sent"


@pytest.mark.parametrize(
    ("signed", "valid_until"),
    [(date(2026, 8, 31), date(2027, 2, 28)), (date(2026, 1, 15), date(2026, 7, 15)),
     (date(2027, 8, 31), date(2028, 2, 29))],
)
def test_signed_certification_is_valid_six_months(signed: date, valid_until: date) -> None:
    survivor = make_survivor()
    cert = care.request_certification(actor=survivor.advocate, survivor_id=survivor.pk,
                                      kind="u_visa_i918b", source="t")
    assert cert.target_on == timezone.localdate() + timedelta(days=30)
    cert = care.decide_certification(actor=survivor.advocate, certification_id=cert.pk,
                                     state="signed", on=signed, source="t")
    assert cert.valid_until == valid_until


def test_continued_presence_is_referred_not_signed() -> None:
    survivor = make_survivor()
    cert = care.request_certification(actor=survivor.advocate, survivor_id=survivor.pk,
                                      kind="continued_presence", agency="HSI", source="t")
    with pytest.raises(services.ServicesError, match="referred"):
        care.decide_certification(actor=survivor.advocate, certification_id=cert.pk,
                                  state="signed", on=date(2026, 12, 1), source="t")


def _hours(org: object, day: date) -> StaffHours:
    room = Room.objects.create(name=f"Room {day.isoformat()}")
    return StaffHours.objects.create(organisation=org, room=room, weekday=day.weekday(),
                                     starts=time(9), ends=time(13), service="Counselling")


def test_booking_queues_a_reminder_in_their_language_and_feeds_ics() -> None:
    org = make_org()
    survivor = make_survivor(reminder_channel="sms")  # language es, interpreter needed
    day = timezone.localdate() + timedelta(days=3)
    hours = _hours(org, day)
    starts = timezone.make_aware(datetime.combine(day, time(10)))
    booking = care.book(actor=survivor.advocate, survivor_id=survivor.pk, hours_id=hours.pk,
                        starts_at=starts, minutes=60, source="t")
    reminder = Reminder.objects.get(booking=booking)
    assert (reminder.channel, reminder.language) == ("sms", "es")
    assert reminder.text.startswith("Recordatorio")
    assert reminder.send_at == starts - timedelta(hours=24)
    with pytest.raises(services.ServicesError, match="already booked"):
        care.book(actor=survivor.advocate, survivor_id=survivor.pk, hours_id=hours.pk,
                  starts_at=starts + timedelta(minutes=30), minutes=30, source="t")
    with pytest.raises(services.ServicesError, match="outside these hours"):
        care.book(actor=survivor.advocate, survivor_id=survivor.pk, hours_id=hours.pk,
                  starts_at=starts + timedelta(hours=3), minutes=60, source="t")
    ics = sign_in(Client(), survivor.advocate).get(
        f"/survivors/rooms/{hours.room_id}/bookings.ics")
    events = Calendar.from_ical(ics.content).walk("VEVENT")
    assert len(events) == 1 and "interpreter: es" in str(events[0]["summary"])
    assert "Marisol" not in ics.content.decode()
    # the partner's feed: only with a current consent
    staff = make_partner_staff(org)
    partner = sign_in(Client(), staff)
    assert b"VEVENT" not in partner.get("/survivors/partner-bookings.ics").content
    consent(survivor, org, ["contact"])
    assert b"VEVENT" in partner.get("/survivors/partner-bookings.ics").content
    care.cancel_booking(actor=survivor.advocate, booking_id=booking.pk, source="t")
    assert Reminder.objects.get(booking=booking).state == "cancelled"


def test_plan_print_in_the_survivors_language_flags_unreviewed_text() -> None:
    survivor = make_survivor()
    goal = care.add_goal(actor=survivor.advocate, survivor_id=survivor.pk, domain="housing",
                         in_own_words="Un lugar seguro para mí y mi hija", source="t")
    care.add_step(actor=survivor.advocate, goal_id=goal.pk, text_="Visit the shelter",
                  owner="Mari with her advocate", due_on=date(2026, 12, 10), source="t")
    page = sign_in(Client(), survivor.advocate).get(
        f"/survivors/{survivor.pk}/plan/print/").content.decode()
    assert "Mi plan de sanación" in page and "Un lugar seguro" in page
    assert "not reviewed by a qualified translator" in page
    english = sign_in(Client(), survivor.advocate).get(
        f"/survivors/{survivor.pk}/plan/print/?lang=en").content.decode()
    assert "My healing plan" in english and "not reviewed" not in english
