"""Sign-in through the real views: password, then TOTP code; enrolment; lockout; audit records."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.test import Client, override_settings
from django.utils import timezone
from tests.factories import DEFAULT_PASSWORD, device_of, make_user

from survivors_justice.accounts import services
from survivors_justice.accounts.otp import current_code
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify

pytestmark = pytest.mark.django_db

SIGN_IN = "/accounts/sign-in/"
VERIFY = "/accounts/verify/"
ENROL = "/accounts/enrol/"


def post_password(client: Client, email: str, password: str = DEFAULT_PASSWORD, **extra: str):
    return client.post(SIGN_IN, {"username": email, "password": password, **extra},
                       REMOTE_ADDR="203.0.113.7")


def sign_in_events(email: str) -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action="accounts.sign_in", actor=email).order_by("seq"))


def test_password_then_code_signs_in_and_is_audited_with_the_address() -> None:
    user = make_user(Role.INTAKE_ADA)
    client = Client()
    response = post_password(client, user.email, next="/home/")
    assert response.status_code == 302 and response["Location"] == VERIFY
    # Not signed in yet: the password alone opens nothing.
    assert client.get("/home/").status_code == 302
    response = client.post(VERIFY, {"code": current_code(device_of(user))},
                           REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and response["Location"] == "/home/"
    page = client.get("/home/")
    assert page.status_code == 200
    assert page.wsgi_request.user.is_verified()
    assert "Intake prosecutor" in page.content.decode()
    [event] = sign_in_events(user.email)
    assert (event.outcome, event.source) == ("success", "203.0.113.7")
    assert event.details["step"] == "code"
    assert verify().ok


def test_wrong_password_is_refused_and_audited() -> None:
    user = make_user(Role.ANALYST)
    response = post_password(Client(), user.email, "not-the-password-at-all")
    assert response.status_code == 200
    assert "email address or password is not right" in response.content.decode()
    [event] = sign_in_events(user.email)
    assert (event.outcome, event.details["step"], event.source) == ("failure", "password",
                                                                     "203.0.113.7")


def test_wrong_code_is_refused_and_audited() -> None:
    user = make_user(Role.SUPERVISOR)
    client = Client()
    post_password(client, user.email)
    good = current_code(device_of(user))
    wrong = f"{(int(good) + 1) % 1_000_000:06d}"
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert "That code is not right" in response.content.decode()
    assert client.get("/home/").status_code == 302
    [event] = sign_in_events(user.email)
    assert (event.outcome, event.details["step"]) == ("failure", "code")


def test_signed_out_visitor_is_sent_to_sign_in_except_on_public_paths() -> None:
    client = Client()
    response = client.get("/home/")
    assert response.status_code == 302
    assert response["Location"].startswith(SIGN_IN + "?next=%2Fhome%2F")
    assert client.get(SIGN_IN).status_code == 200
    # The API authenticates on its own: the middleware lets /api/ through, and the API answers.
    # A signed-out call is refused with 401 and JSON, never redirected to the sign-in page;
    # an unknown API path is a JSON 404, not the site's HTML page.
    refused = client.get("/api/cases")
    assert (refused.status_code, refused.json()) == (401, {"detail": "Unauthorized"})
    unknown = client.get("/api/no-such-endpoint")
    assert (unknown.status_code, unknown.json()) == (404, {"detail": "Not found."})
    htmx = client.get("/home/", headers={"HX-Request": "true"})
    assert htmx.status_code == 401 and htmx["HX-Redirect"].startswith(SIGN_IN)


def test_first_sign_in_enrols_the_authenticator_by_qr_code() -> None:
    user = make_user(Role.ADVOCATE, confirmed_device=False)
    client = Client()
    response = post_password(client, user.email)
    assert response["Location"] == ENROL
    page = client.get(ENROL).content.decode()
    assert 'src="data:image/svg+xml;base64,' in page
    assert client.get(VERIFY)["Location"] == ENROL  # cannot skip enrolment
    response = client.post(ENROL, {"code": current_code(device_of(user))})
    assert response.status_code == 302
    assert device_of(user).confirmed
    assert client.get("/home/").status_code == 200
    assert AuditRecord.objects.filter(action="accounts.mfa_enrolled", actor=user.email).exists()


def test_five_wrong_passwords_lock_until_an_admin_releases() -> None:
    user = make_user(Role.INTAKE_ADA)
    client = Client()
    statuses = [post_password(client, user.email, f"wrong-password-{i}").status_code
                for i in range(5)]
    assert statuses == [200, 200, 200, 200, 429]
    # The right password no longer opens it.
    response = post_password(client, user.email)
    assert response.status_code == 429
    assert "locked" in response.content.decode()
    assert services.is_locked(user.email)
    services.unlock_account(email=user.email, actor="admin@example.test")
    assert post_password(client, user.email).status_code == 302


def test_failures_more_than_15_minutes_apart_do_not_lock() -> None:
    user = make_user(Role.INTAKE_ADA)
    client = Client()
    for i in range(4):
        post_password(client, user.email, f"wrong-password-{i}")
    AccessFailureLog.objects.filter(username=user.email).update(
        attempt_time=timezone.now() - timedelta(minutes=16)
    )
    assert post_password(client, user.email, "wrong-password-4").status_code == 200
    assert not services.is_locked(user.email)
    # ...but five inside the window do.
    for i in range(4):
        post_password(client, user.email, f"wrong-again-{i}")
    assert services.is_locked(user.email)


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_five_wrong_codes_lock_the_account_too() -> None:
    user = make_user(Role.TRAFFICKING_ADA)
    client = Client()
    post_password(client, user.email)
    good = current_code(device_of(user))
    statuses = []
    for i in range(1, 6):
        statuses.append(client.post(VERIFY, {"code": f"{(int(good) + i) % 1_000_000:06d}"})
                        .status_code)
    assert statuses[-1] == 429
    assert services.is_locked(user.email)
    assert post_password(client, user.email).status_code == 429  # even the right password
    assert client.get("/home/").status_code == 302


def test_sign_out_ends_the_session_and_is_audited() -> None:
    from tests.factories import sign_in

    user = make_user(Role.ADMIN)
    client = sign_in(Client(), user)
    assert client.get("/home/").status_code == 200
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert client.get("/home/").status_code == 302
    assert AuditRecord.objects.filter(action="accounts.sign_out", actor=user.email).exists()
