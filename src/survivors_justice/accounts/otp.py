"""TOTP helpers: the one device each account signs in with, and its codes.

Every account has exactly one TOTP device. It is created unconfirmed with the account; the person
confirms it at the first sign-in by entering a code from the scanned QR code (or, for accounts
created by an administrator who gives the provisioning URI out of band, the same).
"""

from __future__ import annotations

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from survivors_justice.accounts.models import User

DEVICE_NAME = "authenticator app"


def totp_device(user: User) -> TOTPDevice | None:
    """The account's TOTP device (confirmed or not), or None when it has none."""
    return TOTPDevice.objects.filter(user=user).order_by("id").first()


def ensure_totp_device(user: User, *, confirmed: bool = False) -> TOTPDevice:
    """Return the account's TOTP device, creating it (unconfirmed unless asked) when missing."""
    device = totp_device(user)
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=confirmed)
    elif confirmed and not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
    return device


def replace_totp_device(user: User, *, confirmed: bool = False) -> TOTPDevice:
    """Drop the account's devices and create a fresh one (lost phone); unconfirmed by default."""
    TOTPDevice.objects.filter(user=user).delete()
    return ensure_totp_device(user, confirmed=confirmed)


def provisioning_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code or typed in)."""
    return str(device.config_url)


def current_code(device: TOTPDevice, *, at: float | None = None) -> str:
    """The device's code at ``at`` (seconds since the epoch, default now), zero-padded."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() if at is None else at
    return f"{totp.token():0{device.digits}d}"
