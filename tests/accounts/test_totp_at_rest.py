"""TOTP secrets are encrypted at rest (issue 14, finding 5); sign-in still works."""

from __future__ import annotations

import base64

import pytest
from django.db import connection
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice
from tests.accounts.test_admin_pages import totp
from tests.factories import DEFAULT_PASSWORD, make_user

from survivors_justice.accounts.models import TOTPSecret
from survivors_justice.accounts.otp import provisioning_uri, totp_device
from survivors_justice.accounts.roles import Role

pytestmark = pytest.mark.django_db


def raw_rows() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice")
        plain = [str(r[0]) for r in cursor.fetchall()]
        cursor.execute("SELECT key FROM accounts_totpsecret")
        sealed = [str(r[0]) for r in cursor.fetchall()]
    return plain + sealed


def test_the_raw_columns_hold_no_secret_and_sign_in_works() -> None:
    user = make_user(Role.ADVOCATE)
    device = totp_device(user)
    assert device is not None
    uri = provisioning_uri(device)
    secret_b32 = uri.split("secret=")[1].split("&")[0]
    secret_hex = base64.b32decode(secret_b32 + "=" * (-len(secret_b32) % 8)).hex()
    rows = raw_rows()
    assert rows and all(secret_hex not in r.lower() and secret_b32 not in r for r in rows)
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device.pk])
        assert cursor.fetchone()[0] == ""
        cursor.execute("SELECT key FROM accounts_totpsecret WHERE device_id = %s", [device.pk])
        assert cursor.fetchone()[0].startswith("v2:")
    client = Client()
    client.post("/accounts/sign-in/", {"username": user.email, "password": DEFAULT_PASSWORD})
    response = client.post("/accounts/verify/", {"code": totp(secret_b32)})
    assert response.status_code == 302 and client.get("/home/").status_code == 200


def test_a_device_without_its_secret_accepts_no_code() -> None:
    user = make_user(Role.ANALYST)
    device = totp_device(user)
    assert device is not None
    secret_b32 = provisioning_uri(device).split("secret=")[1].split("&")[0]
    TOTPSecret.objects.filter(device=device).delete()
    client = Client()
    client.post("/accounts/sign-in/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert client.post("/accounts/verify/", {"code": totp(secret_b32)}).status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).key == ""


def test_the_migration_encrypts_existing_plain_secrets() -> None:
    from importlib import import_module

    from django.apps import apps

    migration = import_module(
        "survivors_justice.accounts.migrations.0002_totp_secret_encrypted")
    user = make_user(Role.SUPERVISOR)
    # a device as django-otp alone stores it: the secret in plain hex
    TOTPDevice.objects.filter(user=user).delete()
    plain_hex = "3132333435363738393031323334353637383930"  # RFC 6238's test secret
    legacy = TOTPDevice.objects.create(user=user, name="legacy", confirmed=True, key=plain_hex)
    migration.encrypt_secrets(apps, None)
    assert all(plain_hex not in r for r in raw_rows())
    device = totp_device(user)
    assert device is not None and device.pk == legacy.pk
    assert device.bin_key == b"12345678901234567890"
    # RFC 6238 appendix B: SHA-1 at T=59 gives 94287082 (8 digits; the last 6 here)
    assert totp(base64.b32encode(b"12345678901234567890").decode(), at=59) == "287082"


def test_key_rotation_re_encrypts_the_totp_secrets() -> None:
    from survivors_justice.accounts.keyrotation import personal_columns

    specs = {spec.table: spec.columns for spec in personal_columns()}
    assert specs["accounts_totpsecret"] == ("key",)
    assert "otp_totp_totpdevice" not in specs  # its plain column stays empty
