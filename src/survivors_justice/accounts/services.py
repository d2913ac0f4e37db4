"""Account actions: each one transaction with its audit record (the only writers of accounts)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
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


class SelfChangeError(ValueError):
    """An administrator tried to remove their own access (role or account)."""


def lockout_period() -> timedelta | None:
    """How long a lock lasts (``SJ_LOCKOUT_MINUTES``); None: until an administrator releases it."""
    cool_off = settings.AXES_COOLOFF_TIME
    return cool_off if isinstance(cool_off, timedelta) else None


def _live_attempts(email: str) -> list[AccessAttempt]:
    attempts = AccessAttempt.objects.filter(username__iexact=email.strip())
    period = lockout_period()
    if period is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - period)
    return list(attempts)


def is_locked(email: str) -> bool:
    limit = int(settings.AXES_FAILURE_LIMIT)
    return sum(int(a.failures_since_start) for a in _live_attempts(email)) >= limit


def locked_until(email: str) -> datetime | None:
    """When a locked account opens again by itself; None when it waits for an administrator."""
    period = lockout_period()
    attempts = _live_attempts(email)
    if period is None or not attempts:
        return None
    last: datetime = max(a.attempt_time for a in attempts)
    return last + period


@dataclass(frozen=True, slots=True)
class LockedAccount:
    user: User
    until: datetime | None  # None: until an administrator releases it


def locked_accounts() -> list[LockedAccount]:
    """Every account locked now (for the administrators' list and their home-page notice)."""
    limit = int(settings.AXES_FAILURE_LIMIT)
    attempts = AccessAttempt.objects.all()
    period = lockout_period()
    if period is not None:
        attempts = attempts.filter(attempt_time__gte=timezone.now() - period)
    failures: dict[str, int] = {}
    for a in attempts.only("username", "failures_since_start"):
        key = (a.username or "").lower()
        failures[key] = failures.get(key, 0) + int(a.failures_since_start)
    emails = [e for e, n in failures.items() if e and n >= limit]
    users = User.objects.filter(email__in=emails).order_by("email")
    return [LockedAccount(u, locked_until(u.email)) for u in users]


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
def reset_mfa(
    *, email: str, actor: str, source: str = "", confirmed_device: bool = False
) -> NewAccount:
    """Replace a lost authenticator with a fresh device.

    Unconfirmed (the default, ``sj users reset-mfa``): the person scans the QR code at the next
    sign-in. Confirmed (the accounts page): the enrolment is shown once to the administrator, who
    hands it to the person; the sign-in pages never show it again.
    """
    user = get_account(email)
    device = replace_totp_device(user, confirmed=confirmed_device)
    record_event(
        actor=actor, action="accounts.reset_mfa", object_type="user", object_id=str(user.pk),
        source=source, details={"shown_to": "administrator" if confirmed_device else "person"},
    )
    return NewAccount(user, device, provisioning_uri(device))


@transaction.atomic
def change_role(*, user_id: int, role: Role | str, actor: User | str, source: str = "") -> User:
    """Give the account another role (audited with the old and the new one)."""
    new_role = parse_role(str(role))
    user = User.objects.select_for_update().get(pk=user_id)
    actor_email = actor.email if isinstance(actor, User) else actor
    if isinstance(actor, User) and actor.pk == user.pk and new_role != user.role:
        raise SelfChangeError(
            "you cannot change your own role; ask another administrator to do it"
        )
    old = user.role
    if old == new_role:
        return user
    user.role = new_role
    user.save(update_fields=["role"])
    record_event(
        actor=actor_email, action="accounts.change_role", object_type="user",
        object_id=str(user.pk), source=source, details={"from": old, "to": new_role.value},
    )
    _after_access_change(user, actor_email, source, reason="role changed")
    return user


@transaction.atomic
def deactivate_account(*, email: str, actor: User | str, source: str = "") -> User:
    """Stop the account from signing in (kept, with its history; reactivate to undo)."""
    user = User.objects.select_for_update().get(pk=get_account(email).pk)
    actor_email = actor.email if isinstance(actor, User) else actor
    if isinstance(actor, User) and actor.pk == user.pk:
        raise SelfChangeError(
            "you cannot deactivate your own account; ask another administrator to do it"
        )
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    record_event(
        actor=actor_email, action="accounts.deactivate", object_type="user",
        object_id=str(user.pk), source=source,
    )
    _after_access_change(user, actor_email, source, reason="owner deactivated")
    return user


@transaction.atomic
def reactivate_account(*, email: str, actor: User | str, source: str = "") -> User:
    """Let a deactivated account sign in again."""
    user = User.objects.select_for_update().get(pk=get_account(email).pk)
    actor_email = actor.email if isinstance(actor, User) else actor
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    record_event(
        actor=actor_email, action="accounts.reactivate", object_type="user",
        object_id=str(user.pk), source=source,
    )
    return user


@transaction.atomic
def reset_password(*, email: str, password: str, actor: str, source: str = "") -> User:
    """Set a new password (it must pass the password rules); the account's lock is released."""
    user = User.objects.select_for_update().get(pk=get_account(email).pk)
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        raise WeakPasswordError(
            f"the password for {user.email} is refused: {' '.join(exc.messages)} "
            "Choose a longer passphrase."
        ) from None
    user.set_password(password)
    user.save(update_fields=["password"])
    AccessAttempt.objects.filter(username__iexact=user.email).delete()
    record_event(
        actor=actor, action="accounts.reset_password", object_type="user",
        object_id=str(user.pk), source=source,
    )
    return user


def _after_access_change(user: User, actor: str, source: str, *, reason: str) -> None:
    """What follows a change of an account's access, in the same transaction: its API tokens
    are revoked (a token never outranks, nor outlives, its owner's access)."""
    from survivors_justice.accounts.tokens import revoke_tokens_of

    revoke_tokens_of(owner=user, actor=actor, source=source, reason=reason)


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


# --- refused attempts -------------------------------------------------------------------------

REFUSAL_OUTCOMES = {403: "refused", 404: "not_found"}


def refusal_principal(request: HttpRequest) -> str | None:
    """Who asked, for the refusal audit: an API token, or a signed-in (OTP-verified) account.

    Signed-out visitors are not recorded: the default-deny middleware sends them to the sign-in
    page, the API answers them 401, and their 404s (scanners, stale links) would only flood the
    log; the web server's access log keeps them.
    """
    from survivors_justice.accounts.middleware import is_verified

    auth = getattr(request, "auth", None)
    label = getattr(auth, "audit_label", None)
    if label:
        return str(label)
    if is_verified(request):
        return str(request.user.email)  # type: ignore[union-attr]  # verified: a User
    return None


def record_refusal(request: HttpRequest, status: int, permission: str | None) -> None:
    """Audit a 403 or 404 answer: who, which permission and path, from where; nothing else.

    The path is kept without its query string (a search box's text may name a person); the
    answer's body is not read.
    """
    actor = refusal_principal(request)
    if actor is None:
        return
    with transaction.atomic():
        record_event(
            actor=actor,
            action=permission or "http.request",
            object_type="path",
            object_id=request.path[:100],
            source=client_address(request),
            outcome=REFUSAL_OUTCOMES[status],
            details={"method": request.method or "", "status": status},
        )
