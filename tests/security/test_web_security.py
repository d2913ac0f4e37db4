"""CSRF, cookie flags, the Content-Security-Policy header, and production-only settings."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import Client
from tests.factories import DEFAULT_PASSWORD, make_user, sign_in

from survivors_justice.accounts.roles import Role
from survivors_justice.crypto import new_key_line

pytestmark = pytest.mark.django_db


def test_sign_in_without_csrf_token_is_refused() -> None:
    user = make_user(Role.INTAKE_ADA)
    client = Client(enforce_csrf_checks=True)
    client.get("/accounts/sign-in/")
    response = client.post("/accounts/sign-in/",
                           {"username": user.email, "password": DEFAULT_PASSWORD})
    assert response.status_code == 403


def test_csrf_token_from_the_form_is_accepted() -> None:
    user = make_user(Role.INTAKE_ADA)
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/sign-in/")
    token = page.context["csrf_token"]
    response = client.post("/accounts/sign-in/", {"username": user.email,
                           "password": DEFAULT_PASSWORD, "csrfmiddlewaretoken": str(token)})
    assert response.status_code == 302


@pytest.mark.parametrize("path", ["/accounts/sign-out/", "/audit/verify/",
                                  "/accounts/users/1/unlock/"])
def test_signed_in_posts_without_csrf_token_are_refused(path: str) -> None:
    user = make_user(Role.ADMIN)
    client = sign_in(Client(enforce_csrf_checks=True), user)
    assert client.post(path).status_code == 403
    assert client.get("/home/").status_code == 200  # still signed in: the sign-out was refused


def test_session_and_csrf_cookies_are_httponly_and_samesite_strict() -> None:
    user = make_user(Role.SUPERVISOR)
    client = Client()
    client.post("/accounts/sign-in/", {"username": user.email, "password": DEFAULT_PASSWORD})
    session = client.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["samesite"] == "Strict"
    assert session["max-age"] == ""  # ends with the browser; the server ends it when idle
    page = client.get("/accounts/sign-in/")
    csrf = page.cookies.get(settings.CSRF_COOKIE_NAME) or client.cookies[settings.CSRF_COOKIE_NAME]
    assert csrf["httponly"] is True and csrf["samesite"] == "Strict"


def test_idle_limit_comes_from_the_configuration() -> None:
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    assert settings.SJ_SESSION_REFRESH_SECONDS == 60


def test_a_request_moves_the_idle_deadline_on_at_most_once_a_minute(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The session row is written when the last move is a minute old or more, not on every
    request; a session idle past the limit is over whatever the last move was."""
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.utils import timezone

    from survivors_justice.accounts import middleware

    clock = [1_000_000.0]
    monkeypatch.setattr(middleware.time, "time", lambda: clock[0])
    client = sign_in(Client(), make_user(Role.INTAKE_ADA))
    key = client.cookies[settings.SESSION_COOKIE_NAME].value

    def expiry() -> object:
        return Session.objects.get(session_key=key).expire_date

    assert client.get("/home/").status_code == 200
    first = expiry()
    clock[0] += 59
    Session.objects.filter(session_key=key).update(expire_date=first)  # unchanged marker
    assert client.get("/home/").status_code == 200
    assert expiry() == first  # within the minute: not written
    clock[0] += 1
    before = timezone.now()
    assert client.get("/home/").status_code == 200
    moved = expiry()
    limit = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    assert before + limit <= moved <= timezone.now() + limit  # a minute on: moved
    # Idle past the limit: the row has expired, the next request goes to the sign-in page.
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(1))
    response = client.get("/home/")
    assert response.status_code == 302 and "sign-in" in response["Location"]
    assert "expired=1" in response["Location"]
    # A cookie of a session that no longer exists does not start a new session row.
    rows = Session.objects.count()
    clock[0] += 3600
    client.get("/home/")
    assert Session.objects.count() == rows


def test_csp_header_allows_no_inline_script() -> None:
    for client, path in ((Client(), "/accounts/sign-in/"),
                         (sign_in(Client(), make_user(Role.ADMIN)), "/audit/")):
        response = client.get(path)
        csp = response["Content-Security-Policy"]
        directives = {
            part.split()[0]: part.split()[1:] for part in csp.split(";") if part.strip()
        }
        assert directives["script-src"] == ["'self'"]
        assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp
        assert directives["object-src"] == ["'none'"]
        assert directives["frame-ancestors"] == ["'none'"]
        body = response.content.decode()
        # Every script tag loads a file (no inline code) and no element carries a style attribute.
        assert "<script>" not in body and "style=" not in body
        assert response["X-Frame-Options"] == "DENY"


def test_production_settings_mark_cookies_secure() -> None:
    env = {**os.environ, "SJ_ENV": "production", "SJ_SECRET_KEY": "p" * 50,
           "SJ_ENCRYPTION_KEYS": new_key_line("prod1"), "DJANGO_SETTINGS_MODULE":
           "survivors_justice.settings"}
    code = ("import json, django; django.setup(); from django.conf import settings as s; "
            "print(json.dumps([s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.DEBUG]))")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True, timeout=60)
    assert json.loads(out.stdout) == [True, True, False]


def test_production_refuses_to_start_with_a_malformed_key() -> None:
    env = {**os.environ, "SJ_ENV": "production", "SJ_SECRET_KEY": "p" * 50,
           "SJ_ENCRYPTION_KEYS": "prod1:not-a-key", "DJANGO_SETTINGS_MODULE":
           "survivors_justice.settings"}
    out = subprocess.run([sys.executable, "-c", "import django; django.setup()"], env=env,
                         capture_output=True, text=True, timeout=60, check=False)
    assert out.returncode != 0
    assert "KeyConfigError" in out.stderr and "prod1" in out.stderr
