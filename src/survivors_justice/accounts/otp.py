"""TOTP helpers: the one device each account signs in with, and its codes.

Every account has exactly one TOTP device. It is created unconfirmed with the account; the person
confirms it at the first sign-in by entering a code from the scanned QR code (or, for accounts
created by an administrator who gives the provisioning URI out of band, the same).
"""

from __future__ import annotations

import time

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice, default_key

from survivors_justice.accounts.models import AuthenticatorDevice, TOTPSecret, User

DEVICE_NAME = "authenticator app"


def totp_device(user: User) -> AuthenticatorDevice | None:
    """The account's TOTP device (confirmed or not), or None when it has none."""
    found: AuthenticatorDevice | None = (
        AuthenticatorDevice.objects.filter(user=user).select_related("sj_secret")
        .order_by("id").first()
    )
    return found


@transaction.atomic
def _new_device(user: User, *, confirmed: bool) -> AuthenticatorDevice:
    # The plain column stays empty; the secret is written encrypted beside it.
    device: AuthenticatorDevice = AuthenticatorDevice.objects.create(
        user=user, name=DEVICE_NAME, confirmed=confirmed, key=""
    )
    device.sj_secret = TOTPSecret.objects.create(device=device, key=default_key())
    return device


def ensure_totp_device(user: User, *, confirmed: bool = False) -> AuthenticatorDevice:
    """Return the account's TOTP device, creating it (unconfirmed unless asked) when missing."""
    device = totp_device(user)
    if device is None:
        device = _new_device(user, confirmed=confirmed)
    elif confirmed and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def replace_totp_device(user: User, *, confirmed: bool = False) -> AuthenticatorDevice:
    """Drop the account's devices and create a fresh one (lost phone); unconfirmed by default."""
    TOTPDevice.objects.filter(user=user).delete()
    return ensure_totp_device(user, confirmed=confirmed)


def as_authenticator(device: TOTPDevice) -> AuthenticatorDevice:
    """The device as read through its encrypted secret (a plain TOTPDevice has no key)."""
    if isinstance(device, AuthenticatorDevice):
        return device
    found: AuthenticatorDevice = (
        AuthenticatorDevice.objects.select_related("sj_secret").get(pk=device.pk)
    )
    return found


def provisioning_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or typed in)."""
    return str(as_authenticator(device).config_url)


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The device's code at ``at`` (seconds since the epoch, default now), zero-padded."""
    device = as_authenticator(device)
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"
