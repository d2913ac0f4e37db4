"""Rules every answer follows, whatever view made it (the first middleware in settings).

- ``HEAD`` is answered wherever ``GET`` is: the request is handled as a ``GET`` and the body
  dropped (the headers, status and length stay those of the ``GET``).
- ``Cache-Control: no-store`` on every answer but the static assets: pages and API answers may
  carry a person's record, and a browser or proxy must not keep a copy (docs/decisions.md).
- An input past a limit (:mod:`survivors_justice.limits`) is a 400: the 400 page on the web, a
  JSON ``{"detail": ...}`` on the API.
- Every error answer under ``/api/`` is JSON ``{"detail": "..."}`` (the published error schema),
  including Django's own 404, 405 and 500 pages.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.response import HttpResponseBase
from django.views.defaults import bad_request

from survivors_justice.limits import LimitExceeded

logger = logging.getLogger("survivors_justice.http")

API_PREFIX = "/api/"
_MESSAGES = {
    400: "The request is malformed or past a limit; correct it and send it again.",
    401: "Sign in first: a bearer token or a signed-in session.",
    403: "Your role does not allow this.",
    404: "Not found.",
    405: "This address does not answer that method.",
    413: "The request body is too large.",
    500: "Something failed on our side; the failure was logged. Try again later.",
}


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def json_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


def limit_response(request: HttpRequest, exc: LimitExceeded) -> HttpResponse:
    """The 400 answer for an input past a limit: JSON on the API, the 400 page on the web."""
    if is_api(request):
        return json_error(400, str(exc))
    response: HttpResponse = bad_request(request, exc)
    return response


class ResponseRulesMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        head = request.method == "HEAD"
        if head:
            request.method = "GET"
        response = self.get_response(request)
        if head:
            request.method = "HEAD"
            if response.streaming:
                response.streaming_content = []  # type: ignore[attr-defined]  # streaming only
            else:
                length = len(response.content)  # type: ignore[attr-defined]  # not streaming
                response.content = b""  # type: ignore[attr-defined]
                response["Content-Length"] = str(length)
        if is_api(request) and response.status_code >= 400:
            response = self._as_json(response)
        if not request.path.startswith(settings.STATIC_URL):
            cache = response.get("Cache-Control", "")
            if "no-store" not in cache:
                response["Cache-Control"] = "no-store"
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if isinstance(exc, LimitExceeded):
            return limit_response(request, exc)
        return None

    @staticmethod
    def _as_json(response: HttpResponseBase) -> HttpResponseBase:
        if response.get("Content-Type", "").startswith("application/json"):
            return response
        status = response.status_code
        detail = _MESSAGES.get(status) or _MESSAGES[500 if status >= 500 else 400]
        allow = response.get("Allow")
        if status == 405 and allow:
            detail = f"This address answers {allow} only."
        converted = json_error(status, detail)
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                converted[header] = response[header]
        return converted
