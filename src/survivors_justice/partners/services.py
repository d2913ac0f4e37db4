"""Writes to the partner directory (one transaction each, audited)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from survivors_justice.audit.services import actor_label, record_event
from survivors_justice.partners.models import Membership, Organisation, Service
from survivors_justice.permissions import Action, NotAllowed, can


def update_entry(*, actor: Any, organisation_id: int, description: str, email: str,
                 website: str, source: str) -> Organisation:
    """A partner edits its own directory entry."""
    with transaction.atomic():
        org = Organisation.objects.select_for_update().get(pk=organisation_id)
        if not can(actor, Action.EDIT_DIRECTORY_ENTRY, org):
            raise NotAllowed(actor, Action.EDIT_DIRECTORY_ENTRY, org)
        org.description, org.email, org.website = description.strip(), email, website
        org.save()
        record_event(actor=actor_label(actor), action="partners.entry_update",
                     object_type="organisation", object_id=str(org.pk), source=source)
    return org


def set_capacity(*, actor: Any, service_id: int, capacity: int | None, source: str) -> Service:
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=service_id)
        if not can(actor, Action.EDIT_DIRECTORY_ENTRY, service.organisation):
            raise NotAllowed(actor, Action.EDIT_DIRECTORY_ENTRY, service.organisation)
        service.capacity = capacity
        service.save(update_fields=["capacity"])
        record_event(actor=actor_label(actor), action="partners.capacity", object_type="service",
                     object_id=str(service.pk), source=source, details={"capacity": capacity})
    return service


def add_member(*, actor: str, user: Any, organisation_id: int, source: str = "cli") -> Membership:
    """Link a partner-staff account to its organisation (an administrator's act)."""
    with transaction.atomic():
        membership, _ = Membership.objects.update_or_create(
            user=user, defaults={"organisation_id": organisation_id})
        record_event(actor=actor, action="partners.member_add", object_type="membership",
                     object_id=str(membership.pk), source=source,
                     details={"user_id": user.pk, "organisation_id": organisation_id})
    return membership
