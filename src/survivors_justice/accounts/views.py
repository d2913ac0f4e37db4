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
from survivors_justice.accounts.forms import CodeForm, CreateAccountForm, PasswordForm, RoleForm
from survivors_justice.accounts.middleware import SESSION_EXPIRED_PARAM, is_verified
from survivors_justice.accounts.models import User
from survivors_justice.accounts.otp import ensure_totp_device, provisioning_uri, totp_device
from survivors_justice.accounts.roles import Role
from survivors_justice.audit.services import record_event
from survivors_justice.permissions import (
    ROLE_ACTIONS,
    TRAINED_WORK,
    Action,
    can,
    not_found,
    require,
    why_not,
)

PENDING_KEY = "sj_sign_in_pending"
MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def idle_limit_text() -> str:
    """The idle limit in words ("30 minutes"; seconds when shortened, as in the tests)."""
    seconds = int(settings.SESSION_COOKIE_AGE)
    if seconds % 60:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes = seconds // 60
    return f"{minutes} minute{'s' if minutes != 1 else ''}"


def lockout_text() -> str:
    """How long a lock lasts, in words ("30 minutes"), or "" when only an administrator ends it."""
    period = services.lockout_period()
    if period is None:
        return ""
    minutes = int(period.total_seconds() // 60)
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
    return render(request, "accounts/locked.html", locked_context(), status=429)


def locked_context() -> dict[str, Any]:
    return {"lockout_text": lockout_text(), "failure_limit": settings.AXES_FAILURE_LIMIT}


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
    locked = services.locked_accounts() if can(user, Action.MANAGE_USERS) else []
    role = Role(user.role)
    # Work the role does but this person may not take on yet says why, instead of vanishing.
    waiting = [reason for action in TRAINED_WORK if action in ROLE_ACTIONS[role]
               if (reason := why_not(user, action)) is not None]
    return render(request, "accounts/home.html", {
        "links": links, "role": role, "idle_limit": idle_limit_text(),
        "locked_accounts": locked, "waiting_on_training": sorted(set(waiting)),
    })


def _source(request: HttpRequest) -> str:
    return services.client_address(request)


def _admin(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]  # permissions.require let only admins in


def _account(user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def _enrolment_context(new: services.NewAccount) -> dict[str, Any]:
    secret = base64.b32encode(new.device.bin_key).decode("ascii")
    return {
        "account": new.user,
        "role": Role(new.user.role).label,
        "qr": qr_data_uri(new.provisioning_uri),
        "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
    }


@require_GET
@require(Action.MANAGE_USERS)
def users(request: HttpRequest) -> HttpResponse:
    accounts = list(User.objects.order_by("email"))
    locked = {entry.user.pk: entry for entry in services.locked_accounts()}
    rows = [{"user": a, "locked": locked.get(a.pk), "role": Role(a.role).label if a.role else ""}
            for a in accounts]
    return render(request, "accounts/users.html", {
        "rows": rows, "locked": list(locked.values()),
        "lockout_text": lockout_text(),
    })


@never_cache
@require_http_methods(["GET", "POST"])
@require(Action.MANAGE_USERS)
def create_user(request: HttpRequest) -> HttpResponse:
    form = CreateAccountForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            new = services.create_account(
                email=data["email"], role=data["role"], password=data["password"],
                organisation=data["organisation"].strip(), actor=_admin(request).email,
                source=_source(request), confirmed_device=True,
            )
        except services.AccountExistsError:
            form.add_error("email", "An account with this email address already exists. "
                                    "Find it in the list of accounts.")
        except services.WeakPasswordError as exc:
            form.add_error("password", str(exc).split(": ", 1)[-1])
        else:
            # Shown once: this answer is not stored, and no page shows the secret again.
            return render(request, "accounts/enrolment_once.html",
                          {**_enrolment_context(new), "created": True})
    return render(request, "accounts/user_new.html", {"form": form})


@require_GET
@require(Action.MANAGE_USERS)
def user_detail(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    if account is None:
        return not_found(request, Action.MANAGE_USERS)
    return _detail_page(request, account, RoleForm(initial={"role": account.role}))


def _detail_page(request: HttpRequest, account: User, role_form: RoleForm,
                 status: int = 200) -> HttpResponse:
    device = totp_device(account)
    locked = services.is_locked(account.email)
    return render(request, "accounts/user_detail.html", {
        "account": account,
        "role": Role(account.role).label if account.role else "",
        "role_form": role_form,
        "enrolled": device is not None and device.confirmed,
        "locked": locked,
        "locked_until": services.locked_until(account.email) if locked else None,
        "is_self": account.pk == request.user.pk,
    }, status=status)


@require_POST
@require(Action.MANAGE_USERS)
def change_role(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    if account is None:
        return not_found(request, Action.MANAGE_USERS)
    form = RoleForm(request.POST)
    if form.is_valid():
        old = Role(account.role).label if account.role else "no role"
        try:
            services.change_role(user_id=account.pk, role=form.cleaned_data["role"],
                                 actor=_admin(request), source=_source(request))
        except services.SelfChangeError as exc:
            form.add_error("role", str(exc).capitalize() + ".")
        else:
            account.refresh_from_db()
            new = Role(account.role).label
            if old == new:
                messages.info(request, f"{account.email} already has the role {new}.")
            else:
                messages.success(request, f"{account.email} is now {new} (was {old}).")
            return redirect("accounts:user", user_id=account.pk)
    return _detail_page(request, account, form, status=400)


@require_POST
@require(Action.MANAGE_USERS)
def deactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    if account is None:
        return not_found(request, Action.MANAGE_USERS)
    try:
        services.deactivate_account(email=account.email, actor=_admin(request),
                                    source=_source(request))
    except services.SelfChangeError as exc:
        messages.error(request, str(exc).capitalize() + ".")
    else:
        messages.success(request, f"{account.email} can no longer sign in. Its history is kept.")
    return redirect("accounts:user", user_id=account.pk)


@require_POST
@require(Action.MANAGE_USERS)
def reactivate(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    if account is None:
        return not_found(request, Action.MANAGE_USERS)
    services.reactivate_account(email=account.email, actor=_admin(request),
                                source=_source(request))
    messages.success(request, f"{account.email} can sign in again.")
    return redirect("accounts:user", user_id=account.pk)


@never_cache
@require_POST
@require(Action.MANAGE_USERS)
def reset_mfa(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    if account is None:
        return not_found(request, Action.MANAGE_USERS)
    new = services.reset_mfa(email=account.email, actor=_admin(request).email,
                             source=_source(request), confirmed_device=True)
    return render(request, "accounts/enrolment_once.html",
                  {**_enrolment_context(new), "created": False})


@require_POST
@require(Action.MANAGE_USERS)
def unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    account = _account(user_id)
    if account is None:
        messages.error(request, "That account no longer exists.")
    else:
        services.unlock_account(email=account.email, actor=_admin(request).email,
                                source=_source(request))
        messages.success(request, f"{account.email} can sign in again.")
    back = request.POST.get("back")
    if back == "detail" and account is not None:
        return redirect("accounts:user", user_id=account.pk)
    return redirect("accounts:users")
