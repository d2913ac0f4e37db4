"""Default deny: every page needs a signed-in, OTP-verified user unless it is explicitly public.

Public are the paths in ``settings.SJ_PUBLIC_PATHS`` (exact) and ``settings.SJ_PUBLIC_PREFIXES``
(the sign-in pages, static files, and ``/api/``, which authenticates each request itself), and any
view decorated with :func:`public`. Everything else redirects a signed-out visitor to the sign-in
page (HTMX requests get an ``HX-Redirect`` header instead, so the whole page moves).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse

F = TypeVar("F", bound=Callable[..., Any])

SESSION_EXPIRED_PARAM = "expired"


def public(view: F) -> F:
    """Mark a view as open to signed-out visitors (the default-deny middleware lets it through)."""
    view.sj_public = True  # type: ignore[attr-defined]  # a marker attribute on the function
    return view


def is_public_path(path: str) -> bool:
    return path in settings.SJ_PUBLIC_PATHS or any(
        path.startswith(prefix) for prefix in settings.SJ_PUBLIC_PREFIXES
    )


def is_verified(request: HttpRequest) -> bool:
    """Signed in with password and one-time code (django-otp sets ``is_verified``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    check = getattr(user, "is_verified", None)
    return bool(check and check())


SESSION_REFRESHED_KEY = "_sj_refreshed"


class IdleSessionMiddleware:
    """Moves a signed-in session's idle deadline on (``SESSION_COOKIE_AGE`` from now) at most once
    every ``SJ_SESSION_REFRESH_SECONDS``, instead of writing the session row on every request
    (``SESSION_SAVE_EVERY_REQUEST``): a session ends between the idle limit less that interval
    and the idle limit after its last request, never later. Listed after Django's
    ``SessionMiddleware``, which saves what this marks."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or session.session_key is None:
            return response
        last = session.get(SESSION_REFRESHED_KEY)  # an unknown or expired session loses its key
        now = int(time.time())
        stale = not isinstance(last, int) or now - last >= settings.SJ_SESSION_REFRESH_SECONDS
        if session.session_key is not None and stale:
            session[SESSION_REFRESHED_KEY] = now  # modified: saved with a new expiry
        return response


class SignInRequiredMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: Any,
        view_kwargs: Any,
    ) -> HttpResponse | None:
        if getattr(view_func, "sj_public", False) or is_public_path(request.path_info):
            return None
        if is_verified(request):
            return None
        params = {"next": request.get_full_path()}
        if settings.SESSION_COOKIE_NAME in request.COOKIES:
            # A session cookie the server no longer accepts: the session ran out (idle limit).
            params[SESSION_EXPIRED_PARAM] = "1"
        target = f"{reverse(settings.LOGIN_URL)}?{urlencode(params)}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=401)
            response["HX-Redirect"] = target
            return response
        return HttpResponseRedirect(target)


class RefusalAuditMiddleware:
    """Audit every 403, and every 404 the permission module or the API gave (issue: refused
    attempts), for a signed-in account or an API token.

    404s for unknown addresses outside the API are not recorded (a missing icon or a mistyped
    link is no attempt on a record); a record that exists but may not be seen answers through
    the permission module, so it is recorded exactly like one that does not exist.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        status = response.status_code
        if status not in (403, 404):
            return response
        from survivors_justice.permissions import REFUSAL_ATTRIBUTE

        permission = getattr(request, REFUSAL_ATTRIBUTE, None)
        api = request.path_info.startswith("/api/")
        if status == 403 or permission is not None or api:
            from survivors_justice.accounts.services import record_refusal

            record_refusal(request, status, permission)
        return response
