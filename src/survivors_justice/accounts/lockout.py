"""Lockout after 5 failed sign-ins within 15 minutes, until an administrator releases it.

django-axes counts failures per account but has no failure window separate from its cool-off (and
our cool-off is "never": only an administrator unlocks). This handler adds the window: before axes
records a failure of an account that is not locked, the account's running count is set to the
number of failures in the last ``SJ_LOCKOUT_WINDOW_SECONDS`` (axes keeps each failure's time in its
failure log), so the fifth failure locks only when all five fall inside the window. Once locked,
the count is never lowered: the account stays locked until ``sj users unlock`` or the accounts page.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_failure_limit
from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


class WindowedLockoutHandler(AxesDatabaseHandler):  # type: ignore[misc]  # axes ships no types
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
        attempts = AccessAttempt.objects.filter(username=username)
        if any(a.failures_since_start >= limit for a in attempts):
            return  # locked: only an administrator releases it
        since = timezone.now() - timedelta(seconds=settings.SJ_LOCKOUT_WINDOW_SECONDS)
        recent = AccessFailureLog.objects.filter(username=username, attempt_time__gte=since)
        in_window = recent.count()
        total = sum(a.failures_since_start for a in attempts)
        if total > in_window:
            # One attempt row per (address, browser); keep the recent count on the newest row.
            rows = list(attempts.order_by("-attempt_time"))
            for i, row in enumerate(rows):
                row.failures_since_start = in_window if i == 0 else 0
                row.save(update_fields=["failures_since_start"])
