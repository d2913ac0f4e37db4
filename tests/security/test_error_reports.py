"""Error pages and error reports never show personal data (posted values, decrypted locals)."""

from __future__ import annotations

import sys

from django.test import RequestFactory, override_settings
from django.views.debug import ExceptionReporter

# Built at run time so the literal never appears in the source lines the report quotes.
NAME = "-".join(["Maria Gonzalez", "Ruiz"])
PLACE = " ".join(["37th", "Avenue"])


@override_settings(DEBUG=True)
def test_debug_error_page_hides_posted_values_and_local_text() -> None:
    request = RequestFactory().post("/cases/1/", {"given_name": NAME})
    given_name, narrative, count = NAME, f"lives with her aunt on {PLACE}", 3
    try:
        raise ValueError("boom")
    except ValueError:
        html = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
    assert NAME not in html
    assert PLACE not in html
    assert "[hidden: may hold personal data]" in html
    assert given_name and narrative and count  # the locals existed while the report was made
    assert "ValueError" in html  # the report is still useful
