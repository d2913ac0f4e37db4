"""The administrators' account pages: create (enrolment shown once), role, deactivate, MFA reset."""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import struct
import time

import pytest
from django.test import Client, override_settings
from tests.factories import make_user, sign_in

from survivors_justice.accounts.models import User
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.audit.services import verify

pytestmark = pytest.mark.django_db

PASSWORD = "harbour-lantern-quince-58"


def totp(secret_b32: str, at: float | None = None) -> str:
    """RFC 6238 by hand (SHA-1, 30 s, 6 digits): independent of django-otp."""
    key = base64.b32decode(secret_b32.replace(" ", ""))
    counter = int((time.time() if at is None else at) // 30)
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def shown_secret(html: str) -> str:
    match = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert match, "the page shows no TOTP secret"
    return match.group(1).replace(" ", "")


@pytest.fixture
def admin_client() -> tuple[Client, User]:
    admin = make_user(Role.ADMIN)
    return sign_in(Client(), admin), admin


def create(client: Client, **fields: str):
    data = {"email": "new.advocate@office.example", "role": "advocate", "organisation": "",
            "password": PASSWORD, **fields}
    return client.post("/accounts/users/new/", data)


def test_create_shows_the_enrolment_once_and_the_person_signs_in_with_it(admin_client) -> None:
    client, admin = admin_client
    response = create(client)
    assert response.status_code == 200
    html = response.content.decode()
    assert "This code is shown only now" in html and 'src="data:image/svg+xml;base64,' in html
    assert "no-store" in response["Cache-Control"]
    secret = shown_secret(html)
    user = User.objects.get(email="new.advocate@office.example")
    assert user.role == Role.ADVOCATE and user.check_password(PASSWORD)
    record = AuditRecord.objects.get(action="accounts.create", object_id=str(user.pk))
    assert (record.actor, record.source, record.details["role"]) == (
        admin.email, "127.0.0.1", "advocate")
    # never again: not on the account's page, not at the person's sign-in
    assert secret not in client.get(f"/accounts/users/{user.pk}/").content.decode()
    person = Client()
    step = person.post("/accounts/sign-in/", {"username": user.email, "password": PASSWORD})
    assert step["Location"] == "/accounts/verify/"  # no enrolment page with the QR code
    assert secret not in person.get("/accounts/verify/").content.decode()
    done = person.post("/accounts/verify/", {"code": totp(secret)})
    assert done.status_code == 302 and done["Location"] == "/home/"
    assert person.get("/home/").status_code == 200
    assert verify().ok


@pytest.mark.parametrize(("fields", "field", "message"), [
    ({"email": "not-an-email"}, "email", "Enter an email address like name@example.org."),
    ({"role": ""}, "role", "Choose the role this person has in the office."),
    ({"role": "sheriff"}, "role", "Select a valid choice."),
    ({"password": "short1"}, "password", "too short"),
    ({"role": "partner_staff"}, "organisation",
     "Partner staff need the name of their organisation."),
])
def test_create_errors_appear_at_the_field(admin_client, fields, field, message) -> None:
    client, _ = admin_client
    response = create(client, **fields)
    assert response.status_code == 200
    html = response.content.decode()
    error = re.search(rf'id="id_{field}-error"[^>]*>([^<]*)<', html)
    assert error and message in error.group(1), html
    assert "This code is shown only now" not in html
    assert not User.objects.filter(email="new.advocate@office.example").exists()
    assert not AuditRecord.objects.filter(action="accounts.create").exists()


def test_create_refuses_an_existing_email_at_the_field(admin_client) -> None:
    client, _ = admin_client
    make_user(Role.ANALYST, email="taken@office.example")
    html = create(client, email="Taken@Office.example").content.decode()
    assert re.search(r'id="id_email-error"[^>]*>An account with this email address already', html)
    assert User.objects.filter(email__iexact="taken@office.example").count() == 1


def test_change_role_is_audited_and_takes_effect_at_once(admin_client) -> None:
    client, admin = admin_client
    person = make_user(Role.INTAKE_ADA)
    person_client = sign_in(Client(), person)
    assert person_client.get("/cases/intake/").status_code == 200
    response = client.post(f"/accounts/users/{person.pk}/role/", {"role": "analyst"}, follow=True)
    assert "is now Analyst (was Intake prosecutor)" in response.content.decode()
    person.refresh_from_db()
    assert person.role == Role.ANALYST
    record = AuditRecord.objects.get(action="accounts.change_role")
    assert (record.actor, record.object_id, record.details) == (
        admin.email, str(person.pk), {"from": "intake_ada", "to": "analyst"})
    assert person_client.get("/cases/intake/").status_code == 403


def test_role_errors_at_the_field_and_no_self_demotion(admin_client) -> None:
    client, admin = admin_client
    person = make_user(Role.ANALYST)
    bad = client.post(f"/accounts/users/{person.pk}/role/", {"role": "sheriff"})
    assert bad.status_code == 400 and 'id="id_role-error"' in bad.content.decode()
    own = client.post(f"/accounts/users/{admin.pk}/role/", {"role": "analyst"})
    assert own.status_code == 400
    assert "cannot change your own role" in own.content.decode()
    admin.refresh_from_db()
    assert admin.role == Role.ADMIN
    assert not AuditRecord.objects.filter(action="accounts.change_role").exists()


def test_deactivate_signs_the_person_out_and_reactivate_undoes_it(admin_client) -> None:
    client, admin = admin_client
    person = make_user(Role.SUPERVISOR)
    person_client = sign_in(Client(), person)
    client.post(f"/accounts/users/{person.pk}/deactivate/")
    person.refresh_from_db()
    assert not person.is_active
    assert person_client.get("/home/").status_code == 302  # sent to sign in
    refused = Client().post("/accounts/sign-in/", {"username": person.email,
                                                    "password": "plum-kettle-harbour-42"})
    assert refused.status_code == 200  # the password no longer opens the account
    client.post(f"/accounts/users/{person.pk}/reactivate/")
    person.refresh_from_db()
    assert person.is_active
    actions = list(AuditRecord.objects.filter(object_id=str(person.pk), actor=admin.email)
                   .order_by("seq").values_list("action", flat=True))
    assert actions == ["accounts.deactivate", "accounts.reactivate"]
    client.post(f"/accounts/users/{admin.pk}/deactivate/")
    admin.refresh_from_db()
    assert admin.is_active


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def test_reset_mfa_shows_a_new_enrolment_once_and_the_old_codes_stop(admin_client) -> None:
    client, admin = admin_client
    old_secret = shown_secret(create(client, email="other@office.example").content.decode())
    other = User.objects.get(email="other@office.example")
    html = client.post(f"/accounts/users/{other.pk}/reset-mfa/").content.decode()
    new_secret = shown_secret(html)
    assert new_secret != old_secret
    person = Client()
    person.post("/accounts/sign-in/", {"username": other.email, "password": PASSWORD})
    assert person.post("/accounts/verify/", {"code": totp(old_secret)}).status_code == 200
    person = Client()
    person.post("/accounts/sign-in/", {"username": other.email, "password": PASSWORD})
    assert person.post("/accounts/verify/", {"code": totp(new_secret)}).status_code == 302
    record = AuditRecord.objects.get(action="accounts.reset_mfa")
    assert (record.actor, record.object_id) == (admin.email, str(other.pk))


def test_unknown_account_is_a_404(admin_client) -> None:
    client, _ = admin_client
    assert client.get("/accounts/users/99999999/").status_code == 404
    assert client.post("/accounts/users/99999999/role/", {"role": "analyst"}).status_code == 404


def test_every_mistake_is_shown_at_once(admin_client) -> None:
    client, _ = admin_client
    html = create(client, role="", password="short1").content.decode()
    assert 'id="id_role-error"' in html and 'id="id_password-error"' in html
    assert "too short" in html
