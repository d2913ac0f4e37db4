"""What keeps the intake queue page cheap must not change what it shows.

The queue reads stale stored recommendations through index ranges, walks its deadline index from
the first arrest date asked for, draws its filter form once per distinct query and its rows from
values prepared in Python. Each test here compares the page with what the cases and the file say,
worked out apart from the code that serves it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import date, timedelta
from html import unescape

import pytest
from django.utils import timezone
from tests.arrests.helpers import run_import
from tests.cases.factories import BUYING, SELLING, make_case
from tests.cases.test_search import _queue_numbers, _us_date, december
from tests.factories import signed_in_client

from survivors_justice import fragments
from survivors_justice.cases import search, stored_recommendation
from survivors_justice.cases import views as case_views
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case
from survivors_justice.permissions import INTAKE_STATES

pytestmark = pytest.mark.django_db
__all__ = ["december", "run_import"]  # fixtures shared with test_search


# --- stale stored recommendations, found by index ranges ----------------------------------------


def test_stale_and_fresh_split_every_case_in_two() -> None:
    """Every combination of stored policy key (none, below, equal to and above the current one)
    and stored date (none, before, inside and after the current window) is in exactly one of
    the two filters; the fresh ones are exactly those with the current key and a date inside."""
    key = stored_recommendation.policy_key()
    today = timezone.localdate()
    first, last = stored_recommendation.date_window(today)
    inside = today
    before = (first or date(2000, 1, 1)) - timedelta(days=1)
    after = last or date(9999, 12, 31)  # open-ended window: a date far on is still inside
    keys = ["", key[:-1], key, key + "~", "a" + key, "zzz"]
    dates = [None, before, inside, after]
    cases: dict[int, bool] = {}
    for i, (k, on) in enumerate(itertools.product(keys, dates)):
        case = make_case(SELLING if i % 2 else BUYING, index=i)
        Case.objects.filter(pk=case.pk).update(recommended_policy=k, recommended_on=on)
        in_window = on is not None and (first is None or on >= first) and (
            last is None or on < last
        )
        cases[case.pk] = k == key and in_window
    fresh = set(
        Case.objects.filter(stored_recommendation.fresh_filter()).values_list("pk", flat=True)
    )
    stale = set(
        Case.objects.filter(stored_recommendation.stale_filter()).values_list("pk", flat=True)
    )
    assert fresh == {pk for pk, is_fresh in cases.items() if is_fresh}
    assert stale == {pk for pk, is_fresh in cases.items() if not is_fresh}
    assert fresh | stale == set(cases) and not fresh & stale


def test_the_states_index_covers_exactly_the_queue_states() -> None:
    index = next(i for i in Case._meta.indexes if i.name == "cases_case_queue_deadline")
    assert index.condition is not None
    (lookup, states), = index.condition.children
    assert lookup == "state__in" and set(states) == set(INTAKE_STATES)


# --- arrest dates in the deadline order ----------------------------------------------------------


def test_a_date_range_finds_the_same_cases_with_and_without_unknown_deadlines(
    december: dict[str, dict[str, str]],
) -> None:
    """With a case whose deadline is unknown in the queue, a date range reads the arrests first;
    with none, it walks the deadline index from the first date. Both list exactly the cases
    arrested in the range (dates from the file), in deadline order, unknown ones last."""
    client, _ = signed_in_client("intake_ada")
    start, end = date(2017, 12, 5), date(2017, 12, 12)
    queries = {
        f"?arrested_from={start}&arrested_to={end}": lambda d: start <= d <= end,
        f"?arrested_from={end}": lambda d: d >= end,
        f"?arrested_from={start}&status=any": lambda d: d >= start,
    }

    def expected(keep: Callable[[date], bool]) -> list[str]:
        cases = [
            c for c in Case.objects.filter(state__in=INTAKE_STATES).select_related("arrest")
            if keep(_us_date(december[c.arrest.arrest_key]["ARREST_DATE"]))
        ]
        known = sorted(
            (c for c in cases if c.readiness_deadline), key=lambda c: (c.readiness_deadline, c.pk)
        )
        unknown = sorted((c for c in cases if c.readiness_deadline is None), key=lambda c: c.pk)
        return [c.number for c in known + unknown]

    unknown = Case.objects.filter(state=CaseState.INTAKE, readiness_deadline__isnull=True)
    if not unknown.exists():  # every December class is known: make one unknown, as a new code is
        Case.objects.filter(pk=Case.objects.order_by("pk").values("pk")[:1]).update(
            readiness_deadline=None
        )
    assert not search._deadlines_known([CaseState.INTAKE])
    for query, keep in queries.items():
        wanted = expected(keep)
        assert 0 < len(wanted) < len(december) and _queue_numbers(client, query) == wanted, query
    # The unknown ones leave the queue (decided): the deadline walk is taken, same answers.
    Case.objects.filter(readiness_deadline__isnull=True).update(state=CaseState.DECLINED)
    assert search._deadlines_known(sorted(INTAKE_STATES))
    for query, keep in queries.items():
        wanted = expected(keep)
        assert wanted and _queue_numbers(client, query) == wanted, query


# --- the filter form, drawn once per query -------------------------------------------------------


def _form(html: str) -> str:
    start = html.index('role="search" aria-label="Find cases in the queue"')
    return html[start : html.index("</form>", start)]


def test_each_query_gets_its_own_form_and_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    client, _ = signed_in_client("intake_ada")
    make_case(SELLING)
    fragments.clear()
    first = client.get("/cases/intake/?q=Q-2017&borough=K").content.decode()
    second = client.get("/cases/intake/?q=NYPD-9&borough=X").content.decode()
    again = client.get("/cases/intake/?q=Q-2017&borough=K").content.decode()
    assert 'value="Q-2017"' in first and '<option value="K" selected>' in first
    assert "Select a valid choice" not in first
    assert 'value="NYPD-9"' in second and 'value="Q-2017"' not in second
    assert "Select a valid choice. X is not one of the available choices." in second
    assert '<option value="K" selected>' not in second
    assert _form(again) == _form(first)
    # A value that is HTML comes back as text, for whoever asks next too.
    attack = "/cases/intake/?q=%22%3E%3Cscript%3Ealert(1)%3C/script%3E"
    for _ in range(2):
        html = client.get(attack).content.decode()
        assert "<script>alert(1)</script>" not in html
        value = re.search(r'<input type="text" name="q" value="([^"]*)"', html)
        assert value and unescape(value.group(1)) == '"><script>alert(1)</script>'
    # The cache stays bounded: past its size it starts again.
    monkeypatch.setattr(fragments, "MAX_ENTRIES", 6)
    sizes = []
    for i in range(9):
        client.get(f"/cases/intake/?q=P{i}")
        sizes.append(len(fragments._CACHE))
    assert max(sizes) == 6 and 1 in sizes  # full: emptied, then filled again


def test_a_name_that_is_html_is_shown_as_text_in_every_list() -> None:
    supervisor, _ = signed_in_client("supervisor")
    case = make_case(SELLING, given_name="<b>Ana</b>", family_name="O'Neil & <i>Co</i>")
    shown = "&lt;b&gt;Ana&lt;/b&gt; O&#x27;Neil &amp; &lt;i&gt;Co&lt;/i&gt;"
    for url in ("/cases/intake/", f"/cases/{case.pk}/"):
        html = supervisor.get(url).content.decode()
        assert shown in html and "<b>Ana</b>" not in html, url


def test_a_row_shows_what_the_case_holds(december: dict[str, dict[str, str]]) -> None:
    """The first page's rows, checked cell by cell against the cases and the file."""
    client, _ = signed_in_client("intake_ada")
    response = client.get("/cases/intake/")
    html = response.content.decode()
    today = timezone.localdate()
    rows = response.context["rows"]
    assert len(rows) == case_views.PAGE_SIZE
    for row in rows:
        case = Case.objects.select_related("arrest").get(pk=row["case"].pk)
        arrested = _us_date(december[case.arrest.arrest_key]["ARREST_DATE"])
        assert f'href="/cases/{case.pk}/">{case.number}</a>' in html
        assert row["arrested"] == arrested.isoformat()
        deadline = case.readiness_deadline
        if deadline is None:
            assert row["deadline"] == ""
            continue
        days = (deadline - today).days
        unit = "day" if abs(days) == 1 else "days"
        text = f"{-days} {unit} past" if days < 0 else f"{days} {unit} left"
        assert row["days_text"] == text and f">{text}</span>" in html
        assert ("text-secondary-dark" in row["days_class"]) == (days < 0)


@pytest.mark.parametrize(
    ("days_left", "words", "classes"),
    [(-30, "30 days past", "text-secondary-dark text-bold"),
     (-1, "1 day past", "text-secondary-dark text-bold"), (0, "0 days left", "text-bold"),
     (1, "1 day left", "text-bold"), (14, "14 days left", "text-bold"),
     (15, "15 days left", ""), (181, "181 days left", "")],
)
def test_a_deadline_distance_in_words(days_left: int, words: str, classes: str) -> None:
    from survivors_justice.cases.clock import days_class, days_text

    assert days_text(days_left) == words
    assert days_class(days_left) == classes


def _now_of(html: str, field: str) -> str:
    """The "Now: ..." hint of one question of the facts form."""
    start = html.index(f'for="id_{field}"')
    hint = html.index('<span class="usa-hint">', start)
    return html[hint + len('<span class="usa-hint">') : html.index("</span>", hint)]


def test_each_case_page_shows_its_own_current_answers_in_the_facts_form() -> None:
    """The facts form is drawn once per set of answers; a case never shows another's."""
    from survivors_justice.cases import facts
    from survivors_justice.cases.forms import fact_field_name

    client, user = signed_in_client("intake_ada")
    fragments.clear()
    force, threats = fact_field_name("indicators.force"), fact_field_name("indicators.threats")
    answered, fresh = make_case(BUYING), make_case(BUYING, index=1)
    assert _now_of(client.get(f"/cases/{fresh.pk}/").text, force) == "Now: not answered yet"
    facts.record_facts(actor=user, case=answered, answers={"indicators.force": "yes"},
                       source="police_report")
    page = client.get(f"/cases/{answered.pk}/").text
    assert _now_of(page, force) == "Now: yes"
    assert _now_of(page, threats) == "Now: not answered yet"
    assert _now_of(client.get(f"/cases/{fresh.pk}/").text, force) == "Now: not answered yet"
    facts.record_facts(actor=user, case=answered, answers={"indicators.force": "unknown"},
                       source="interview")
    assert _now_of(client.get(f"/cases/{answered.pk}/").text, force) == "Now: unknown"
    # What someone typed, and its error, comes back with the form (never from the cache).
    response = client.post(f"/cases/{answered.pk}/facts/", {force: "yes", "source": ""})
    body = response.text
    assert response.status_code == 422 and "usa-form-group--error" in body
    assert "This field is required." in body
    assert '<option value="yes" selected>' in body
