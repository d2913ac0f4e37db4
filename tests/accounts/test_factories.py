"""The shared factories give what other areas' tests rely on: a verified, signed-in session."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import device_of, make_user, sign_in

from survivors_justice.accounts.otp import current_code
from survivors_justice.accounts.roles import Role

pytestmark = pytest.mark.django_db


def test_make_user_has_role_org_and_confirmed_device() -> None:
    user = make_user(Role.PARTNER_STAFF, organisation="Safe Horizon")
    assert user.role == Role.PARTNER_STAFF
    assert user.organisation == "Safe Horizon"
    assert device_of(user).confirmed
    assert user.check_password("plum-kettle-harbour-42")


def test_sign_in_gives_a_verified_session() -> None:
    user = make_user("supervisor")
    client = sign_in(Client(), user)
    request = client.get("/accounts/no-such-page/").wsgi_request
    assert request.user == user
    assert request.user.is_verified()


def test_current_code_is_what_the_device_accepts() -> None:
    device = device_of(make_user(Role.ANALYST))
    assert device.verify_token(current_code(device))
