"""The consent predicate (VAWA, 34 U.S.C. 12291(b)(2)): what an organisation may see of a person.

This module sits below the permission module and the views: :mod:`survivors_justice.permissions`
asks it for every list, page, export and API answer a partner gets, so no page can show more than
a current consent allows. A consent is current on a day when it has started, has not ended (its
end date is included) and was not revoked; a revocation takes effect on the very next request,
because nothing here is cached.

Without a current consent for the organisation, the organisation sees nothing of the person, not
even that a referral exists. With one, it sees the fields of the categories consented to, and each
field shown names the consent it relied on (:class:`PartnerView`), which the disclosure audit
records.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from survivors_justice.survivors.models import (
    SOGI_LABELS,
    Category,
    Consent,
    Referral,
    Survivor,
)

# The survivor fields each category releases. Case status is not a field: it is the state of the
# linked cases and of any diversion (``case_status_lines``).
CATEGORY_FIELDS: dict[str, tuple[str, ...]] = {
    Category.CONTACT: ("phone", "email", "address", "safe_contact_note", "reminder_channel"),
    Category.IDENTITY: ("given_name", "family_name", "preferred_name", "date_of_birth",
                        "sexual_orientation", "gender_identity"),
    Category.IMMIGRATION: ("immigration_status",),
    Category.HEALTH: ("health_notes",),
    Category.CASE_STATUS: (),
    Category.NARRATIVE: ("narrative",),
}
FIELD_LABELS: dict[str, str] = {
    "phone": "Phone", "email": "Email", "address": "Address",
    "safe_contact_note": "When and how it is safe to reach them",
    "reminder_channel": "Reminders by", "given_name": "Given name",
    "family_name": "Family name", "preferred_name": "Preferred name",
    "date_of_birth": "Date of birth", "sexual_orientation": "Sexual orientation (self-reported)",
    "gender_identity": "Gender identity (self-reported)",
    "immigration_status": "Immigration status", "health_notes": "Health",
    "narrative": "What happened, in their words",
}
ALL_CATEGORIES: tuple[str, ...] = tuple(Category.values)


class ConsentError(ValueError):
    """A consent that the rules refuse (no end date, ends before it starts, unknown category...)."""


def today() -> date:
    return timezone.localdate()


def current_q(on: date, prefix: str = "") -> Q:
    """A ``Consent`` filter for consents current on ``on`` (``prefix`` for a related lookup)."""
    return Q(**{f"{prefix}revoked_at__isnull": True, f"{prefix}starts_on__lte": on,
                f"{prefix}ends_on__gte": on})


def current_consents(survivor_id: int, organisation_id: int, on: date | None = None
                     ) -> list[Consent]:
    on = on or today()
    return list(
        Consent.objects.filter(current_q(on), survivor_id=survivor_id,
                               organisation_id=organisation_id).order_by("-ends_on", "-pk")
    )


def granted(consents: list[Consent], on: date) -> dict[str, Consent]:
    """Category -> the current consent that grants it (the one that lasts longest)."""
    out: dict[str, Consent] = {}
    for consent in sorted(consents, key=lambda c: (c.ends_on, c.pk), reverse=True):
        if not consent.is_current(on):
            continue
        for category in consent.categories:
            out.setdefault(category, consent)
    return out


def has_current_consent(survivor_id: int, organisation_id: int, on: date | None = None) -> bool:
    on = on or today()
    return Consent.objects.filter(current_q(on), survivor_id=survivor_id,
                                  organisation_id=organisation_id).exists()


def referrals_visible_to_organisation(organisation_id: int, on: date | None = None
                                      ) -> QuerySet[Referral]:
    """The organisation's referrals whose person has a current consent for it (else none)."""
    on = on or today()
    consented = Consent.objects.filter(
        current_q(on), survivor_id=OuterRef("survivor_id"), organisation_id=organisation_id
    )
    return Referral.objects.filter(organisation_id=organisation_id).filter(Exists(consented))


@dataclass(frozen=True)
class PartnerView:
    """What one organisation may see of one person today, each item with its consent."""

    survivor_id: int
    organisation_id: int
    fields: dict[str, str] = field(default_factory=dict)  # field name -> value shown
    relied_on: dict[str, Consent] = field(default_factory=dict)  # category -> consent
    case_status: list[str] = field(default_factory=list)

    @property
    def categories(self) -> list[str]:
        return sorted(self.relied_on)

    def labelled(self) -> list[tuple[str, str]]:
        return [(FIELD_LABELS[name], value) for name, value in self.fields.items()]

    @property
    def display_name(self) -> str:
        if Category.IDENTITY in self.relied_on:
            name = self.fields.get("preferred_name") or " ".join(
                v for v in (self.fields.get("given_name"), self.fields.get("family_name")) if v
            )
            if name:
                return name
        return f"Person {self.survivor_id} (name not shared)"


def _shown(survivor: Survivor, name: str) -> str:
    value: Any = getattr(survivor, name)
    if name in ("sexual_orientation", "gender_identity"):
        return SOGI_LABELS.get(str(value), str(value))
    if name == "reminder_channel":
        return str(survivor.get_reminder_channel_display())
    return str(value)


def case_status_lines(survivor: Survivor) -> list[str]:
    lines = [
        f"{link.get_relation_display()}: case {link.case.get_state_display().lower()}"
        for link in survivor.case_links.all()  # prefetched with their cases on list pages
    ]
    lines += [
        f"Diversion ({d.programme}): {d.get_answer_display().lower()}"
        + (f", completed {d.completed_on.isoformat()}" if d.completed_on else "")
        for d in survivor.diversions.all()
    ]
    return lines


NAME_FIELDS = ("given_name", "family_name", "preferred_name")


def partner_view(survivor: Survivor, organisation_id: int, on: date | None = None,
                 consents: list[Consent] | None = None,
                 read: tuple[str, ...] | None = None) -> PartnerView | None:
    """What ``organisation_id`` may see of ``survivor`` on ``on``; None: nothing at all.

    ``read`` limits the fields read (and decrypted) to those a page shows, e.g. a list's
    :data:`NAME_FIELDS`; the consent still decides which of them are shown, and ``relied_on``
    still names every category the consent grants."""
    on = on or today()
    if consents is None:
        consents = current_consents(survivor.pk, organisation_id, on)
    by_category = granted([c for c in consents if c.organisation_id == organisation_id
                           and c.survivor_id == survivor.pk], on)
    if not by_category:
        return None
    fields: dict[str, str] = {}
    for category in ALL_CATEGORIES:
        if category in by_category:
            for name in CATEGORY_FIELDS[category]:
                if read is None or name in read:
                    fields[name] = _shown(survivor, name)
    status = case_status_lines(survivor) if Category.CASE_STATUS in by_category else []
    return PartnerView(survivor.pk, organisation_id, fields, by_category, status)
