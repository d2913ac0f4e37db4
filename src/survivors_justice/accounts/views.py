"""Sign-in (password, then a TOTP code; QR enrolment the first time), sign-out, home, accounts.

The person is not signed in until both steps pass: the password step only remembers, in the
anonymous session, which account is part-way through (for ``SJ_SIGN_IN_PENDING_SECONDS``). Every
failure and every success is written to the audit log with the source address. A wrong code counts
as a failed sign-in for the lockout, just like a wrong password.
"""

from __future__ import annotations

import base64
import io
import time
from typing import Any

import django_otp
import qrcode
import qrcode.image.svg
from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from survivors_justice.accounts import services
from survivors_justice.accounts.context_processors import nav_links
from survivors_justice.accounts.forms import CodeForm, PasswordForm
from survivors_justice.accounts.middleware import SESSION_EXPIRED_PARAM, is_verified
from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import ensure_totp_device, provisioning_uri, totp_device
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.services import record_event

PENDING_KEY = "sj_sign_in_pending"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def idle_limit_text() -> str:
    """The idle limit in words ("30 minutes"; seconds when shortened, as in the tests)."""
    seconds = int(settings.SESSION_COOKIE_AGE)
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def _safe_next(request: HttpRequest, candidate: str | None) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _pending_user(request: HttpRequest) -> tuple[User, str] | None:
    pending = request.session.get(PENDING_KEY)
    if not isinstance(pending, dict):
        return None
    if time.time() - float(pending.get("since", 0)) > settings.SJ_SIGN_IN_PENDING_SECONDS:
        request.session.pop(PENDING_KEY, None)
        return None
    uid = pending.get("uid")
    if not isinstance(uid, int):
        return None
    user = User.objects.filter(pk=uid, is_active=True).first()
    if user is None:
        return None
    return user, str(pending.get("next", ""))


def _locked(request: HttpRequest, email: str) -> bool:
    return bool(AxesProxyHandler.is_locked(request, {"username": email}))


def _locked_response(request: HttpRequest) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    return render(request, "accounts/locked.html", status=429)


@never_cache
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if is_verified(request):
        return redirect(_safe_next(request, next_url))
    form = PasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["username"].strip().lower()
        user = authenticate(request, username=email, password=form.cleaned_data["password"])
        if user is None:
            locked = bool(getattr(request, "axes_locked_out", False))
            services.record_sign_in(
                request=request, email=email, outcome="refused" if locked else "failure",
                step="password", reason="account locked" if locked else "wrong email or password",
            )
            form.add_error(
                None,
                "The email address or password is not right. Check them and try again. "
                f"After {settings.AXES_FAILURE_LIMIT} wrong tries the account is locked.",
            )
        else:
            request.session.cycle_key()
            request.session[PENDING_KEY] = {"uid": user.pk, "since": time.time(), "next": next_url}
            device = totp_device(user)
            if device is None or not device.confirmed:
                return redirect("accounts:enrol")
            return redirect("accounts:verify")
    elif request.method == "POST":
        services.record_sign_in(
            request=request, email=str(request.POST.get("username", ""))[:254],
            outcome="failure", step="password", reason="form incomplete",
        )
    context: dict[str, Any] = {
        "form": form,
        "next": next_url,
        "expired": request.GET.get(SESSION_EXPIRED_PARAM) == "1",
        "idle_limit": idle_limit_text(),
    }
    return render(request, "accounts/sign_in.html", context)


def _complete_sign_in(request: HttpRequest, user: User, device: TOTPDevice, next_url: str,
                      step: str) -> HttpResponse:
    request.session.pop(PENDING_KEY, None)
    login(request, user, backend=MODEL_BACKEND)
    django_otp.login(request, device)
    services.record_sign_in(request=request, email=user.email, outcome="success", step=step,
                            user=user)
    return redirect(_safe_next(request, next_url))


def _wrong_code(request: HttpRequest, user: User, form: CodeForm, step: str) -> None:
    services.record_sign_in(request=request, email=user.email, outcome="failure", step=step,
                            reason="wrong one-time code", user=user)
    # Count it towards the lockout, exactly as a wrong password is counted.
    user_login_failed.send(sender=__name__, credentials={"username": user.email}, request=request)
    form.add_error(
        "code",
        "That code is not right. Codes change every 30 seconds: enter the one your app shows now.",
    )


def _throttled(device: TOTPDevice) -> bool:
    allowed, _ = device.verify_is_allowed()
    return not allowed


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        messages.info(request, "Start again: enter your email address and password.")
        return redirect("accounts:sign_in")
    user, next_url = pending
    device = totp_device(user)
    if device is None or not device.confirmed:
        return redirect("accounts:enrol")
    if _locked(request, user.email):
        services.record_sign_in(request=request, email=user.email, outcome="refused",
                                step="code", reason="account locked", user=user)
        return _locked_response(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(device):
            services.record_sign_in(request=request, email=user.email, outcome="refused",
                                    step="code", reason="too fast after a wrong code", user=user)
            form.add_error("code", "Wait a few seconds after a wrong code, then try again.")
        elif device.verify_token(form.cleaned_data["code"]):
            return _complete_sign_in(request, user, device, next_url, step="code")
        else:
            _wrong_code(request, user, form, step="code")
    return render(request, "accounts/verify.html", {"form": form, "email": user.email})


def qr_data_uri(text: str) -> str:
    image = qrcode.make(text, image_factory=qrcode.image.svg.SvgPathImage, box_size=12, border=2)
    buffer = io.BytesIO()
    image.save(buffer)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: HttpRequest) -> HttpResponse:
    pending = _pending_user(request)
    if pending is None:
        messages.info(request, "Start again: enter your email address and password.")
        return redirect("accounts:sign_in")
    user, next_url = pending
    device = totp_device(user)
    if device is not None and device.confirmed:
        return redirect("accounts:verify")
    if device is None:
        device = ensure_totp_device(user)
    if _locked(request, user.email):
        services.record_sign_in(request=request, email=user.email, outcome="refused",
                                step="enrol", reason="account locked", user=user)
        return _locked_response(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if _throttled(device):
            form.add_error("code", "Wait a few seconds after a wrong code, then try again.")
        elif device.verify_token(form.cleaned_data["code"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            record_event(actor=user.email, action="accounts.mfa_enrolled",
                                  object_type="user", object_id=str(user.pk),
                                  source=services.client_address(request))
            return _complete_sign_in(request, user, device, next_url, step="enrol")
        else:
            _wrong_code(request, user, form, step="enrol")
    uri = provisioning_uri(device)
    secret = base64.b32encode(device.bin_key).decode("ascii")
    context = {
        "form": form,
        "email": user.email,
        "qr": qr_data_uri(uri),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }
    return render(request, "accounts/enrol.html", context)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    user = request.user
    if user.is_authenticated:
        services.record_sign_out(request=request, user=user)
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("accounts:sign_in")


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]  # the middleware lets only users in
    links = [link for link in nav_links(request) if link.url != request.path]
    return render(request, "accounts/home.html", {
        "links": links, "role": Role(user.role), "idle_limit": idle_limit_text(),
    })


def _require_admin(request: HttpRequest) -> HttpResponse | None:
    if getattr(request.user, "role", None) != Role.ADMIN:
        return render(request, "403.html",
                      {"reason": "Only administrators manage accounts."}, status=403)
    return None


@require_GET
def users(request: HttpRequest) -> HttpResponse:
    denied = _require_admin(request)
    if denied is not None:
        return denied
    accounts = list(User.objects.order_by("email"))
    locked = {a.email for a in accounts if services.is_locked(a.email)}
    rows = [{"user": a, "locked": a.email in locked, "role": Role(a.role).label if a.role else ""}
            for a in accounts]
    return render(request, "accounts/users.html", {"rows": rows})


@require_POST
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    denied = _require_admin(request)
    if denied is not None:
        return denied
    account = User.objects.filter(pk=user_id).first()
    if account is None:
        messages.error(request, "That account no longer exists.")
    else:
        services.unlock_account(email=account.email, actor=request.user.email,  # type: ignore[union-attr]  # signed in
                                source=services.client_address(request))
        messages.success(request, f"{account.email} can sign in again.")
    return redirect("accounts:users")
