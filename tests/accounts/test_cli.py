"""`sj users …` and `sj demo` against the test database."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from typer.testing import CliRunner

from survivors_justice.accounts import services
from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import as_authenticator, current_code
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cli import app

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_create_prints_the_provisioning_uri_and_audits() -> None:
    result = runner.invoke(
        app, ["users", "create", "Ana@Office.example", "--role", "advocate", "--org", "QDA",
              "--password-stdin"], input="a-long-enough-passphrase-7\n",
    )
    assert result.exit_code == 0, result.output
    user = User.objects.get(email="ana@office.example")
    assert (user.role, user.organisation) == (Role.ADVOCATE, "QDA")
    assert "otpauth://totp/" in result.stdout
    assert "secret=" in result.stdout
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed  # confirmed at the first sign-in
    assert user.check_password("a-long-enough-passphrase-7")
    assert AuditRecord.objects.filter(action="accounts.create", object_id=str(user.pk)).exists()


@pytest.mark.parametrize(("password", "role", "message"), [
    ("short-pass1", "advocate", "too short"),
    ("password1234", "advocate", "too common"),
    ("a-long-enough-passphrase-7", "sheriff", "role 'sheriff' is not known"),
])
def test_create_refuses_bad_input(password: str, role: str, message: str) -> None:
    result = runner.invoke(app, ["users", "create", "x@office.example", "--role", role,
                                 "--password-stdin"], input=password + "\n")
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())  # Rich wraps long lines
    assert not User.objects.filter(email="x@office.example").exists()


def test_code_unlock_and_list() -> None:
    runner.invoke(app, ["users", "create", "c@office.example", "--role", "analyst",
                        "--password-stdin"], input="a-long-enough-passphrase-7\n")
    user = User.objects.get(email="c@office.example")
    code = runner.invoke(app, ["users", "code", "c@office.example"])
    assert code.stdout.strip() == current_code(TOTPDevice.objects.get(user=user))
    from axes.models import AccessAttempt

    AccessAttempt.objects.create(username=user.email, ip_address="198.51.100.1", user_agent="x",
                                 failures_since_start=5, get_data="", post_data="",
                                 http_accept="", path_info="/")
    assert services.is_locked(user.email)
    assert "locked" in runner.invoke(app, ["users", "list"]).stdout
    result = runner.invoke(app, ["users", "unlock", "c@office.example"])
    assert result.exit_code == 0 and "can sign in again" in " ".join(result.output.split())
    assert not services.is_locked(user.email)
    assert runner.invoke(app, ["users", "unlock", "nobody@office.example"]).exit_code == 2


def test_demo_makes_one_enrolled_account_per_role_and_is_idempotent() -> None:
    first = runner.invoke(app, ["demo"])
    assert first.exit_code == 0, first.output
    assert runner.invoke(app, ["demo"]).exit_code == 0
    demo_users = User.objects.filter(email__endswith="@demo.sj.test")
    assert sorted(u.role for u in demo_users) == sorted(r.value for r in Role)
    assert all(TOTPDevice.objects.get(user=u).confirmed for u in demo_users)
    assert "sj users code" in first.stdout


def test_demo_trains_every_account_whose_role_does_trained_work() -> None:
    from survivors_justice.permissions import ROLE_ACTIONS, TRAINED_WORK, can

    assert runner.invoke(app, ["demo"]).exit_code == 0
    checked = []
    for role in Role:
        user = User.objects.get(email=f"{role.value.replace('_', '-')}@demo.sj.test")
        for action in TRAINED_WORK:
            if action in ROLE_ACTIONS[role]:
                assert can(user, action), (user.email, action)
                checked.append(user.email)
    # the roles whose address differs from the role's name were the ones left untrained
    assert "panel-member@demo.sj.test" in checked


@override_settings(PRODUCTION=True)
def test_demo_and_code_are_refused_in_production() -> None:
    assert runner.invoke(app, ["demo"]).exit_code == 2
    assert not User.objects.exists()
    assert runner.invoke(app, ["users", "code", "a@b.example"]).exit_code == 2


def test_reset_mfa_replaces_the_authenticator_and_enrols_again() -> None:
    from django.test import Client
    from tests.factories import DEFAULT_PASSWORD, make_user

    user = make_user(Role.ADVOCATE)
    old_key = as_authenticator(TOTPDevice.objects.get(user=user)).bin_key
    result = runner.invoke(app, ["users", "reset-mfa", user.email])
    assert result.exit_code == 0 and "otpauth://totp/" in result.stdout
    device = as_authenticator(TOTPDevice.objects.get(user=user))
    assert not device.confirmed and len(device.bin_key) == 20 and device.bin_key != old_key
    assert AuditRecord.objects.filter(action="accounts.reset_mfa",
                                      object_id=str(user.pk)).exists()
    client = Client()
    client.post("/accounts/sign-in/", {"username": user.email, "password": DEFAULT_PASSWORD})
    assert client.get("/accounts/verify/")["Location"] == "/accounts/enrol/"


def test_users_help_lists_every_command() -> None:
    from survivors_justice.accounts.cli import users_app

    names = {c.name for c in users_app.registered_commands}
    assert {"reset-password", "deactivate", "unlock", "reset-mfa", "create", "list"} <= names
    text = runner.invoke(app, ["users", "--help"]).output
    for name in names:
        assert name in text, f"`sj users --help` omits {name}"


def test_reset_password_and_deactivate_are_audited() -> None:
    runner.invoke(app, ["users", "create", "d@office.example", "--role", "analyst",
                        "--password-stdin"], input="a-long-enough-passphrase-7\n")
    weak = runner.invoke(app, ["users", "reset-password", "d@office.example",
                               "--password-stdin"], input="short\n")
    assert weak.exit_code == 2 and "too short" in " ".join(weak.output.split())
    done = runner.invoke(app, ["users", "reset-password", "d@office.example",
                               "--password-stdin"], input="another-long-passphrase-9\n")
    assert done.exit_code == 0, done.output
    user = User.objects.get(email="d@office.example")
    assert user.check_password("another-long-passphrase-9")
    off = runner.invoke(app, ["users", "deactivate", "d@office.example"])
    assert off.exit_code == 0 and "can no longer sign in" in off.output
    user.refresh_from_db()
    assert not user.is_active
    actions = list(AuditRecord.objects.filter(object_id=str(user.pk)).order_by("seq")
                   .values_list("action", flat=True))
    assert actions == ["accounts.create", "accounts.reset_password", "accounts.deactivate"]
    missing = runner.invoke(app, ["users", "deactivate", "nobody@office.example"])
    assert missing.exit_code == 2 and "no account has the email" in missing.output


def test_demo_seats_the_panel_member_who_then_signs_the_acknowledgment_themselves() -> None:
    from survivors_justice.review.models import PanelMember, SeatKind

    assert runner.invoke(app, ["demo"]).exit_code == 0
    assert runner.invoke(app, ["demo"]).exit_code == 0  # one seat, however often it runs
    (seat,) = PanelMember.objects.filter(user__email="panel-member@demo.sj.test")
    today = timezone.localdate()
    assert seat.seat == SeatKind.LIVED_EXPERIENCE and seat.active
    assert seat.term_start < today < seat.term_end
    assert seat.confidentiality_signed_at is None  # the member's own act, never the demo's
