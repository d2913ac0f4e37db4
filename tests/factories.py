"""Factories shared by every area's tests: accounts and signed-in test clients.

``make_user(role)`` creates an account with a confirmed TOTP device; ``sign_in(client, user)``
turns a Django test client into a fully signed-in, OTP-verified session (what the real sign-in
pages give).
Browser tests use ``tests.browser.helpers.signed_in_page`` instead, which goes through the pages.
"""

from __future__ import annotations

import itertools
from datetime import date, timedelta

from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import as_authenticator, ensure_totp_device
from survivors_justice.accounts.roles import Role
from survivors_justice.permissions import ROLE_ACTIONS, TRAINED_WORK
from survivors_justice.training.models import TrainingRecord
from survivors_justice.training.rules import WORK

DEFAULT_PASSWORD = "plum-kettle-harbour-42"
# The office scope most tests run under: every borough, no intake start date (tests/conftest.py)
EVERY_COUNTY = {"SJ_OFFICE_COUNTY": "all", "SJ_INTAKE_START": None}
_serial = itertools.count(1)


def make_user(
    role: Role | str,
    email: str | None = None,
    password: str = DEFAULT_PASSWORD,
    organisation: str = "",
    *,
    confirmed_device: bool = True,
    trained: bool = True,
) -> User:
    """An active account of ``role`` with a TOTP device (confirmed unless asked otherwise) and,
    unless ``trained=False``, current training for the trained work its role does (survivor
    work, a panel seat): completed 30 days ago, expiring in a year."""
    role = Role(role)
    if email is None:
        email = f"{role.value}-{next(_serial)}@example.test"
    user = User.objects.create_user(email, password, role=role, organisation=organisation)
    ensure_totp_device(user, confirmed=confirmed_device)
    if trained:
        train(user)
    return user


def train(user: User, *, completed: date | None = None, days: int = 365) -> None:
    """Record every course the user's role needs for its trained work, completed on
    ``completed`` (default 30 days ago) and valid ``days`` days from then."""
    done = completed or timezone.localdate() - timedelta(days=30)
    courses = {
        course
        for action, work in TRAINED_WORK.items()
        if action in ROLE_ACTIONS[user.role]
        for course in WORK[work]
    }
    for course in sorted(courses):
        TrainingRecord.objects.create(
            user=user, course=course, completed_on=done, expires_on=done + timedelta(days=days),
            recorded_by=user, recorded_at=timezone.now(),
        )


def device_of(user: User) -> TOTPDevice:
    """The user's TOTP device (make_user always creates one)."""
    device = TOTPDevice.objects.filter(user=user).order_by("id").first()
    assert device is not None, f"{user.email} has no TOTP device; create it with make_user"
    return as_authenticator(device)


def sign_in(client: Client, user: User) -> Client:
    """Make ``client`` a signed-in, OTP-verified session of ``user`` and return it."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    device = ensure_totp_device(user, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return client


def signed_in_client(role: Role | str, **kwargs: object) -> tuple[Client, User]:
    """A fresh client signed in as a new account of ``role`` (kwargs go to ``make_user``)."""
    user = make_user(role, **kwargs)  # type: ignore[arg-type]  # kwargs mirror make_user's
    return sign_in(Client(), user), user
