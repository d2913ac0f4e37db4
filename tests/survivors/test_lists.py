"""List pages: a fixed number of queries whatever the number of rows, and pages of 25."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from tests.factories import make_user, sign_in
from tests.survivors.factories import consent, make_org, make_partner_staff, make_survivor

from survivors_justice.survivors import services

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
