"""Accounts: one person, one email, one role."""

from __future__ import annotations

from binascii import unhexlify
from typing import Any, ClassVar

from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django_otp.plugins.otp_totp.models import TOTPDevice

from survivors_justice.accounts.roles import Role
from survivors_justice.fields import PersonalTextField


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        if not email:
            raise ValueError("an account needs an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractUser):
    username = None  # type: ignore[assignment]  # the email is the sign-in name
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=32, choices=Role.choices)
    organisation = models.CharField(max_length=200, blank=True, default="")

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects = UserManager()  # type: ignore[misc,assignment]  # AbstractUser declares a username-based manager

    def __str__(self) -> str:
        return self.email


class TOTPSecret(models.Model):
    """The TOTP secret of one device, encrypted at rest with the personal-field keys.

    django-otp keeps the secret in plain hex in its own ``key`` column; the accounts app leaves that
    column empty and keeps the secret here instead (``sj keys rotate`` re-encrypts it with the
    rest). A device without a row here has no secret and accepts no code.
    """

    device = models.OneToOneField(
        TOTPDevice, on_delete=models.CASCADE, primary_key=True, related_name="sj_secret"
    )
    key = PersonalTextField(help_text="The hex-encoded secret, encrypted (v1:<key id>:...).")

    def __str__(self) -> str:
        return f"TOTP secret of device {self.pk}"


class AuthenticatorDevice(TOTPDevice):  # type: ignore[misc]  # django-otp ships no types
    """django-otp's TOTP device, reading its secret from :class:`TOTPSecret` (decrypted)."""

    class Meta:
        proxy = True

    @property
    def bin_key(self) -> bytes:
        try:
            secret: TOTPSecret = self.sj_secret
        except TOTPSecret.DoesNotExist:
            return b""  # no secret: no code matches
        return unhexlify(secret.key.encode())
