"""The administrators' accounts page: list accounts, release a locked one."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import DEFAULT_PASSWORD, make_user, sign_in

from survivors_justice.accounts import services
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord

pytestmark = pytest.mark.django_db


def lock(email: str) -> None:
    client = Client()
    for i in range(5):
        client.post("/accounts/sign-in/", {"username": email, "password": f"wrong-{i}-xxxxxx"})
    assert services.is_locked(email)


def test_admin_releases_a_locked_account_from_the_page() -> None:
    victim = make_user(Role.INTAKE_ADA)
    lock(victim.email)
    admin = make_user(Role.ADMIN)
    client = sign_in(Client(), admin)
    page = client.get("/accounts/users/").content.decode()
    assert victim.email in page and "Locked" in page
    response = client.post(f"/accounts/users/{victim.pk}/unlock/", follow=True)
    assert f"{victim.email} can sign in again." in response.content.decode()
    assert not services.is_locked(victim.email)
    released = AuditRecord.objects.get(action="accounts.unlock")
    assert (released.actor, released.object_id) == (admin.email, str(victim.pk))
    again = Client().post("/accounts/sign-in/", {"username": victim.email,
                                                 "password": DEFAULT_PASSWORD})
    assert again.status_code == 302


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMIN])
def test_other_roles_cannot_list_or_release_accounts(role: Role) -> None:
    victim = make_user(Role.ANALYST)
    lock(victim.email)
    client = sign_in(Client(), make_user(role))
    listing = client.get("/accounts/users/")
    assert listing.status_code == 403 and victim.email not in listing.content.decode()
    assert client.post(f"/accounts/users/{victim.pk}/unlock/").status_code == 403
    assert services.is_locked(victim.email)
