"""The panel's determination becomes facts of the case (source panel_determination) and the case
is screened again at once, with the vote count and never who voted which way."""

from __future__ import annotations

import pytest
from django.test import Client
from tests.factories import make_user, sign_in
from tests.review.factories import open_session

from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.models import CaseFact
from survivors_justice.review import services
from survivors_justice.screening.models import PolicyDecision

pytestmark = pytest.mark.django_db


def test_a_determination_becomes_the_cases_facts_and_rescreens_it() -> None:
    session, coordinator, members = open_session()
    entry = session.docket.get()
    case = entry.case
    screenings = PolicyDecision.objects.filter(case=case).count()
    # two involuntary (recommending decline), one voluntary (prosecute): 2-1 involuntary, and
    # "decline" is the outcome most given
    for m, finding, outcome in zip(
        members, ["involuntary", "involuntary", "voluntary"],
        ["decline", "decline", "prosecute"], strict=True,
    ):  # fmt: skip
        services.record_position(
            actor=m.user, entry=entry, finding=finding, recommended_outcome=outcome, reasons=[]
        )
    d = services.record_determination(actor=coordinator, entry=entry)
    assert (d.finding, d.recommended_outcome) == ("involuntary", "decline")
    assert (d.votes_involuntary, d.votes_voluntary, d.votes_cannot_tell) == (2, 1, 0)
    rows = {r.fact: r for r in CaseFact.objects.filter(case=case, current=True)}
    assert rows["panel.determination"].value == "involuntary"
    assert rows["panel.recommendation"].value == "decline"
    assert {r.source for r in rows.values()} == {"panel_determination"}
    assert "2 involuntary" in rows["panel.determination"].note
    assert PolicyDecision.objects.filter(case=case).count() == screenings + 1
    # no record names a member beside a finding
    events = list(AuditRecord.objects.filter(action="review.docket.determination"))
    assert len(events) == 1
    for event in events:
        assert all(m.user.email not in str(event.details) for m in members)
    with pytest.raises(services.AlreadyDetermined):
        services.record_determination(actor=coordinator, entry=entry)


def test_the_case_page_shows_the_finding_and_the_vote_count_only() -> None:
    session, coordinator, members = open_session()
    entry = session.docket.get()
    for m, finding in zip(members, ["voluntary", "voluntary", "cannot_tell"], strict=True):
        services.record_position(
            actor=m.user, entry=entry, finding=finding, recommended_outcome="prosecute",
            reasons=[], text=f"private reasons of {m.user.email}",
        )  # fmt: skip
    services.record_determination(actor=coordinator, entry=entry)
    client = sign_in(Client(), make_user("supervisor"))
    page = client.get(f"/cases/{entry.case_id}/").content.decode()
    assert "the panel found the person's sex work <strong>voluntary</strong>" in page
    assert "Votes: 0 involuntary, 2 voluntary, 1 cannot tell." in page
    for m in members:
        assert m.user.email not in page
    assert "private reasons" not in page
