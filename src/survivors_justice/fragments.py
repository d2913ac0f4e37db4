"""Page fragments drawn once per distinct input and server process.

A fragment that shows nothing but its key (a filter form echoing its query, an unbound form whose
only variable part is the current answers it describes) is the same HTML for every reader, so it
is kept in a bounded dictionary per process, emptied when full. Never key a fragment on less than
everything it shows, and never cache one that shows something per reader (a CSRF token, a name).
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString

MAX_ENTRIES = 1024
_CACHE: dict[tuple[str, Hashable], SafeString] = {}


def cached(template: str, key: Hashable, context: Callable[[], dict[str, Any]]) -> SafeString:
    """``template`` rendered with ``context()``, once per ``key`` (and template) per process."""
    hit = _CACHE.get((template, key))
    if hit is not None:
        return hit
    if len(_CACHE) >= MAX_ENTRIES:
        _CACHE.clear()
    html = SafeString(render_to_string(template, context()))
    _CACHE[(template, key)] = html
    return html


def form_fields(template: str, form: Any, key: Hashable) -> SafeString:
    """The fields of ``form`` drawn by ``template`` (which reads it as ``form``): from the cache
    when the form is unbound (``key`` names all its initial state), fresh when it carries what
    someone typed and its errors."""
    if form.is_bound:
        return SafeString(render_to_string(template, {"form": form}))
    return cached(template, key, lambda: {"form": form})


def clear() -> None:
    _CACHE.clear()
