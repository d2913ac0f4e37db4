"""Lockout per CJIS AC-7: 5 failed sign-ins within 15 minutes lock the account for a set period.

django-axes counts failures per account and ends a lock after its cool-off
(``AXES_COOLOFF_TIME``, from ``SJ_LOCKOUT_MINUTES``; 0 keeps the account locked until an
administrator releases it). Two things axes lacks are added here:

- a failure window separate from the cool-off: before axes records a failure of an account that is
  not locked, the account's running count is set to the number of failures in the last
  ``SJ_LOCKOUT_WINDOW_SECONDS`` (axes keeps each failure's time in its failure log), so the fifth
  failure locks only when all five fall inside the window;
- a throttle per source address across accounts: once ``SJ_SOURCE_FAILURE_LIMIT`` failures from
  one address fall inside the window, that address may not try any account until the window has
  passed. It locks no account, so nobody can lock everyone out from one address; the per-account
  lock still needs failures against that account.

While an account is locked, further tries are refused without counting
(``AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False``), so the lock ends on time.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone


def _window_start() -> Any:
    return timezone.now() - timedelta(seconds=settings.SJ_LOCKOUT_WINDOW_SECONDS)


def _live(attempts: QuerySet[AccessAttempt]) -> QuerySet[AccessAttempt]:
    cool_off = settings.AXES_COOLOFF_TIME
    if isinstance(cool_off, timedelta):
        return attempts.filter(attempt_time__gte=timezone.now() - cool_off)
    return attempts


def source_failures(address: str) -> int:
    """Failed sign-ins from ``address`` (any account) inside the failure window."""
    if not address:
        return 0
    return int(AccessFailureLog.objects.filter(
        ip_address=address, attempt_time__gte=_window_start()
    ).count())


def source_throttled(request: HttpRequest) -> bool:
    address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
    return source_failures(str(address or "")) >= int(settings.SJ_SOURCE_FAILURE_LIMIT)


class WindowedLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if source_throttled(request):
            request.sj_source_throttled = True  # type: ignore[attr-defined]  # read by the page
            return True
        return bool(super().is_locked(request, credentials))

    def user_login_failed(
        self, sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None,
        **kwargs: Any,
    ) -> None:
        if request is not None:
            username = get_client_username(request, credentials)
            if username:
                self._forget_failures_outside_window(request, credentials, username)
        super().user_login_failed(sender, credentials, request, **kwargs)

    def _forget_failures_outside_window(
        self, request: HttpRequest, credentials: dict[str, Any], username: str
    ) -> None:
        limit = get_failure_limit(request, credentials)
        attempts = _live(AccessAttempt.objects.filter(username=username))
        if any(a.failures_since_start >= limit for a in attempts):
            return  # locked: it ends with the cool-off or when an administrator releases it
        recent = AccessFailureLog.objects.filter(
            username=username, attempt_time__gte=_window_start()
        )
        in_window = recent.count()
        total = sum(a.failures_since_start for a in attempts)
        if total > in_window:
            # One attempt row per (address, browser); keep the recent count on the newest row.
            rows = list(attempts.order_by("-attempt_time"))
            for i, row in enumerate(rows):
                row.failures_since_start = in_window if i == 0 else 0
                row.save(update_fields=["failures_since_start"])


def locked_out(request: HttpRequest, response: Any = None, credentials: Any = None) -> Any:
    """The page axes answers with when it refuses a sign-in (``AXES_LOCKOUT_CALLABLE``)."""
    from django.shortcuts import render

    from survivors_justice.accounts.views import locked_context

    context = locked_context()
    context["source_throttled"] = bool(getattr(request, "sj_source_throttled", False))
    return render(request, "accounts/locked.html", context, status=429)
