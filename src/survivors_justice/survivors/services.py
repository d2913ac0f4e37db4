"""Writes for survivor records, consents, referrals and disclosures (one transaction each, audited).

Plans, diversion, bookings and certifications are in :mod:`survivors_justice.survivors.care`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from survivors_justice.audit.services import actor_label, record_event
from survivors_justice.partners.models import Need, Organisation, Service
from survivors_justice.permissions import (
    ROLE_ACTIONS,
    Action,
    NotAllowed,
    can,
    partner_organisation_id,
    role_of,
    survivor_work_gap,
    why_not,
)
from survivors_justice.survivors.consent import ALL_CATEGORIES, ConsentError, PartnerView, today
from survivors_justice.survivors.flows import check_move
from survivors_justice.survivors.models import (
    NOT_RECORDED,
    CaseLink,
    CaseRelation,
    Consent,
    Disclosure,
    GivenHow,
    Referral,
    ReferralState,
    Survivor,
)

MAX_CONSENT_DAYS = 366  # "reasonably time-limited": at most a year, then ask again
RESPOND_WITHIN_DAYS = 5  # a partner answers a referral within five days or it comes back
SURVIVOR_FIELDS = (
    "given_name", "family_name", "preferred_name", "date_of_birth", "phone", "email", "address",
    "safe_contact_note", "immigration_status", "health_notes", "narrative", "sexual_orientation",
    "gender_identity", "minor", "language", "interpreter_needed", "reminder_channel",
)


class ServicesError(ValueError):
    """A request the survivor-services rules refuse; the message says what to change."""


class TrainingLapsed(ServicesError):
    pass


def _need(actor: Any, action: Action, obj: object = None) -> None:
    if not can(actor, action, obj):
        raise NotAllowed(actor, action, obj)


def _sogi(value: str) -> str:
    """Self-reported only: blank means not recorded; the two non-answers stay distinct."""
    value = (value or "").strip()
    return value if value else NOT_RECORDED


# --- survivor records ------------------------------------------------------------------------


def open_survivor(*, actor: Any, source: str, fields: Mapping[str, Any],
                  case_id: int | None = None, relation: str = "") -> Survivor:
    """Open a survivor record and take it on as the actor's caseload."""
    _need(actor, Action.OPEN_SURVIVOR)
    gap = survivor_work_gap(actor)
    if gap:
        raise TrainingLapsed(f"{actor_label(actor)} cannot take on survivor work: {gap}")
    unknown = set(fields) - set(SURVIVOR_FIELDS)
    if unknown:
        raise ServicesError(f"unknown survivor field(s) {sorted(unknown)}; use {SURVIVOR_FIELDS}")
    values = dict(fields)
    for key in ("sexual_orientation", "gender_identity"):
        values[key] = _sogi(str(values.get(key, "")))
    with transaction.atomic():
        survivor = Survivor.objects.create(advocate=actor, **values)
        record_event(actor=actor_label(actor), action="survivor.open", object_type="survivor",
                     object_id=str(survivor.pk), source=source,
                     details={"case_id": case_id, "relation": relation})
        if case_id is not None:
            _link(actor, survivor, case_id, relation, source)
    return survivor


def open_from_task(*, actor: Any, task_id: int, source: str,
                   fields: Mapping[str, Any]) -> Survivor:
    """Take intake's "refer to an advocate" task, open the person's record linked to the case
    (as the person declined on a selling charge), and close the task as done."""
    from survivors_justice.cases import followups
    from survivors_justice.cases.models import FollowUpKind, FollowUpState, FollowUpTask

    with transaction.atomic():
        task = FollowUpTask.objects.get(pk=task_id)
        if task.kind != FollowUpKind.REFER_TO_ADVOCATE:
            raise ServicesError(f"task {task_id} is a {task.kind!r} task, not a referral to an "
                                "advocate")
        if not (task.state == FollowUpState.IN_PROGRESS and task.owner_id == actor.pk):
            followups.take(actor=actor, task_id=task.pk, source=source)
        survivor = open_survivor(actor=actor, source=source, fields=fields,
                                 case_id=task.case_id, relation=CaseRelation.DECLINED_SELLER)
        followups.close(actor=actor, task_id=task.pk, done=True,
                        note=f"Survivor record {survivor.pk} opened", source=source)
    return survivor


def assign_survivor(*, actor: Any, survivor_id: int, to: Any, source: str) -> Survivor:
    """A supervisor gives a survivor's record to a staff member, who must be an active account
    whose role works with survivors and whose training for that work is current."""
    _need(actor, Action.ASSIGN_SURVIVOR)
    if to is None or not getattr(to, "is_active", False):
        raise ServicesError(f"{getattr(to, 'email', 'that account')} is not an active account; "
                            "choose an active member of staff")
    role = role_of(to)
    if role is None or Action.SURVIVOR_WORK not in ROLE_ACTIONS[role]:
        raise ServicesError(f"{to.email} has the role {role or 'none'}, which does not work with "
                            "survivors; choose an advocate, a prosecutor or a supervisor")
    reason = why_not(to, Action.SURVIVOR_WORK)
    if reason is not None:
        raise TrainingLapsed(f"{to.email} cannot be assigned survivor {survivor_id}: {reason}")
    with transaction.atomic():
        survivor = Survivor.objects.select_for_update().filter(pk=survivor_id).first()
        if survivor is None:
            raise ServicesError(f"there is no survivor record {survivor_id}; check the number")
        previous = survivor.advocate_id
        survivor.advocate = to
        survivor.save(update_fields=["advocate"])
        record_event(actor=actor_label(actor), action="survivor.assign", object_type="survivor",
                     object_id=str(survivor.pk), source=source,
                     details={"to": to.email, "previous_user_id": previous})
    return survivor


def task_prefill(task_id: int, actor: Any) -> dict[str, Any] | None:
    """What intake knows of the person a referral task is about (for the advocate's form)."""
    from survivors_justice.cases.models import FollowUpKind, FollowUpTask

    task = (FollowUpTask.objects.select_related("case__defendant", "case__arrest")
            .filter(pk=task_id, kind=FollowUpKind.REFER_TO_ADVOCATE).first())
    if task is None or not can(actor, Action.WORK_FOLLOWUP, task):
        return None
    person = task.case.defendant
    return {"task": task, "initial": {
        "given_name": person.given_name, "family_name": person.family_name,
        "date_of_birth": person.date_of_birth or None, "phone": person.phone,
        "email": person.email, "address": person.address,
        "minor": task.case.arrest.age_group == "<18",
    }}


def update_survivor(*, actor: Any, survivor_id: int, source: str,
                    fields: Mapping[str, Any]) -> Survivor:
    with transaction.atomic():
        survivor = Survivor.objects.select_for_update().get(pk=survivor_id)
        _need(actor, Action.EDIT_SURVIVOR, survivor)
        unknown = set(fields) - set(SURVIVOR_FIELDS)
        if unknown:
            raise ServicesError(f"unknown survivor field(s) {sorted(unknown)}")
        for key, value in fields.items():
            if key in ("sexual_orientation", "gender_identity"):
                value = _sogi(str(value))
            setattr(survivor, key, value)
        survivor.save()
        record_event(actor=actor_label(actor), action="survivor.update", object_type="survivor",
                     object_id=str(survivor.pk), source=source,
                     details={"fields": sorted(fields)})
    return survivor


def _link(actor: Any, survivor: Survivor, case_id: int, relation: str, source: str) -> CaseLink:
    if relation not in CaseRelation.values:
        raise ServicesError(f"unknown case relation {relation!r}; use {CaseRelation.values}")
    link, _ = CaseLink.objects.get_or_create(survivor=survivor, case_id=case_id,
                                             defaults={"relation": relation})
    record_event(actor=actor_label(actor), action="survivor.link_case", object_type="survivor",
                 object_id=str(survivor.pk), source=source,
                 details={"case_id": case_id, "relation": relation})
    return link


def link_case(*, actor: Any, survivor_id: int, case_id: int, relation: str,
              source: str) -> CaseLink:
    with transaction.atomic():
        survivor = Survivor.objects.get(pk=survivor_id)
        _need(actor, Action.EDIT_SURVIVOR, survivor)
        return _link(actor, survivor, case_id, relation, source)


# --- consent ---------------------------------------------------------------------------------


def record_consent(
    *, actor: Any, survivor_id: int, organisation_id: int, categories: Iterable[str],
    purpose: str, starts_on: date, ends_on: date | None, given_how: str, language: str,
    witness: str = "", interpreter: str = "", source: str,
) -> Consent:
    """Record a consent to share ``categories`` with one organisation, for a purpose, to a date."""
    cats = sorted(set(categories))
    if not cats:
        raise ConsentError("a consent names at least one category of information; pick from "
                           f"{', '.join(ALL_CATEGORIES)}")
    bad = [c for c in cats if c not in ALL_CATEGORIES]
    if bad:
        raise ConsentError(f"unknown consent categories {bad}; use {', '.join(ALL_CATEGORIES)}")
    if ends_on is None:
        raise ConsentError("a consent needs an end date (VAWA: time-limited); ask the person "
                           "until when")
    if ends_on < starts_on:
        raise ConsentError(f"the consent ends ({ends_on}) before it starts ({starts_on}); "
                           "check the dates")
    if (ends_on - starts_on).days > MAX_CONSENT_DAYS:
        raise ConsentError(f"a consent lasts at most {MAX_CONSENT_DAYS} days (got "
                           f"{(ends_on - starts_on).days}); record a new one when it ends")
    if not purpose.strip():
        raise ConsentError("say what the information is shared for (the purpose)")
    if given_how not in GivenHow.values:
        raise ConsentError(f"unknown way of giving consent {given_how!r}; use {GivenHow.values}")
    if given_how == GivenHow.VERBAL and not witness.strip():
        raise ConsentError("a verbal consent needs the witness's name")
    if not language.strip():
        raise ConsentError("say in which language the consent was explained")
    org = Organisation.objects.get(pk=organisation_id)
    with transaction.atomic():
        survivor = Survivor.objects.get(pk=survivor_id)
        _need(actor, Action.EDIT_SURVIVOR, survivor)
        consent = Consent.objects.create(
            survivor=survivor, organisation=org, categories=cats, purpose=purpose.strip(),
            starts_on=starts_on, ends_on=ends_on, given_how=given_how, language=language.strip(),
            witness=witness.strip(), interpreter=interpreter.strip(), recorded_by=actor,
        )
        record_event(actor=actor_label(actor), action="consent.record", object_type="consent",
                     object_id=str(consent.pk), source=source,
                     details={"survivor_id": survivor.pk, "organisation_id": org.pk,
                              "categories": cats, "starts_on": starts_on.isoformat(),
                              "ends_on": ends_on.isoformat(), "given_how": given_how})
    return consent


def revoke_consent(*, actor: Any, consent_id: int, source: str) -> Consent:
    """Withdraw a consent now: the partner's next request sees nothing it granted."""
    with transaction.atomic():
        consent = Consent.objects.select_for_update().select_related("survivor").get(
            pk=consent_id)
        _need(actor, Action.EDIT_SURVIVOR, consent.survivor)
        if consent.revoked_at is None:
            consent.revoked_at = timezone.now()
            consent.revoked_by = actor
            consent.save(update_fields=["revoked_at", "revoked_by"])
        record_event(actor=actor_label(actor), action="consent.revoke", object_type="consent",
                     object_id=str(consent.pk), source=source,
                     details={"survivor_id": consent.survivor_id,
                              "organisation_id": consent.organisation_id})
    return consent


# --- referrals -------------------------------------------------------------------------------


def send_referral(
    *, actor: Any, survivor_id: int, consent_id: int, need: str, service_id: int | None = None,
    note: str = "", respond_within_days: int = RESPOND_WITHIN_DAYS, source: str,
) -> Referral:
    """Refer a survivor to the organisation of ``consent_id`` (the consent must be current)."""
    if need not in Need.values:
        raise ServicesError(f"unknown need {need!r}; use {Need.values}")
    with transaction.atomic():
        survivor = Survivor.objects.get(pk=survivor_id)
        _need(actor, Action.EDIT_SURVIVOR, survivor)
        consent = Consent.objects.get(pk=consent_id)
        if consent.survivor_id != survivor.pk:
            raise ServicesError(f"consent {consent_id} is not this person's; attach theirs")
        if not consent.is_current(today()):
            raise ConsentError(f"consent {consent_id} is not current (revoked, not started or "
                               "ended); record a new consent before referring")
        service = None
        if service_id is not None:
            service = Service.objects.get(pk=service_id)
            if service.organisation_id != consent.organisation_id:
                raise ServicesError(f"service {service_id} belongs to another organisation "
                                    "than the consent; pick one of the consent's organisation")
        now = timezone.now()
        referral = Referral.objects.create(
            survivor=survivor, organisation_id=consent.organisation_id, service=service,
            consent=consent, need=need, note=note, sent_by=actor, sent_at=now,
            respond_by=today() + timedelta(days=respond_within_days),
        )
        record_event(actor=actor_label(actor), action="referral.send", object_type="referral",
                     object_id=str(referral.pk), source=source,
                     details={"survivor_id": survivor.pk, "consent_id": consent.pk,
                              "organisation_id": consent.organisation_id, "need": need})
    return referral


def _move(actor: Any, referral: Referral, target: str, source: str,
          details: Mapping[str, Any] | None = None) -> None:
    check_move(referral.pk, referral.state, target)
    before = referral.state
    referral.state = target
    referral.save()
    record_event(actor=actor_label(actor), action=f"referral.{target}", object_type="referral",
                 object_id=str(referral.pk), source=source,
                 details={"from": before, "to": target, **dict(details or {})})


def respond_referral(*, actor: Any, referral_id: int, accept: bool, reason: str = "",
                     source: str) -> Referral:
    """The partner accepts or declines (a declined referral comes back to the advocate)."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        _need(actor, Action.RESPOND_REFERRAL, referral)
        if not accept and not reason.strip():
            raise ServicesError("say why the referral is declined, so the advocate can refer "
                                "elsewhere")
        referral.responded_at = timezone.now()
        referral.responded_by = actor
        referral.decline_reason = "" if accept else reason.strip()
        _move(actor, referral, ReferralState.ACCEPTED if accept else ReferralState.DECLINED,
              source)
    return referral


def record_service(*, actor: Any, referral_id: int, started_on: date,
                   ended_on: date | None = None, outcome: str = "", source: str) -> Referral:
    """The partner records the service dates and, when it ends, the outcome."""
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral_id)
        _need(actor, Action.RESPOND_REFERRAL, referral)
        if ended_on is not None and ended_on < started_on:
            raise ServicesError(f"the service ends ({ended_on}) before it starts ({started_on})")
        if ended_on is not None and not outcome.strip():
            raise ServicesError("a finished service needs an outcome in a few words")
        referral.service_started_on = started_on
        referral.service_ended_on = ended_on
        referral.outcome = outcome.strip()
        target = ReferralState.CLOSED if ended_on else ReferralState.IN_SERVICE
        if referral.state == target:
            referral.save()
            record_event(actor=actor_label(actor), action="referral.service",
                         object_type="referral", object_id=str(referral.pk), source=source)
        else:
            _move(actor, referral, target, source,
                  {"started_on": started_on.isoformat(),
                   "ended_on": ended_on.isoformat() if ended_on else None})
    return referral


def withdraw_referral(*, actor: Any, referral_id: int, source: str) -> Referral:
    with transaction.atomic():
        referral = Referral.objects.select_for_update().select_related("survivor").get(
            pk=referral_id)
        _need(actor, Action.EDIT_SURVIVOR, referral.survivor)
        _move(actor, referral, ReferralState.WITHDRAWN, source)
    return referral


def return_overdue_referrals(*, actor: str = "system", on: date | None = None) -> int:
    """Mark referrals the partner did not answer in time as back with the advocate."""
    on = on or today()
    with transaction.atomic():
        overdue = list(
            Referral.objects.select_for_update().filter(
                state=ReferralState.SENT, respond_by__lt=on, returned_at__isnull=True)
        )
        now = timezone.now()
        for referral in overdue:
            referral.returned_at = now
            referral.save(update_fields=["returned_at"])
        if overdue:
            record_event(actor=actor, action="referral.overdue_returned",
                         object_type="referral", details={"ids": [r.pk for r in overdue]})
    return len(overdue)


# --- disclosures -----------------------------------------------------------------------------


def record_disclosures(*, viewer: Any, views: Iterable[PartnerView], where: str,
                       source: str) -> int:
    """Audit what a partner was shown: one row per person and category, with its consent."""
    org = partner_organisation_id(viewer)
    now = timezone.now()
    rows = [
        Disclosure(survivor_id=v.survivor_id, organisation_id=v.organisation_id,
                   consent_id=consent.pk, category=category, to_user_id=viewer.pk, at=now,
                   where=where[:100])
        for v in views
        for category, consent in v.relied_on.items()
    ]
    if not rows:
        return 0
    with transaction.atomic():
        Disclosure.objects.bulk_create(rows)
        record_event(
            actor=actor_label(viewer), action="consent.disclosure", object_type="survivor",
            source=source,
            details={"organisation_id": org, "where": where,
                     "shown": [{"survivor_id": r.survivor_id, "category": r.category,
                                "consent_id": r.consent_id} for r in rows]},
        )
    return len(rows)
