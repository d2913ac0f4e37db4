"""List pages: a fixed number of queries whatever the number of rows, and pages of 25."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.factories import make_user, sign_in
from tests.survivors.factories import consent, make_org, make_partner_staff, make_survivor

from survivors_justice.partners.models import Membership
from survivors_justice.survivors import services
from survivors_justice.survivors.models import Referral

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


def _world(n: int) -> tuple[Client, Client]:
    advocate = make_user("advocate")
    org = make_org()
    for _ in range(n):
        s = make_survivor(advocate)
        c = consent(s, org, ["contact", "identity", "case_status"])
        services.send_referral(actor=advocate, survivor_id=s.pk, consent_id=c.pk,
                               need="housing", source="t")
    return sign_in(Client(), advocate), sign_in(Client(), make_partner_staff(org))


def test_query_counts_do_not_grow_with_rows() -> None:
    adv, partner = _world(2)
    small = (_queries(adv, "/survivors/"), _queries(partner, "/survivors/referrals/"))
    adv, partner = _world(12)
    assert (_queries(adv, "/survivors/"), _queries(partner, "/survivors/referrals/")) == small


def test_pages_of_25() -> None:
    adv, partner = _world(27)
    first = adv.get("/survivors/").content.decode()
    assert first.count('href="/survivors/') - first.count('href="/survivors/new') >= 25
    assert "?page=2" in first
    second = adv.get("/survivors/?page=2").content.decode()
    assert second.count("<th scope=\"row\"") == 2 and "?page=3" not in second
    assert partner.get("/survivors/referrals/?page=2").content.decode().count(
        "<th scope=\"row\"") == 2


def _survivor_queries(client: Client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in ctx.captured_queries
            if q["sql"].lstrip().upper().startswith("SELECT") and "survivors_" in q["sql"]]


def test_referrals_that_came_back_are_the_advocates_own_overdue_or_lately_declined() -> None:
    advocate, other_advocate = make_user("advocate"), make_user("advocate")
    org = make_org()
    staff = make_partner_staff(org)
    today = timezone.localdate()

    def referral(owner: Any, given: str, respond_in_days: int) -> Referral:
        s = make_survivor(owner, given_name=given, preferred_name="")
        c = consent(s, org, ["identity"])
        r = services.send_referral(actor=owner, survivor_id=s.pk, consent_id=c.pk,
                                   need="housing", source="t")
        Referral.objects.filter(pk=r.pk).update(respond_by=today + timedelta(days=respond_in_days))
        return r

    late = [f"Late{letter}" for letter in "ABCDEFGHIJKL"]  # due 1, 2, ... 12 days ago
    overdue = [referral(advocate, name, -(i + 1)) for i, name in enumerate(late)]
    referral(advocate, "NotDueYet", 3)
    declined = referral(advocate, "DeclinedNow", 5)
    services.respond_referral(actor=staff, referral_id=declined.pk, accept=False,
                              reason="No beds this month", source="t")
    long_ago = referral(advocate, "DeclinedLongAgo", 4)
    services.respond_referral(actor=staff, referral_id=long_ago.pk, accept=False,
                              reason="Full", source="t")
    Referral.objects.filter(pk=long_ago.pk).update(
        responded_at=timezone.now() - timedelta(days=31))
    referral(other_advocate, "SomeoneElses", -30)

    client = sign_in(Client(), advocate)
    page = client.get("/survivors/").content.decode()
    came_back = page.split("Referrals that came back to you")[1].split("<h2>")[0]
    # the ten shown, most overdue first (computed here from the dates given above)
    expected = late[::-1][:10]
    shown = [name for name in late if name in came_back]
    assert sorted(shown, key=came_back.index) == expected
    assert "No beds this month" not in came_back  # due later than the ten overdue ones
    for absent in ("NotDueYet", "DeclinedLongAgo", "SomeoneElses"):
        assert absent not in came_back

    # with fewer overdue, the recent decline is listed with its reason
    Referral.objects.filter(pk__in=[r.pk for r in overdue[2:]]).update(
        respond_by=today + timedelta(days=2))
    came_back = client.get("/survivors/").content.decode().split(
        "Referrals that came back to you")[1].split("<h2>")[0]
    assert [n for n in late if n in came_back] == ["LateA", "LateB"]
    assert came_back.index("LateB") < came_back.index("LateA") < came_back.index("DeclinedNow")
    assert "declined: No beds this month" in came_back

    # three reads of survivor data: the page of people, their open referrals, what came back
    assert len(_survivor_queries(client, "/survivors/")) == 3
    # page 2 (15 people: nobody on it) reads only the empty page; no "came back" after page 1
    assert len(_survivor_queries(client, "/survivors/?page=2")) == 1


def test_partner_list_reads_survivor_data_in_a_fixed_number_of_queries() -> None:
    _adv, partner = _world(3)
    # the referrals with their people, the consents of those people; no case status consented
    # here beyond the listed people's, read in two more (links with cases, diversions)
    reads = _survivor_queries(partner, "/survivors/referrals/")
    assert len(reads) == 4
    _adv, partner = _world(11)
    assert len(_survivor_queries(partner, "/survivors/referrals/")) == 4


def test_a_partner_moved_to_another_organisation_sees_its_list_on_the_next_request() -> None:
    _adv, partner = _world(2)
    assert partner.get("/survivors/referrals/").content.decode().count('<th scope="row"') == 2
    Membership.objects.update(organisation=make_org("Another Partner"))
    assert partner.get("/survivors/referrals/").content.decode().count('<th scope="row"') == 0
