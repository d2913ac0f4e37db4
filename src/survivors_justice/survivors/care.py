"""Writes for healing plans, diversion, on-site bookings and immigration certifications.

One transaction per action with its audit record; the permission module decides who may act.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from survivors_justice.audit.services import actor_label, record_event
from survivors_justice.permissions import Action, NotAllowed, can
from survivors_justice.survivors.consent import today
from survivors_justice.survivors.models import (
    Booking,
    Certification,
    CertificationKind,
    CertificationState,
    Channel,
    CheckIn,
    Diversion,
    DiversionAnswer,
    Domain,
    Goal,
    Reminder,
    StaffHours,
    Step,
    Survivor,
)
from survivors_justice.survivors.services import ServicesError
from survivors_justice.survivors.translations import text

# The office's own targets (days from a request to a signature), and the validity of a signed
# Supplement B for filing with USCIS (six months).
CERTIFICATION_TARGET_DAYS = {
    CertificationKind.T_VISA: 30,
    CertificationKind.U_VISA: 30,
    CertificationKind.CONTINUED_PRESENCE: 7,
}
VALIDITY_MONTHS = 6
REMINDER_HOURS_BEFORE = 24
DISMISS_ACT_WITHIN_DAYS = 14  # after completion, a prosecutor acts on the recommendation by then


def _survivor_for(actor: Any, survivor_id: int) -> Survivor:
    survivor = Survivor.objects.get(pk=survivor_id)
    if not can(actor, Action.EDIT_SURVIVOR, survivor):
        raise NotAllowed(actor, Action.EDIT_SURVIVOR, survivor)
    return survivor


def _audit(actor: Any, action: str, obj: Any, source: str, **details: Any) -> None:
    record_event(actor=actor_label(actor), action=action, object_type=obj._meta.model_name,
                 object_id=str(obj.pk), source=source, details=details)


# --- healing plans ---------------------------------------------------------------------------


def add_goal(*, actor: Any, survivor_id: int, domain: str, in_own_words: str,
             source: str) -> Goal:
    if domain not in Domain.values:
        raise ServicesError(f"unknown plan domain {domain!r}; use {Domain.values}")
    if not in_own_words.strip():
        raise ServicesError("write the goal in the person's own words")
    with transaction.atomic():
        survivor = _survivor_for(actor, survivor_id)
        goal = Goal.objects.create(survivor=survivor, domain=domain,
                                   in_own_words=in_own_words.strip())
        _audit(actor, "plan.goal_add", goal, source, survivor_id=survivor.pk, domain=domain)
    return goal


def add_step(*, actor: Any, goal_id: int, text_: str, owner: str, due_on: date | None,
             source: str) -> Step:
    with transaction.atomic():
        goal = Goal.objects.get(pk=goal_id)
        _survivor_for(actor, goal.survivor_id)
        step = Step.objects.create(goal=goal, text=text_.strip(), owner=owner.strip(),
                                   due_on=due_on)
        _audit(actor, "plan.step_add", step, source, goal_id=goal.pk)
    return step


def complete_step(*, actor: Any, step_id: int, on: date | None = None, source: str) -> Step:
    with transaction.atomic():
        step = Step.objects.select_related("goal").get(pk=step_id)
        _survivor_for(actor, step.goal.survivor_id)
        step.done_on = on or today()
        step.save(update_fields=["done_on"])
        _audit(actor, "plan.step_done", step, source)
    return step


def add_check_in(*, actor: Any, survivor_id: int, on: date, note: str, source: str) -> CheckIn:
    with transaction.atomic():
        survivor = _survivor_for(actor, survivor_id)
        check_in = CheckIn.objects.create(survivor=survivor, on=on, note=note.strip(), by=actor)
        _audit(actor, "plan.check_in", check_in, source, survivor_id=survivor.pk)
    return check_in


# --- diversion: offered, never imposed -------------------------------------------------------


def offer_diversion(*, actor: Any, survivor_id: int, programme: str, conditions: str = "",
                    case_id: int | None = None, source: str) -> Diversion:
    if not programme.strip():
        raise ServicesError("name the diversion programme offered")
    with transaction.atomic():
        survivor = _survivor_for(actor, survivor_id)
        diversion = Diversion.objects.create(
            survivor=survivor, case_id=case_id, programme=programme.strip(), offered_on=today(),
            conditions=conditions.strip())
        _audit(actor, "diversion.offer", diversion, source, survivor_id=survivor.pk)
    return diversion


def update_diversion(*, actor: Any, diversion_id: int, answer: str = "", progress: str = "",
                     completed_on: date | None = None, source: str) -> Diversion:
    """Record the person's answer, progress, or completion (then: recommend dismissal, sealing)."""
    with transaction.atomic():
        d = Diversion.objects.select_for_update().get(pk=diversion_id)
        _survivor_for(actor, d.survivor_id)
        if answer:
            if answer not in (DiversionAnswer.ACCEPTED, DiversionAnswer.DECLINED):
                raise ServicesError(f"unknown answer {answer!r}; use accepted or declined")
            if d.answer != DiversionAnswer.WAITING and d.answer != answer:
                raise ServicesError(f"the person already answered {d.answer!r}; offer again "
                                    "if they changed their mind")
            d.answer, d.answered_on = answer, today()
        if progress.strip():
            stamp = today().isoformat()
            d.progress = (d.progress + "\n" if d.progress else "") + f"{stamp}: {progress.strip()}"
        if completed_on is not None:
            if d.answer != DiversionAnswer.ACCEPTED:
                raise ServicesError("only an accepted diversion can be completed")
            d.completed_on = completed_on
            d.recommended_on = today()
            d.act_by = today() + timedelta(days=DISMISS_ACT_WITHIN_DAYS)
        d.save()
        _audit(actor, "diversion.update", d, source, answer=d.answer,
               completed_on=d.completed_on.isoformat() if d.completed_on else None)
    return d


# --- on-site services --------------------------------------------------------------------------


def book(*, actor: Any, survivor_id: int, hours_id: int, starts_at: datetime, minutes: int,
         source: str) -> Booking:
    """Book a survivor into a partner's on-site hours; queue a reminder in their language."""
    with transaction.atomic():
        survivor = _survivor_for(actor, survivor_id)
        hours = StaffHours.objects.select_related("room").get(pk=hours_id)
        local = timezone.localtime(starts_at)
        ends_at = starts_at + timedelta(minutes=minutes)
        if local.weekday() != hours.weekday or not (
            hours.starts <= local.time() and timezone.localtime(ends_at).time() <= hours.ends
        ):
            raise ServicesError(
                f"{local:%A %H:%M} for {minutes} minutes is outside these hours "
                f"({hours.starts:%H:%M}-{hours.ends:%H:%M}, weekday {hours.weekday}); pick a time "
                "inside them")
        clash = Booking.objects.filter(hours__room=hours.room, cancelled_at__isnull=True,
                                       starts_at__lt=ends_at, ends_at__gt=starts_at).exists()
        if clash:
            raise ServicesError(f"{hours.room.name} is already booked then; pick another time")
        booking = Booking.objects.create(
            survivor=survivor, hours=hours, starts_at=starts_at, ends_at=ends_at,
            language=survivor.language, interpreter_needed=survivor.interpreter_needed,
            channel=survivor.reminder_channel, booked_by=actor)
        if survivor.reminder_channel != Channel.NONE:
            message = text("reminder.booking", survivor.language).text.format(
                service=hours.service, when=f"{local:%Y-%m-%d %H:%M}", room=hours.room.name)
            Reminder.objects.create(
                booking=booking, channel=survivor.reminder_channel, language=survivor.language,
                send_at=starts_at - timedelta(hours=REMINDER_HOURS_BEFORE), text=message)
        _audit(actor, "booking.create", booking, source, survivor_id=survivor.pk,
               room_id=hours.room_id, interpreter=survivor.interpreter_needed)
    return booking


def cancel_booking(*, actor: Any, booking_id: int, source: str) -> Booking:
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking_id)
        _survivor_for(actor, booking.survivor_id)
        booking.cancelled_at = timezone.now()
        booking.save(update_fields=["cancelled_at"])
        booking.reminders.filter(state="queued").update(state="cancelled")
        _audit(actor, "booking.cancel", booking, source)
    return booking


# --- immigrant survivors -----------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 != 0 or year % 400 == 0) else 28, 31, 30,
            31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    return date(year, month, min(day.day, last))


def request_certification(*, actor: Any, survivor_id: int, kind: str, agency: str = "",
                          source: str) -> Certification:
    if kind not in CertificationKind.values:
        raise ServicesError(f"unknown certification {kind!r}; use {CertificationKind.values}")
    with transaction.atomic():
        survivor = _survivor_for(actor, survivor_id)
        on = today()
        cert = Certification.objects.create(
            survivor=survivor, kind=kind, requested_on=on, agency=agency.strip(),
            target_on=on + timedelta(days=CERTIFICATION_TARGET_DAYS[CertificationKind(kind)]),
            requested_by=actor)
        _audit(actor, "certification.request", cert, source, kind=kind)
    return cert


def decide_certification(*, actor: Any, certification_id: int, state: str, on: date,
                         source: str) -> Certification:
    """Signed (valid six months for filing), refused, or (Continued Presence) referred."""
    with transaction.atomic():
        cert = Certification.objects.select_for_update().get(pk=certification_id)
        _survivor_for(actor, cert.survivor_id)
        if cert.state != CertificationState.REQUESTED:
            raise ServicesError(f"certification {cert.pk} is already {cert.state}")
        allowed = ({CertificationState.REFERRED} if cert.kind == CertificationKind.
                   CONTINUED_PRESENCE else {CertificationState.SIGNED, CertificationState.REFUSED})
        if state not in allowed:
            raise ServicesError(f"a {cert.get_kind_display()} can become "
                                f"{' or '.join(sorted(str(v.value) for v in allowed))}, "
                                f"not {state!r}")
        cert.state = state
        if state == CertificationState.SIGNED:
            cert.signed_on = on
            cert.valid_until = add_months(on, VALIDITY_MONTHS)
        cert.save()
        _audit(actor, f"certification.{state}", cert, source, on=on.isoformat())
    return cert
