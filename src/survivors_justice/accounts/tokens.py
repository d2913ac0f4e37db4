"""API tokens: created and revoked from the command line, only a hash kept."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from survivors_justice.cases.models import ApiToken

TOKEN_PREFIX = "sj_"  # noqa: S105 (a public marker at the start of every token, not a secret)


class TokenError(ValueError):
    """A token command that cannot be carried out; the message says why and what to do."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_api_token(*, actor: str, name: str, role: str, owner_email: str) -> tuple[ApiToken, str]:
    """A new token for a machine client acting as ``role``; the secret is returned once only."""
    from survivors_justice.accounts.models import User
    from survivors_justice.accounts.roles import Role

    if role not in Role.values:
        raise TokenError(f"unknown role {role!r}; use one of {', '.join(Role.values)}")
    owner = User.objects.filter(email=owner_email.lower(), is_active=True).first()
    if owner is None:
        raise TokenError(
            f"no active account {owner_email!r}; a token needs an accountable owner "
            "(sj users create)"
        )
    if ApiToken.objects.filter(name=name).exists():
        raise TokenError(f"a token named {name!r} exists; pick another name or revoke it first")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            name=name,
            role=role,
            owner=owner,
            prefix=secret[: len(TOKEN_PREFIX) + 6],
            token_hash=hash_token(secret),
            created_at=timezone.now(),
        )
        from survivors_justice.audit.services import record_event

        record_event(
            actor=actor,
            action="api.token.create",
            object_type="api_token",
            object_id=str(token.pk),
            source="cli",
            details={"name": name, "role": role, "owner": owner.email},
        )
    return token, secret


def revoke_api_token(*, actor: str, name: str) -> ApiToken:
    """Revoke the token ``name`` at once; it is kept (revoked) for the audit trail."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(name=name).first()
        if token is None:
            raise TokenError(f"no token named {name!r} (sj tokens list shows them)")
        if token.revoked_at is not None:
            raise TokenError(f"token {name!r} was already revoked on {token.revoked_at:%Y-%m-%d}")
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        from survivors_justice.audit.services import record_event

        record_event(
            actor=actor,
            action="api.token.revoke",
            object_type="api_token",
            object_id=str(token.pk),
            source="cli",
            details={"name": name},
        )
    return token
