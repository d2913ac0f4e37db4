"""Finding and exporting cases of the intake queue, on the real December 2017 NYPD rows.

The prostitution-related rows of the bundled file are imported as the importer opens them (case in
intake, defendant not named), so the charge roles, boroughs and dates the filters read are the
real ones. Expected results are computed from the file's own columns and from the outcome each
charge code gets under the office's policy, read by hand from the statutes and the policy document
(``HAND_OUTCOME``), never from the code under test.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from tests.arrests.helpers import DEC_2017, read_rows, run_import, write_rows
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user, sign_in, signed_in_client

from survivors_justice.accounts.roles import Role
from survivors_justice.arrests.importer import ImportSummary
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases import decisions, facts, recommendations, search
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case
from survivors_justice.cases.search import CaseFilter
from survivors_justice.permissions import visible_cases

pytestmark = pytest.mark.django_db
__all__ = ["run_import"]  # the fixture, shared with tests/arrests
REASON = "The arrest report shows she was the one recruiting the other women."
# The outcome the office's policy (survivors-justice 2026.3) gives each prostitution-related code
# of the December 2017 file, read by hand; 230.25(2) (a person under 19) depends on the age group.
HAND_OUTCOME = {
    "PL 2300000": "decline",  # 230.00 prostitution: selling is declined
    "PL 2300400": "prosecute",  # 230.04 patronizing 3rd
    "PL 2302000": "prosecute",  # 230.20 promoting 4th
    "PL 2302501": "prosecute",  # 230.25(1) promoting 3rd, a business
    "PL 2303400": "prosecute_priority",  # 230.34 sex trafficking
    "PL 230345A": "prosecute_priority",  # 230.34(5)(a)
    "PL 2403703": "decline",  # 240.37(3), repealed: declined and sealed
}
POLICY = "survivors-justice@2026.3"


def _hand_outcome(row: dict[str, str]) -> str:
    if row["LAW_CODE"] == "PL 2302502":  # a minor charged with promoting goes to the panel
        return "panel_review" if row["AGE_GROUP"] == "<18" else "prosecute_priority"
    return HAND_OUTCOME[row["LAW_CODE"]]


@pytest.fixture
def december(tmp_path: Path, run_import: Callable[..., ImportSummary]) -> dict[str, dict[str, str]]:
    """Import every prostitution-related row of December 2017; the rows by arrest key."""
    header, rows = read_rows(DEC_2017)
    law = header.index("LAW_CODE")
    related = [r for r in rows if r[law].startswith(("PL 230", "PL 24037"))]
    summary = run_import(write_rows(tmp_path / "related.csv", header, related))
    assert summary.cases_opened == len(related) > 100
    return {r[0]: dict(zip(header, r, strict=True)) for r in related}


def _us_date(text: str) -> date:
    month, day, year = (int(p) for p in text.split("/"))
    return date(year, month, day)


def _queue_numbers(client: Client, query: str) -> list[str]:
    """Every case number the queue lists for ``query``, following its own Next links."""
    numbers: list[str] = []
    url = "/cases/intake/" + query
    for _ in range(50):
        response = client.get(url)
        assert response.status_code == 200
        page = response.context
        numbers += [row["case"].number for row in page["rows"]]
        if not page["next_url"]:
            return numbers
        url = "/cases/intake/" + page["next_url"]
    raise AssertionError("the queue never ended")


def _all_intake() -> list[Case]:
    return list(
        Case.objects.filter(state=CaseState.INTAKE)
        .select_related("arrest", "defendant")
        .prefetch_related("arrest__charges")
        .order_by("pk")
    )


def test_each_filter_finds_exactly_the_matching_cases(december: dict[str, dict[str, str]]) -> None:
    client, _ = signed_in_client("intake_ada")
    cases = _all_intake()  # in the order of ?sort=opened (the default sort is tested below)
    row = {c.pk: december[c.arrest.arrest_key] for c in cases}

    def expect(pred: Callable[[Case], bool]) -> list[str]:
        return [c.number for c in cases if pred(c)]

    # borough and precinct, from the file's own columns
    assert _queue_numbers(client, "?sort=opened&borough=Q") == expect(
        lambda c: row[c.pk]["ARREST_BORO"] == "Q"
    )
    precinct = row[cases[0].pk]["ARREST_PRECINCT"]
    assert _queue_numbers(client, f"?sort=opened&precinct={precinct}") == expect(
        lambda c: row[c.pk]["ARREST_PRECINCT"] == precinct
    )
    # arrest date range, inclusive at both ends
    start, end = date(2017, 12, 5), date(2017, 12, 12)
    dated = f"?sort=opened&arrested_from={start}&arrested_to={end}"
    assert _queue_numbers(client, dated) == expect(
        lambda c: start <= _us_date(row[c.pk]["ARREST_DATE"]) <= end
    )
    # charge role, as the importer resolved it from the charge catalog
    buyers = expect(lambda c: any(ch.role == "buyer" for ch in c.arrest.charges.all()))
    assert buyers and _queue_numbers(client, "?sort=opened&role=buyer") == buyers
    assert len(buyers) == sum(r["LAW_CODE"] == BUYING for r in december.values())
    # the recommendation, from each row's charge code by hand (one charge per NYPD row)
    for outcome in ("decline", "prosecute", "prosecute_priority"):
        wanted = expect(lambda c, o=outcome: _hand_outcome(row[c.pk]) == o)
        shown = _queue_numbers(client, f"?sort=opened&outcome={outcome}")
        assert wanted and shown == wanted, outcome
    # counted from the file: 43 sold + 3 under the repealed 240.37 are declined, 108 prosecuted
    assert len(expect(lambda c: _hand_outcome(row[c.pk]) == "decline")) == 46
    assert len(expect(lambda c: _hand_outcome(row[c.pk]) == "prosecute")) == 108
    # filters combine
    assert _queue_numbers(client, "?sort=opened&borough=K&role=buyer&outcome=prosecute") == expect(
        lambda c: (
            row[c.pk]["ARREST_BORO"] == "K"
            and any(ch.role == "buyer" for ch in c.arrest.charges.all())
            and _hand_outcome(row[c.pk]) == "prosecute"
        )
    )


def test_text_search_matches_case_number_and_arrest_key(december: dict[str, Any]) -> None:
    client, _ = signed_in_client("supervisor")
    case = _all_intake()[7]
    key = case.arrest.arrest_key
    assert _queue_numbers(client, f"?q={key}") == [case.number]
    assert _queue_numbers(client, f"?q={case.number.lower()}") == [case.number]
    page = client.get("/cases/intake/?q=Ysolde").content.decode()
    assert "No cases match these filters." in page
    assert "Names cannot be searched" in page  # the help text says why


def test_sorting_and_paging_keep_the_filters(december: dict[str, Any]) -> None:
    client, _ = signed_in_client("intake_ada")
    numbers = _queue_numbers(client, "?sort=-arrested&role=buyer")
    cases = {c.number: c for c in _all_intake()}
    dates = [cases[n].arrest.arrest_date for n in numbers]
    assert len(numbers) > 25 and dates == sorted(dates, reverse=True)
    first = client.get("/cases/intake/?sort=-arrested&role=buyer")
    assert (
        "role=buyer" in first.context["next_url"] and "sort=-arrested" in first.context["next_url"]
    )
    assert f'href="{first.context["next_url"].replace("&", "&amp;")}"' in first.content.decode()
    # the same filter, reached through page 2 with outcome scanning, agrees
    two = client.get("/cases/intake/?outcome=prosecute&page=2")
    assert [r["case"].number for r in two.context["rows"]] == _queue_numbers(
        client, "?outcome=prosecute"
    )[25:50]


def test_a_bad_filter_is_named_and_the_rest_still_applies(december: dict[str, Any]) -> None:
    client, _ = signed_in_client("intake_ada")
    response = client.get(
        "/cases/intake/?arrested_from=2017-12-20&arrested_to=2017-12-01&borough=Q"
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "2017-12-01 is before 2017-12-20" in page and "usa-error-message" in page
    assert all(r["case"].arrest.borough == "Q" for r in response.context["rows"])
    assert all(r["case"].arrest.arrest_date >= date(2017, 12, 20) for r in response.context["rows"])
    nonsense = client.get("/cases/intake/?outcome=jail&precinct=abc")
    assert nonsense.status_code == 200 and "Select a valid choice" in nonsense.content.decode()


def test_htmx_gets_only_the_filters_and_results(december: dict[str, Any]) -> None:
    client, _ = signed_in_client("intake_ada")
    htmx = {"HTTP_HX_REQUEST": "true", "HTTP_HX_TARGET": "queue-search"}
    response = client.get("/cases/intake/?borough=S&sort=opened", **htmx)
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="queue-search">') and "<html" not in html
    staten = [c.number for c in _all_intake() if c.arrest.borough == "S"]
    assert staten and [r["case"].number for r in response.context["rows"]] == staten
    assert '<option value="S" selected>' in html  # the form comes back with the filter chosen
    bad = client.get("/cases/intake/?arrested_from=2017-12-20&arrested_to=2017-12-01", **htmx)
    assert "2017-12-01 is before 2017-12-20" in bad.content.decode()  # errors come back too
    full = client.get("/cases/intake/?borough=S").content.decode()
    assert 'hx-get="/cases/intake/"' in full and 'hx-push-url="true"' in full
    assert 'hx-target="#queue-search"' in full and "<html" in full


def test_imported_cases_show_not_recorded_for_the_unnamed_defendant(
    december: dict[str, Any],
) -> None:
    client, _ = signed_in_client("intake_ada")
    case = _all_intake()[0]
    assert case.defendant.given_name == case.defendant.family_name == ""
    for url in ("/cases/intake/", f"/cases/{case.pk}/"):
        page = client.get(url).content.decode()
        assert '<span class="text-base-dark text-italic">Not recorded</span>' in page, url
    named = make_case(SELLING, given_name="Mireille", family_name="Okonkwo-Baptiste")
    page = client.get(f"/cases/{named.pk}/").content.decode()
    assert "Mireille Okonkwo-Baptiste" in page


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_no_role_finds_a_case_it_may_not_open(role: str) -> None:
    intake_user = make_user("intake_ada")
    seller = make_case(SELLING, given_name="Anneliese", family_name="Varga-Whitlock")
    pending = make_case(SELLING, index=1)
    decisions.override_recommendation(
        actor=intake_user,
        case_id=pending.pk,
        outcomes={"1": "prosecute"},
        reason_category="charge_misrecorded",
        reason_text=REASON,
    )
    priority = make_case("PL 230345A", given_name="Barnaby", family_name="Quist-Holloway")
    decisions.accept_recommendation(actor=intake_user, case_id=priority.pk)
    make_case(BUYING, state=CaseState.PANEL_REVIEW)
    make_case(SELLING, index=2, state=CaseState.CLOSED)
    user = make_user(role)
    visible = set(visible_cases(user).values_list("pk", flat=True))
    for wanted in (
        CaseFilter(),
        CaseFilter(status="any"),
        CaseFilter(status="any", outcome="decline"),
        CaseFilter(status="any", q="Q-2017"),
        CaseFilter(status="any", sort="number"),
    ):
        assert set(search.matching_ids(user, wanted)) <= visible, wanted
    client = sign_in(Client(), user)
    response = client.get("/cases/intake/?status=any&q=Q-2017")
    text = response.content.decode()
    if role in ("intake_ada", "supervisor"):
        assert response.status_code == 200
        assert {seller.number, pending.number} <= {
            r["case"].number for r in response.context["rows"]
        }
        assert priority.number not in text and "Quist-Holloway" not in text
    else:
        assert response.status_code == 403
        assert seller.number not in text and "Varga-Whitlock" not in text
    export = client.get("/cases/intake/export.csv?status=any")
    assert export.status_code == (200 if role == "supervisor" else 403)
    if role != "supervisor":
        # no export recorded; the refusal itself is audited as refused
        assert not AuditRecord.objects.filter(action="cases.export", outcome="success").exists()
        assert AuditRecord.objects.get(action="cases.export").outcome == "refused"


# --- audit -------------------------------------------------------------------------------------


def test_a_search_is_audited_with_its_filter_and_what_it_showed(december: dict[str, Any]) -> None:
    client, user = signed_in_client("supervisor")
    response = client.get(
        "/cases/intake/?borough=M&role=buyer&outcome=prosecute", REMOTE_ADDR="10.9.8.7"
    )
    shown = [str(r["case"].pk) for r in response.context["rows"]]
    record = AuditRecord.objects.get(action="cases.intake_queue.search")
    assert (record.actor, record.source) == (user.email, "10.9.8.7")
    assert record.details["filter"] == {"borough": "M", "role": "buyer", "outcome": "prosecute"}
    assert record.details["ids"] == shown and shown
    client.get("/cases/intake/?sort=number")  # sorting alone is the plain queue
    assert AuditRecord.objects.filter(action="cases.intake_queue.read").count() == 1
    empty = client.get("/cases/intake/?q=no-such-case")
    assert empty.context["rows"] == []
    last = AuditRecord.objects.filter(action="cases.intake_queue.search").order_by("-seq").first()
    assert last is not None and last.details["filter"] == {"q": "no-such-case"}
    assert last.details["ids"] == []


# --- export ------------------------------------------------------------------------------------


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


def test_export_is_the_whole_filtered_list_with_real_values(
    december: dict[str, dict[str, str]],
) -> None:
    client, user = signed_in_client("supervisor")
    response = client.get(
        "/cases/intake/export.csv?role=buyer&sort=-arrested", REMOTE_ADDR="10.0.0.5"
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="intake-queue-')
    rows = _csv(response)
    assert [r["case_number"] for r in rows] == _queue_numbers(client, "?role=buyer&sort=-arrested")
    assert len(rows) > 25  # more than one page of the queue
    for r in rows:
        source = december[r["arrest_key"]]
        assert r["case_number"] == f"NYPD-{r['arrest_key']}"
        assert r["arrest_date"] == _us_date(source["ARREST_DATE"]).isoformat()
        assert (r["borough"], r["precinct"], r["age_group"]) == (
            source["ARREST_BORO"],
            source["ARREST_PRECINCT"],
            source["AGE_GROUP"],
        )
        assert r["charges"] == source["LAW_CODE"] and r["charged_as"] == "buyer"
        assert r["recommendation"] == _hand_outcome(source) == "prosecute"  # buyers, by hand
        assert r["policy_version"] == POLICY
        # a supervisor may open these cases: the name columns are there (blank: NYPD names no one)
        assert r["defendant_given_name"] == r["defendant_family_name"] == ""
    record = AuditRecord.objects.get(action="cases.export")
    assert (record.actor, record.source) == (user.email, "10.0.0.5")
    assert record.details["filter"] == {"role": "buyer", "sort": "-arrested"}
    assert record.details["rows"] == len(rows)
    assert record.details["ids"] == [
        str(Case.objects.get(number=r["case_number"]).pk) for r in rows
    ]
    assert record.details["personal_columns"] == ["defendant_given_name", "defendant_family_name"]


def test_export_of_an_outcome_filter_and_of_an_empty_result(december: dict[str, Any]) -> None:
    client, _ = signed_in_client("supervisor")
    declined = _csv(client.get("/cases/intake/export.csv?outcome=decline"))
    assert [r["case_number"] for r in declined] == _queue_numbers(client, "?outcome=decline")
    assert sorted(r["arrest_key"] for r in declined) == sorted(
        key for key, row in december.items() if _hand_outcome(row) == "decline"
    )
    assert all(r["recommendation"] == "decline" for r in declined)
    empty = client.get("/cases/intake/export.csv?q=nothing-like-this")
    assert b"".join(empty.streaming_content).decode().splitlines() == [
        ",".join(search.export_columns(make_user("supervisor")))
    ]
    last = AuditRecord.objects.filter(action="cases.export").order_by("-seq").first()
    assert last is not None and last.details["rows"] == 0


def test_export_names_cannot_become_spreadsheet_formulas() -> None:
    make_case(SELLING, given_name='=HYPERLINK("http://x")', family_name="+1-Smith")
    make_case(BUYING, given_name="Ondine", family_name="Marsh")
    client, _ = signed_in_client("supervisor")
    rows = _csv(client.get("/cases/intake/export.csv?sort=number"))
    by_name = {r["defendant_family_name"]: r for r in rows}
    assert by_name["'+1-Smith"]["defendant_given_name"] == '\'=HYPERLINK("http://x")'
    assert by_name["Marsh"]["defendant_given_name"] == "Ondine"


def test_an_invalid_export_filter_is_refused_and_not_audited() -> None:
    client, _ = signed_in_client("supervisor")
    response = client.get("/cases/intake/export.csv?arrested_from=yesterday")
    assert response.status_code == 400
    assert "arrested_from" in response.content.decode()
    assert not AuditRecord.objects.filter(action="cases.export").exists()


def test_roles_without_export_do_not_see_the_download_link() -> None:
    make_case(SELLING)
    supervisor, _ = signed_in_client("supervisor")
    intake, _ = signed_in_client("intake_ada")
    assert (
        "/cases/intake/export.csv?borough=K"
        in supervisor.get("/cases/intake/?borough=K").content.decode()
    )
    assert "export.csv" not in intake.get("/cases/intake/?borough=K").content.decode()
    assert intake.get("/cases/intake/export.csv").status_code == 403


# --- navigation --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_the_nav_links_exactly_the_pages_the_role_may_open(role: str) -> None:
    from survivors_justice.accounts.context_processors import NAV_ITEMS

    client, _ = signed_in_client(role)
    links = client.get("/home/").context["sj_nav"]
    shown = {link.url for link in links}
    for item in NAV_ITEMS:
        from django.urls import reverse

        url = reverse(item.url_name)
        status = client.get(url).status_code
        assert (url in shown) == (status == 200), (role, url, status)
    assert ("/cases/priority/" in shown) == (role == "trafficking_ada")


def test_filtered_queue_query_count_does_not_grow_with_the_page(
    django_assert_max_num_queries: Any,
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client, _ = signed_in_client("intake_ada")
    client.get("/cases/intake/")  # the first audit record creates the chain head: not counted
    counts = []
    for n in (3, 30):
        for i in range(n - Case.objects.count()):
            make_case(SELLING if i % 2 else BUYING, index=i)
        for query in ("?outcome=decline&sort=-arrested", "?role=&status=any&q=Q-2017"):
            # (an outcome filter may add its grouped search: 3 queries, whatever the size)
            with django_assert_max_num_queries(21), CaptureQueriesContext(connection) as ctx:
                assert client.get("/cases/intake/" + query).status_code == 200
            counts.append(len(ctx))
    assert counts[:2] == counts[2:]


def test_every_outcome_filter_equals_evaluating_each_case(
    december: dict[str, dict[str, str]],
) -> None:
    """Each outcome, the rare ones included, over real cases some of which have answered facts,
    amended charges or several charges: the queue lists exactly the cases whose recommendation
    (evaluated one case at a time) gives some charge that outcome, in queue order."""
    client, intake = signed_in_client("intake_ada")
    cases = _all_intake()
    buyers = [c for c in cases if c.arrest.law_code == BUYING]
    sellers = [c for c in cases if c.arrest.law_code == SELLING]
    for case in buyers[:3]:  # coercion answered: a priority case
        facts.record_facts(
            actor=intake, case=case, answers={"indicators.force": "yes"}, source="police_report"
        )
    facts.amend_charge(actor=intake, case=sellers[0], action="add", law_code=BUYING,
                       reason=REASON)
    facts.amend_charge(actor=intake, case=sellers[1], action="replace", position=1,
                       law_code="PL 1200500", reason=REASON)  # assault: outside the policy
    cases = _all_intake()
    for outcome in ("decline", "prosecute", "prosecute_priority", "panel_review",
                    "outside_policy"):
        wanted = [
            c.number for c in cases
            if outcome in {ch.outcome for ch in recommendations.recommend(c).charges}
        ]
        assert wanted, outcome
        assert _queue_numbers(client, f"?outcome={outcome}&sort=opened") == wanted, outcome
        ids = search.matching_ids(intake, CaseFilter(outcome=outcome, sort="opened"))
        assert [c.number for c in search.in_order(ids)] == wanted, outcome


# CPL 30.30(1) readiness periods by the class of the top charge, read from the statute by hand:
# a felony six months, a class A misdemeanor 90 days, a class B misdemeanor 60 days.
HAND_PERIOD = {
    "PL 2300000": ("days", 60),  # 230.00 prostitution, class B misdemeanor
    "PL 2300400": ("days", 90),  # 230.04 patronizing 3rd, class A misdemeanor
    "PL 2302000": ("days", 90),  # 230.20 promoting 4th, class A misdemeanor
    "PL 2302501": ("months", 6),  # 230.25 promoting 3rd, class D felony
    "PL 2302502": ("months", 6),
    "PL 2303400": ("months", 6),  # 230.34 sex trafficking, class B felony
    "PL 230345A": ("months", 6),
}


def _hand_deadline(row: dict[str, str]) -> date | None:
    kind, n = HAND_PERIOD.get(row["LAW_CODE"], ("", 0))
    arrested = _us_date(row["ARREST_DATE"])
    if kind == "days":
        return date.fromordinal(arrested.toordinal() + n)
    if kind == "months":
        month = arrested.month - 1 + n
        return arrested.replace(year=arrested.year + month // 12, month=month % 12 + 1)
    return None


def test_the_queue_is_sorted_by_the_readiness_deadline_and_shows_it(
    december: dict[str, dict[str, str]],
) -> None:
    client, _ = signed_in_client("intake_ada")
    numbers = _queue_numbers(client, "")
    cases = {c.number: c for c in _all_intake()}
    assert sorted(numbers) == sorted(cases)
    rows = [december[cases[n].arrest.arrest_key] for n in numbers]
    hand = [_hand_deadline(r) for r in rows]
    assert sum(d is not None for d in hand) > 100
    shown = [cases[n].readiness_deadline for n in numbers]
    for row, expected, stored in zip(rows, hand, shown, strict=True):
        if expected is not None:
            assert stored == expected, row["LAW_CODE"]
    known = [d for d in shown if d is not None]
    assert known == sorted(known) and shown[: len(known)] == known  # unknown classes last
    # a date range keeps the deadline order (on PostgreSQL its arrests are found first)
    arrested = {n: _us_date(december[cases[n].arrest.arrest_key]["ARREST_DATE"]) for n in numbers}
    start, end = date(2017, 12, 5), date(2017, 12, 12)
    for query, keep in (
        (f"?arrested_from={start}&arrested_to={end}", lambda d: start <= d <= end),
        (f"?arrested_from={end}", lambda d: d >= end),
        (f"?arrested_to={start}", lambda d: d <= start),
    ):
        wanted = [n for n in numbers if keep(arrested[n])]
        assert 0 < len(wanted) < len(numbers) and _queue_numbers(client, query) == wanted, query
    first = client.get("/cases/intake/").content.decode()
    earliest = min(known)
    days = (timezone.localdate() - earliest).days
    assert "Ready by (CPL 30.30)" in first and earliest.isoformat() in first
    assert f"{days} days past" in first
