"""Demo accounts, one per role, for development (the `sj demo` command and `make run`)."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from survivors_justice.accounts import services
from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import current_code, ensure_totp_device
from survivors_justice.accounts.roles import Role


class DemoInProductionError(RuntimeError):
    """Demo accounts were asked for in production mode."""


@dataclass(frozen=True, slots=True)
class DemoAccount:
    role_label: str
    email: str
    code: str


def demo_email(role: Role, domain: str) -> str:
    """The demo account's address for ``role``: ``intake-ada@demo.sj.test``."""
    return f"{role.value.replace('_', '-')}@{domain}"


@transaction.atomic
def ensure_demo_accounts(
    *, password: str, domain: str, organisations: dict[str, str], actor: str
) -> list[DemoAccount]:
    """Create (or keep) ``<role>@<domain>`` for every role with an enrolled authenticator."""
    if settings.PRODUCTION:
        raise DemoInProductionError(
            "demo accounts are refused in production (SJ_ENV=production); create real accounts "
            "with `sj users create`"
        )
    out = []
    for role in Role:
        email = demo_email(role, domain)
        user = User.objects.filter(email=email).first()
        if user is None:
            new = services.create_account(
                email=email, role=role, password=password,
                organisation=organisations.get(role.value, ""), actor=actor, source="cli",
                confirmed_device=True,
            )
            user = new.user
        device = ensure_totp_device(user, confirmed=True)
        out.append(DemoAccount(role.label, email, current_code(device)))
    return out
