"""Consent is enforced below the pages: per category, revocation, expiry, other organisation.

For each of the six categories the partner's referral page shows that category's values with a
consent for it, and none of them (nor the person's name, nor the referral) after the consent is
withdrawn, after it ended, or to staff of another organisation. Expected values are the literal
strings the test's survivor was given, not anything computed by the code under test.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from tests.factories import sign_in
from tests.survivors.factories import (
    consent,
    make_org,
    make_partner_staff,
    make_survivor,
)

from survivors_justice.audit.models import AuditRecord
from survivors_justice.survivors import care, services
from survivors_justice.survivors.consent import ConsentError
from survivors_justice.survivors.models import Consent, Disclosure

pytestmark = pytest.mark.django_db

# What each category must reveal (by hand, from SURVIVOR above) ...
REVEALS = {
    "contact": ["718-555-0142", "mari@example.test", "Text only after 6pm"],
    "identity": ["Quintero-Baptiste", "2008-04-17", "bisexual", "Declined to say"],
    "immigration": ["Pending asylum application"],
    "health": ["Asthma inhaler"],
    "case_status": ["Safe Harbour Youth Programme"],
    "narrative": ["fake modelling agency"],
}
EVERY_VALUE = [v for vals in REVEALS.values() for v in vals]


@pytest.fixture(autouse=True)
def _fast(settings: object) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


def _setup(category: str) -> tuple[object, object, object, Client, Consent]:
    org = make_org("Queens Harbor Counselling")
    survivor = make_survivor()
    care.offer_diversion(actor=survivor.advocate, survivor_id=survivor.pk,
                         programme="Safe Harbour Youth Programme", source="test")
    c = consent(survivor, org, [category])
    referral = services.send_referral(actor=survivor.advocate, survivor_id=survivor.pk,
                                      consent_id=c.pk, need="mental_health", source="test")
    staff = make_partner_staff(org)
    client = sign_in(Client(), staff)
    return survivor, referral, staff, client, c


def _page(client: Client, referral_id: int) -> tuple[int, str, str]:
    detail = client.get(f"/survivors/referrals/{referral_id}/")
    listing = client.get("/survivors/referrals/")
    assert listing.status_code == 200
    return detail.status_code, detail.content.decode(), listing.content.decode()


@pytest.mark.parametrize("category", list(REVEALS))
def test_partner_sees_the_category_with_consent_only(category: str) -> None:
    survivor, referral, staff, client, c = _setup(category)
    status, detail, listing = _page(client, referral.pk)
    assert status == 200
    for value in REVEALS[category]:
        assert value in detail, f"{category}: {value!r} missing with consent"
    for other, values in REVEALS.items():
        if other != category:
            for value in values:
                assert value not in detail, f"{category} consent shows {other} value {value!r}"
    # the listing names the person only with identity
    assert ("Mari" in listing) == (category == "identity")
    # every disclosure is recorded with the consent it relied on
    shown = Disclosure.objects.filter(survivor=survivor, to_user=staff)
    assert shown.count() == 2 and {d.consent_id for d in shown} == {c.pk}
    assert {d.category for d in shown} == {category}
    audit = AuditRecord.objects.filter(action="consent.disclosure").order_by("-seq").first()
    assert audit is not None
    assert audit.details["shown"][0] == {"survivor_id": survivor.pk, "category": category,
                                         "consent_id": c.pk}

    # withdrawn: the very next request shows nothing, not even the referral
    services.revoke_consent(actor=survivor.advocate, consent_id=c.pk, source="test")
    status, detail, listing = _page(client, referral.pk)
    assert status == 404
    for value in [*EVERY_VALUE, "Mari", "Counselling referral"]:
        assert value not in detail and value not in listing
    assert f"/survivors/referrals/{referral.pk}/" not in listing


@pytest.mark.parametrize("category", list(REVEALS))
def test_expired_consent_shows_nothing(category: str) -> None:
    _survivor, referral, staff, client, c = _setup(category)
    today = timezone.localdate()
    Consent.objects.filter(pk=c.pk).update(starts_on=today - timedelta(days=30),
                                          ends_on=today - timedelta(days=1))
    status, detail, listing = _page(client, referral.pk)
    assert status == 404
    for value in [*EVERY_VALUE, "Mari"]:
        assert value not in detail and value not in listing
    assert f"/survivors/referrals/{referral.pk}/" not in listing
    assert not Disclosure.objects.filter(to_user=staff).exists()


@pytest.mark.parametrize("category", list(REVEALS))
def test_another_organisation_sees_nothing(category: str) -> None:
    _survivor, referral, _staff, _client, _c = _setup(category)
    other = make_partner_staff(make_org("Elsewhere Services"))
    other_client = sign_in(Client(), other)
    status, detail, listing = _page(other_client, referral.pk)
    assert status == 404
    for value in [*EVERY_VALUE, "Mari"]:
        assert value not in detail and value not in listing


def test_consent_starting_tomorrow_is_not_current() -> None:
    _survivor, referral, _staff, client, c = _setup("identity")
    today = timezone.localdate()
    Consent.objects.filter(pk=c.pk).update(starts_on=today + timedelta(days=1),
                                          ends_on=today + timedelta(days=30))
    assert _page(client, referral.pk)[0] == 404


def test_partner_cannot_answer_without_consent() -> None:
    survivor, referral, _staff, client, c = _setup("contact")
    services.revoke_consent(actor=survivor.advocate, consent_id=c.pk, source="test")
    response = client.post(f"/survivors/referrals/{referral.pk}/respond/",
                           {"decision": "accept"})
    assert response.status_code == 404
    referral.refresh_from_db()
    assert referral.state == "sent"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"ends_on": None}, "needs an end date"),
        ({"categories": []}, "at least one category"),
        ({"categories": ["finances"]}, "unknown consent categories"),
        ({"given_how": "verbal_with_witness"}, "witness"),
        ({"days": 400}, "at most 366 days"),
        ({"purpose": "  "}, "purpose"),
    ],
)
def test_consent_rules(kwargs: dict[str, object], message: str) -> None:
    survivor = make_survivor()
    org = make_org()
    today = timezone.localdate()
    args: dict[str, object] = {
        "categories": ["contact"], "purpose": "Housing referral", "starts_on": today,
        "ends_on": today + timedelta(days=int(kwargs.pop("days", 30))),  # type: ignore[call-overload]
        "given_how": "signed_in_person", "language": "es",
    }
    args.update(kwargs)
    with pytest.raises(ConsentError, match=message):
        services.record_consent(actor=survivor.advocate, survivor_id=survivor.pk,
                                organisation_id=org.pk, source="test", **args)  # type: ignore[arg-type]


def test_referral_needs_a_current_consent() -> None:
    survivor = make_survivor()
    org = make_org()
    c = consent(survivor, org, ["contact"])
    services.revoke_consent(actor=survivor.advocate, consent_id=c.pk, source="test")
    with pytest.raises(ConsentError, match="not current"):
        services.send_referral(actor=survivor.advocate, survivor_id=survivor.pk,
                               consent_id=c.pk, need="housing", source="test")


def test_sogi_not_recorded_and_declined_stay_apart_and_are_encrypted() -> None:
    from django.db import connection

    a = make_survivor(sexual_orientation="", gender_identity="declined_to_say")
    assert a.sexual_orientation == "not_recorded"
    assert a.gender_identity == "declined_to_say"
    with connection.cursor() as cur:
        cur.execute("SELECT sexual_orientation, gender_identity, given_name FROM "
                    "survivors_survivor WHERE id = %s", [a.pk])
        raw = cur.fetchone()
    assert all(str(v).startswith("v2:") for v in raw), raw
    assert "declined" not in str(raw) and "Marisol" not in str(raw)


def test_shared_copy_lists_what_was_shown_to_whom() -> None:
    survivor, referral, _staff, client, _c = _setup("health")
    _page(client, referral.pk)
    advocate_client = sign_in(Client(), survivor.advocate)
    page = advocate_client.get(f"/survivors/{survivor.pk}/shared/").content.decode()
    assert "Queens Harbor Counselling" in page
    assert "health" in page
    assert "<td>2</td>" in page  # the detail page and the list: two showings today
