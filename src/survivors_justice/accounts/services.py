"""Account actions: each one transaction with its audit record (the only writers of accounts)."""

from __future__ import annotations

from dataclasses import dataclass

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import ensure_totp_device, provisioning_uri, replace_totp_device
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.services import record_event


class AccountExistsError(ValueError):
    """An account with this email already exists."""


class NoSuchAccountError(LookupError):
    """No account has this email."""


class UnknownRoleError(ValueError):
    """A role name that is not one of the roles of DESIGN.md > Users."""


class WeakPasswordError(ValueError):
    """The password fails the password rules (length, common-password list, similarity)."""


def parse_role(value: str) -> Role:
    try:
        return Role(value)
    except ValueError:
        raise UnknownRoleError(
            f"role {value!r} is not known; use one of: {', '.join(r.value for r in Role)}"
        ) from None


def client_address(request: HttpRequest | None) -> str:
    """The address a request came from (REMOTE_ADDR; the proxy in front must set it)."""
    if request is None:
        return ""
    return str(request.META.get("REMOTE_ADDR", ""))[:100]


def get_account(email: str) -> User:
    user = User.objects.filter(email__iexact=email.strip()).first()
    if user is None:
        raise NoSuchAccountError(f"no account has the email {email!r}; see `sj users list`")
    return user


@dataclass(frozen=True, slots=True)
class NewAccount:
    user: User
    device: TOTPDevice
    provisioning_uri: str


@transaction.atomic
def create_account(
    *, email: str, role: Role | str, password: str, organisation: str = "", actor: str,
    source: str = "", confirmed_device: bool = False,
) -> NewAccount:
    """Create an account with its (unconfirmed) TOTP device; the password must pass the rules."""
    role = parse_role(str(role))
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise AccountExistsError(f"an account with the email {email!r} already exists")
    candidate = User(email=email, role=role, organisation=organisation)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise WeakPasswordError(
            f"the password for {email} is refused: {' '.join(exc.messages)} "
            "Choose a longer passphrase."
        ) from None
    user = User.objects.create_user(email, password, role=role, organisation=organisation)
    device = ensure_totp_device(user, confirmed=confirmed_device)
    record_event(
        actor=actor, action="accounts.create", object_type="user", object_id=str(user.pk),
        source=source, details={"role": role.value, "organisation": organisation},
    )
    return NewAccount(user, device, provisioning_uri(device))


def is_locked(email: str) -> bool:
    attempts = AccessAttempt.objects.filter(username__iexact=email.strip())
    limit = int(settings.AXES_FAILURE_LIMIT)
    return sum(int(a.failures_since_start) for a in attempts) >= limit


@transaction.atomic
def unlock_account(*, email: str, actor: str, source: str = "") -> int:
    """Release a locked account (drop its failed attempts); returns how many rows were dropped."""
    user = get_account(email)
    count, _ = AccessAttempt.objects.filter(username__iexact=user.email).delete()
    AccessFailureLog.objects.filter(username__iexact=user.email).delete()
    record_event(
        actor=actor, action="accounts.unlock", object_type="user", object_id=str(user.pk),
        source=source, details={"attempt_rows": count},
    )
    return int(count)


@transaction.atomic
def reset_mfa(*, email: str, actor: str, source: str = "") -> NewAccount:
    """Replace a lost authenticator: a fresh unconfirmed device, enrolled at the next sign-in."""
    user = get_account(email)
    device = replace_totp_device(user)
    record_event(
        actor=actor, action="accounts.reset_mfa", object_type="user", object_id=str(user.pk),
        source=source,
    )
    return NewAccount(user, device, provisioning_uri(device))


def record_sign_in(
    *, request: HttpRequest, email: str, outcome: str, step: str, reason: str = "",
    user: User | None = None,
) -> None:
    """Audit one sign-in attempt (``step``: password, code, enrol, locked; ``outcome``)."""
    details = {"step": step}
    if reason:
        details["reason"] = reason
    record_event(
        actor=email.strip().lower()[:254] or "(blank)",
        action="accounts.sign_in",
        object_type="user" if user is not None else "",
        object_id=str(user.pk) if user is not None else "",
        source=client_address(request),
        outcome=outcome,
        details=details,
    )


def record_sign_out(*, request: HttpRequest, user: User, reason: str = "requested") -> None:
    record_event(
        actor=user.email, action="accounts.sign_out", object_type="user", object_id=str(user.pk),
        source=client_address(request), details={"reason": reason},
    )
