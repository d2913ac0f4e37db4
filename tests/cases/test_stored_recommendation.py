"""The recommendation stored on the case (cases/stored_recommendation.py) against the one the
queue evaluates, after every path that writes it; the filters that read it; stale policies.

Expected outcomes come from ``HAND_OUTCOME`` (the policy read by hand, tests/cases/test_search.py)
where a case's charge decides it, and otherwise from evaluating the case one at a time
(``recommendations.recommend``), never from the stored columns under test.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from tests.arrests.helpers import run_import
from tests.cases.factories import BUYING, SELLING, make_case
from tests.cases.test_search import HAND_OUTCOME, REASON, _hand_outcome, _queue_numbers, december
from tests.factories import signed_in_client
from typer.testing import CliRunner

from survivors_justice.accounts.models import User
from survivors_justice.cases import decisions, facts, followups, recommendations, search
from survivors_justice.cases import stored_recommendation as stored
from survivors_justice.cases.clock import clock_of
from survivors_justice.cases.flows import CaseState
from survivors_justice.cases.models import Case, FollowUpTask, RecommendedOutcome
from survivors_justice.cases.search import CaseFilter
from survivors_justice.permissions import visible_cases
from survivors_justice.policy import load_policy
from survivors_justice.policy.loader import DOCUMENTS_DIR
from survivors_justice.screening.services import screen_case, screen_cases

pytestmark = pytest.mark.django_db
__all__ = ["december", "run_import"]  # fixtures shared with test_search
OUTCOMES = ("decline", "prosecute", "prosecute_priority", "panel_review", "outside_policy")
TRAFFICKING_CODE = "PL 230345A"  # 230.34(5)(a) sex trafficking: a priority case


def _stored_of(case: Case) -> dict[str, Any]:
    row = Case.objects.get(pk=case.pk)
    return {
        "outcomes": set(
            RecommendedOutcome.objects.filter(case=row).values_list("outcome", flat=True)
        ),
        "priority": row.recommended_priority,
        "policy": row.recommended_policy,
        "on": row.recommended_on,
        "deadline": row.readiness_deadline,
        "trafficking": row.trafficking_queue,
    }


def _evaluated(case: Case, trafficking: User) -> dict[str, Any]:
    """What the stored columns must say, from the case evaluated one at a time and from the
    permission module (whether a trafficking prosecutor may open it)."""
    row = Case.objects.select_related("arrest").get(pk=case.pk)
    rec = recommendations.recommend(row)
    clock = clock_of(row)
    return {
        "outcomes": {c.outcome for c in rec.charges},
        "priority": rec.case_priority,
        "policy": stored.policy_key(),
        "on": timezone.localdate(),
        "deadline": clock.deadline if clock else None,
        "trafficking": visible_cases(trafficking).filter(pk=case.pk).exists(),
    }


def test_import_stores_the_hand_outcome_and_clock_of_every_case(
    december: dict[str, dict[str, str]],
) -> None:
    _, trafficking = signed_in_client("trafficking_ada")
    cases = list(Case.objects.select_related("arrest"))
    assert len(cases) > 100
    for case in cases:
        row = december[case.arrest.arrest_key]
        got = _stored_of(case)
        assert got["outcomes"] == {_hand_outcome(row)}, case.arrest.law_code
        assert got["priority"] == _hand_outcome(row)
        assert got == _evaluated(case, trafficking)
    # in intake, unscreened: nothing is in the trafficking queue yet
    assert not any(_stored_of(c)["trafficking"] for c in cases)
    assert {HAND_OUTCOME[BUYING], HAND_OUTCOME[SELLING]} == {"prosecute", "decline"}


def test_every_writing_path_keeps_the_stored_recommendation_equal_to_evaluating() -> None:
    _, intake = signed_in_client("intake_ada")
    _, boss = signed_in_client("supervisor")
    _, trafficking = signed_in_client("trafficking_ada")
    buyer, seller, trafficker = make_case(BUYING), make_case(SELLING), make_case(TRAFFICKING_CODE)
    minor = make_case("PL 2302502", index=_minor_index())

    def check(case: Case, **hand: Any) -> None:
        got = _stored_of(case)
        assert got == _evaluated(case, trafficking), case.number
        for name, value in hand.items():
            assert got[name] == value, (case.number, name)

    # a screening (one case) stores it
    for case in (buyer, seller, trafficker, minor):
        screen_case(case_id=case.pk, actor="test")
    check(buyer, outcomes={"prosecute"}, trafficking=False)
    check(seller, outcomes={"decline"}, trafficking=False)
    check(trafficker, outcomes={"prosecute_priority"}, trafficking=True)  # screened priority
    check(minor, outcomes={"panel_review"}, trafficking=True)
    # facts answered: coercion makes a buyer's case a priority case
    facts.record_facts(actor=intake, case=buyer, answers={"indicators.force": "yes"},
                       source="police_report")
    check(buyer, outcomes={"prosecute_priority"}, priority="prosecute_priority", trafficking=True)
    # a charge amended: an assault is outside the policy, the selling charge still declined
    facts.amend_charge(actor=intake, case=seller, action="add", law_code="PL 1200500",
                       reason=REASON)
    check(seller, outcomes={"decline", "outside_policy"})
    # a decision: the trafficking case is prosecuted with priority, still in the queue
    decisions.accept_recommendation(actor=intake, case_id=trafficker.pk)
    check(trafficker, trafficking=True)
    # a supervisor decides the panel case instead of the panel: prosecuted, not a priority
    # (its trafficking lead, opened for a minor, keeps it in the trafficking queue)
    decisions.supervisor_decide(actor=boss, case_id=minor.pk, outcomes={"1": "prosecute"},
                                reason_text=REASON)
    check(minor)
    # reopened: back in intake with its panel screening, so back in the trafficking queue
    decisions.reopen_decision(actor=boss, case_id=minor.pk, reason=REASON)
    check(minor, trafficking=True)
    # an override of the buyer's case waits for a supervisor; refused, the policy's outcome holds
    facts.record_facts(actor=intake, case=buyer, answers={"indicators.force": "unknown"},
                       source="interview")
    check(buyer, outcomes={"prosecute"})
    made = decisions.override_recommendation(
        actor=intake, case_id=buyer.pk, outcomes={"1": "decline"}, reason_category="other",
        reason_text=REASON,
    )
    check(buyer)
    decisions.review_override(actor=boss, decision_id=made.pk, approve=False, note=REASON)
    check(buyer)
    # a declined seller (accepted) gets an advocate task, not a lead; a lead closed takes the
    # case out of the trafficking queue
    decisions.accept_recommendation(actor=intake, case_id=seller.pk)
    check(seller, trafficking=False)
    lead_case = make_case("PL 2300000", index=_minor_seller_index())
    screen_case(case_id=lead_case.pk, actor="test")
    decisions.accept_recommendation(actor=intake, case_id=lead_case.pk)
    lead = FollowUpTask.objects.get(case=lead_case, owner_role="trafficking_ada")
    check(lead_case, trafficking=True)
    followups.close(actor=trafficking, task_id=lead.pk, done=True, note="Investigated.")
    check(lead_case, trafficking=False)
    # bulk screening stores every case it screens, even ones written around the writer
    Case.objects.update(recommended_priority="", recommended_on=None, trafficking_queue=False)
    RecommendedOutcome.objects.all().delete()
    screen_cases(actor="test")
    for case in (buyer, seller, trafficker, minor, lead_case):
        check(case)


def _minor_index() -> int:
    """The first December 2017 row of 230.25(2) with a defendant under 18 (a panel case)."""
    from tests.cases.factories import december_rows

    rows = [r for r in december_rows() if r["LAW_CODE"] == "PL 2302502"]
    return next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")


def _minor_seller_index() -> int:
    from tests.cases.factories import december_rows

    rows = [r for r in december_rows() if r["LAW_CODE"] == SELLING]
    return next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")


def test_resolve_and_refresh_store_cases_written_around_the_writer(
    december: dict[str, dict[str, str]],
) -> None:
    """The migration's backfill (``refresh(everything=True)``) fills blank rows."""
    _, trafficking = signed_in_client("trafficking_ada")
    Case.objects.update(recommended_policy="", recommended_on=None, readiness_deadline=None)
    RecommendedOutcome.objects.all().delete()
    assert stored.refresh() == Case.objects.count()  # every blank row is stale
    assert stored.refresh() == 0  # and none is now
    for case in Case.objects.select_related("arrest")[:40]:
        assert _stored_of(case) == _evaluated(case, trafficking)


def _varied_cases(rng: random.Random, intake: User) -> None:
    """Cases with real charges, some with answered facts, amended or added charges."""
    codes = [*HAND_OUTCOME, "PL 2302502"]
    for _ in range(36):
        case = make_case(rng.choice(codes), index=rng.randrange(40))
        pick = rng.random()
        if pick < 0.2:
            facts.record_facts(
                actor=intake, case=case, source="interview",
                answers={rng.choice(["indicators.force", "indicators.threats",
                                     "defendant.victim_indicators"]): rng.choice(["yes", "no"])},
            )
        elif pick < 0.35:
            facts.amend_charge(actor=intake, case=case, action="add", reason=REASON,
                               law_code=rng.choice(["PL 1200500", BUYING, SELLING]))
        elif pick < 0.45:
            facts.amend_charge(actor=intake, case=case, action="replace", position=1,
                               reason=REASON, law_code=rng.choice(codes))
        elif pick < 0.6:
            screen_case(case_id=case.pk, actor="test")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_each_outcome_filter_lists_exactly_the_cases_evaluating_gives_it(seed: int) -> None:
    """A property over varied cases, some stored fresh, some stale (stored under another policy
    with the wrong outcomes), some never stored: every outcome filter equals evaluating each."""
    rng = random.Random(seed)
    client, intake = signed_in_client("intake_ada")
    _varied_cases(rng, intake)
    everyone = list(Case.objects.order_by("pk"))
    for case in rng.sample(everyone, 8):  # stale, and wrong: the filter must not trust them
        Case.objects.filter(pk=case.pk).update(recommended_policy="older@1")
        RecommendedOutcome.objects.filter(case=case).delete()
        RecommendedOutcome.objects.create(case=case, outcome=rng.choice(OUTCOMES))
    cases = list(Case.objects.filter(state=CaseState.INTAKE).select_related("arrest")
                 .order_by("pk"))
    for outcome in OUTCOMES:
        wanted = [c.number for c in cases
                  if outcome in {ch.outcome for ch in recommendations.recommend(c).charges}]
        assert _queue_numbers(client, f"?sort=opened&outcome={outcome}") == wanted, outcome
        ids = search.matching_ids(intake, CaseFilter(outcome=outcome, sort="-arrested"))
        by_date = sorted(
            (c for c in cases if c.number in wanted),
            key=lambda c: (c.arrest.arrest_date, c.pk), reverse=True,
        )
        assert ids == [c.pk for c in by_date], outcome
        # a page's worth (stored matches and the stale ones evaluated now, merged) is the start
        # of the whole list, in every order
        by_pk = [c.pk for c in cases if c.number in wanted]
        for sort, whole in (("opened", by_pk), ("-arrested", [c.pk for c in by_date])):
            for limit in (1, 2, 5, 9):
                page = search.matching_ids(intake, CaseFilter(outcome=outcome, sort=sort),
                                           limit=limit)
                assert page == whole[:limit], (outcome, sort, limit)


def test_too_many_stale_cases_fall_back_to_evaluating_the_queue(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(search, "STALE_LIVE_MAX", 2)
    client, intake = signed_in_client("intake_ada")
    _varied_cases(random.Random(7), intake)
    Case.objects.update(recommended_policy="older@1")
    RecommendedOutcome.objects.all().delete()  # and wrong everywhere
    RecommendedOutcome.objects.bulk_create(
        RecommendedOutcome(case=c, outcome="panel_review") for c in Case.objects.all()
    )
    cases = list(Case.objects.filter(state=CaseState.INTAKE).order_by("pk"))
    for outcome in OUTCOMES:
        wanted = [c.number for c in cases
                  if outcome in {ch.outcome for ch in recommendations.recommend(c).charges}]
        assert _queue_numbers(client, f"?sort=opened&outcome={outcome}") == wanted, outcome


def _install_policy(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Make ``path`` the office's policy in force (as a deploy of a new document would)."""
    monkeypatch.setattr(recommendations, "load_policy", lambda: load_policy(path))
    # both keys restored afterwards: the next test reads the office's own policy again
    monkeypatch.setitem(recommendations._POLICY_CACHE, "policy", load_policy(path))
    monkeypatch.setitem(recommendations._POLICY_CACHE, "at", -1e9)


def test_a_new_policy_marks_every_stored_outcome_stale_until_refreshed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, _ = signed_in_client("supervisor")
    buyers = [make_case(BUYING, index=i) for i in range(3)]
    sellers = [make_case(SELLING, index=i) for i in range(2)]
    stored.store([c.pk for c in buyers + sellers])
    assert _queue_numbers(client, "?sort=opened&outcome=decline") == [c.number for c in sellers]
    assert "stale-recommendations" not in client.get("/cases/intake/?outcome=decline").text
    # The proposal declines adult buyers (read by hand from its document).
    _install_policy(monkeypatch, DOCUMENTS_DIR / "proposal-adult-buyers-declined.yaml")
    adult = [c for c in buyers if c.arrest.age_group != "<18"]
    assert adult
    expected = sorted(adult + sellers, key=lambda c: c.pk)
    assert Case.objects.filter(stored.stale_filter()).count() == 5
    response = client.get("/cases/intake/?outcome=decline")
    assert "stale-recommendations" in response.text and response.context["stale"] == 5
    assert _queue_numbers(client, "?sort=opened&outcome=decline") == [c.number for c in expected]
    # `sj cases refresh` stores them under the new policy and says so in the audit log
    from survivors_justice.audit.models import AuditRecord
    from survivors_justice.cli import app

    result = CliRunner().invoke(app, ["cases", "refresh"])
    assert result.exit_code == 0, result.output
    assert "survivors-justice-proposal-buyers@2026.2-draft" in result.output
    assert AuditRecord.objects.filter(action="cases.recommendations.refresh").exists()
    assert not Case.objects.filter(stored.stale_filter()).exists()
    for case in adult:
        assert _stored_of(case)["outcomes"] == {"decline"}
    response = client.get("/cases/intake/?outcome=decline")
    assert response.context["stale"] == 0
    assert _queue_numbers(client, "?sort=opened&outcome=decline") == [c.number for c in expected]


def test_a_dated_change_of_the_law_makes_older_rows_stale() -> None:
    # PL 240.37 was law through 2021-02-01 (repealed effective 2021-02-02, L.2021 ch.23): a
    # decision on 2021-02-01 and one on 2021-02-02 may differ.
    first, last = stored.date_window(date(2021, 2, 1))
    assert last == date(2021, 2, 2)
    assert stored.date_window(date(2021, 2, 2))[0] == date(2021, 2, 2)
    assert first is not None and first < date(2021, 2, 1)
    case = make_case(SELLING)
    stored.store([case.pk])
    assert Case.objects.filter(stored.fresh_filter(), pk=case.pk).exists()
    Case.objects.filter(pk=case.pk).update(recommended_on=date(2021, 2, 1))
    assert Case.objects.filter(stored.stale_filter(), pk=case.pk).exists()
    assert not Case.objects.filter(
        stored.stale_filter(on=date(2021, 1, 20)), pk=case.pk
    ).exists()
    # a document edited without a new version number is another policy too
    assert stored.policy_key().startswith(f"survivors-justice@{load_policy().version}/")


def test_case_number_search_is_a_prefix_lookup() -> None:
    client, _ = signed_in_client("supervisor")
    cases = [make_case(SELLING, index=i) for i in range(12)]
    stored.store([c.pk for c in cases])
    # a prefix some but not all of the cases share (the numbers run on, e.g. Q-2017-00008)
    prefix = next(
        c.number[:-1] for c in cases
        if 1 < sum(d.number.startswith(c.number[:-1]) for d in cases) < len(cases)
    )
    expect = [c.number for c in cases if c.number.startswith(prefix)]
    assert _queue_numbers(client, f"?sort=opened&q={prefix.lower()}") == expect
    assert _queue_numbers(client, f"?sort=opened&q={cases[3].arrest.arrest_key[:-2]}") == [
        c.number for c in cases if c.arrest.arrest_key.startswith(cases[3].arrest.arrest_key[:-2])
    ]
    middle = cases[0].number[2:]  # not the start of any number or arrest key
    assert _queue_numbers(client, f"?sort=opened&q={middle}") == []


def _trafficking_world(n: int, intake: User) -> list[Case]:
    made = []
    for i in range(n):
        case = make_case(TRAFFICKING_CODE if i % 3 else "PL 2302502", index=i)
        screen_case(case_id=case.pk, actor="test")
        if i % 4 == 0:
            decisions.accept_recommendation(actor=intake, case_id=case.pk)
        made.append(case)
    for i in range(n // 2):  # not in the queue
        case = make_case(BUYING, index=i)
        screen_case(case_id=case.pk, actor="test")
        made.append(case)
    return made


def test_the_trafficking_queue_is_what_they_may_open_sorted_by_deadline() -> None:
    client, trafficking = signed_in_client("trafficking_ada")
    _, intake = signed_in_client("intake_ada")
    _trafficking_world(12, intake)
    allowed = list(visible_cases(trafficking).select_related("arrest"))
    clocks = {c.pk: clock_of(c) for c in allowed}
    far = date.max - timedelta(days=1)
    expected = sorted(
        allowed, key=lambda c: (clocks[c.pk].deadline if clocks[c.pk] else far, c.pk)
    )
    shown: list[str] = []
    url = "/cases/priority/"
    while url:
        response = client.get(url)
        assert response.status_code == 200
        shown += [r["case"].number for r in response.context["page"].items]
        assert response.context["total"] == len(allowed)
        url = "/cases/priority/" + response.context["next_url"] if response.context[
            "next_url"] else ""
    assert shown == [c.number for c in expected]


def test_list_pages_query_counts_do_not_grow_with_the_cases(settings: Any) -> None:
    """The trafficking queue and an outcome filter of the intake queue: the same number of
    queries for a few cases as for a full page."""
    settings.SJ_SESSION_REFRESH_SECONDS = 3600  # a session's idle deadline moves on once, below
    trafficking_client, _ = signed_in_client("trafficking_ada")
    intake_client, intake = signed_in_client("intake_ada")
    trafficking_client.get("/cases/priority/")  # the audit chain head: not counted
    intake_client.get("/cases/intake/")  # nor the first move of the session's idle deadline
    counts: dict[str, list[int]] = {}
    made = 0
    for n in (3, 30):
        _trafficking_world(n - made, intake)
        made = n
        for name, client, url in (
            ("trafficking", trafficking_client, "/cases/priority/"),
            ("panel", intake_client, "/cases/intake/?outcome=panel_review&sort=-arrested"),
            ("priority", intake_client, "/cases/intake/?outcome=prosecute_priority"),
        ):
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            counts.setdefault(name, []).append(len(ctx))
    for name in ("trafficking", "panel", "priority"):
        assert counts[name][0] == counts[name][1] <= 20, (name, counts[name])


def test_a_short_prefix_matching_many_cases_gives_the_same_answer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    client, _ = signed_in_client("supervisor")
    cases = [make_case(SELLING, index=i) for i in range(6)]
    expect = [c.number for c in cases]
    assert _queue_numbers(client, "?sort=opened&q=Q-2017") == expect
    monkeypatch.setattr(search, "NUMBER_IDS_MAX", 2)  # past it: the lookups as subqueries
    assert _queue_numbers(client, "?sort=opened&q=Q-2017") == expect
    assert _queue_numbers(client, f"?sort=opened&q={cases[2].number}") == [cases[2].number]
