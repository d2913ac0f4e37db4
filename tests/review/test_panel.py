"""The review panel: who may read a packet, quorum, docket order, the tally, the pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.test import Client
from django.urls import reverse
from tests.cases.factories import BUYING, SELLING, make_case
from tests.factories import make_user, sign_in
from tests.review.factories import member, open_session, panel_case

from survivors_justice.accounts.roles import Role
from survivors_justice.audit.models import AuditRecord
from survivors_justice.review import services
from survivors_justice.review.models import DocketEntry, SeatKind, SessionState
from survivors_justice.review.rules import tally

pytestmark = pytest.mark.django_db


def _packet_url(entry: DocketEntry) -> str:
    return reverse("review:packet", args=[entry.pk])


def test_a_seated_member_reads_the_packet_and_the_read_is_audited() -> None:
    session, _, members = open_session()
    entry = session.docket.get()
    client = sign_in(Client(), members[0].user)
    page = client.get(_packet_url(entry))
    assert page.status_code == 200
    body = page.content.decode()
    assert entry.case.number not in body and entry.case.arrest.arrest_key not in body
    assert AuditRecord.objects.filter(
        action="review.packet.read", object_id=str(entry.pk), actor=members[0].user.email
    ).exists()


def test_a_recused_member_gets_404_for_the_packet() -> None:
    session, _, members = open_session()
    entry = session.docket.get()
    client = sign_in(Client(), members[1].user)
    assert client.get(_packet_url(entry)).status_code == 200
    assert (
        client.post(
            reverse("review:conflict", args=[entry.pk]), {"reason": "I know her"}
        ).status_code
        == 302
    )
    assert client.get(_packet_url(entry)).status_code == 404
    assert client.post(_packet_url(entry), {"finding": "voluntary"}).status_code == 404


def test_an_unseated_member_gets_404_for_the_packet() -> None:
    session, coordinator, _ = open_session()
    outsider = member(SeatKind.ADVOCATE, coordinator=coordinator)
    client = sign_in(Client(), outsider.user)
    assert client.get(_packet_url(session.docket.get())).status_code == 404
    # ... the same answer as for a packet that does not exist
    assert client.get(reverse("review:packet", args=[999_999])).status_code == 404


def test_no_packet_before_the_session_opens_or_after_it_closes() -> None:
    session, coordinator, members = open_session()
    entry = session.docket.get()
    client = sign_in(Client(), members[0].user)
    services.move_session(actor=coordinator, session=session, to=SessionState.CLOSED)
    assert client.get(_packet_url(entry)).status_code == 404
    with pytest.raises(services.ReviewError, match="cannot move to open"):
        services.move_session(actor=coordinator, session=session, to=SessionState.OPEN)


def test_a_member_without_signed_confidentiality_or_current_training_cannot_sit() -> None:
    coordinator = make_user(Role.SUPERVISOR)
    unsigned = member(SeatKind.EXPERT, coordinator=coordinator, signed=False)
    lapsed = member(SeatKind.EXPERT, coordinator=coordinator, trained=False)
    for m, why in ((unsigned, "confidentiality"), (lapsed, "training is not current")):
        with pytest.raises(services.MemberMayNotSit, match=why):
            services.schedule_session(
                actor=coordinator, scheduled_for=datetime.now(tz=UTC), members=[m],
                cases=[panel_case()],
            )  # fmt: skip


def test_other_roles_cannot_read_packets_and_prosecutors_cannot_coordinate() -> None:
    session, _, _ = open_session()
    entry = session.docket.get()
    for role in (Role.INTAKE_ADA, Role.TRAFFICKING_ADA, Role.ADVOCATE, Role.ANALYST, Role.ADMIN):
        client = sign_in(Client(), make_user(role))
        assert client.get(_packet_url(entry)).status_code == 403, role
        assert client.get(reverse("review:docket", args=[session.pk])).status_code == 403, role


def _vote(entry: DocketEntry, members: list, findings: list[str]) -> None:
    for m, f in zip(members, findings, strict=True):
        services.record_position(
            actor=m.user, entry=entry, finding=f, recommended_outcome="decline",
            reasons=["coercion"],
        )  # fmt: skip


def test_a_session_without_quorum_cannot_record_a_determination() -> None:
    # two advocates and an expert vote, but nobody with lived experience
    session, coordinator, members = open_session(
        [SeatKind.ADVOCATE, SeatKind.ADVOCATE, SeatKind.EXPERT, SeatKind.LIVED_EXPERIENCE]
    )
    entry = session.docket.get()
    _vote(entry, members[:3], ["involuntary"] * 3)
    with pytest.raises(services.NoQuorum, match="at least 1 person with lived experience"):
        services.record_determination(actor=coordinator, entry=entry)
    # the lived-experience member steps aside: still no quorum
    services.declare_conflict(actor=members[3].user, entry=entry, reason="")
    with pytest.raises(services.NoQuorum):
        services.record_determination(actor=coordinator, entry=entry)


def test_the_prosecutor_seat_does_not_vote() -> None:
    session, _, members = open_session(
        [SeatKind.LIVED_EXPERIENCE, SeatKind.ADVOCATE, SeatKind.PROSECUTOR]
    )
    with pytest.raises(services.MemberMayNotSit, match="does not vote"):
        _vote(session.docket.get(), members[2:], ["voluntary"])


def test_the_docket_puts_the_earliest_speedy_trial_deadline_first() -> None:
    # Real rows: PL 2303400 (230.34 sex trafficking, a class B felony) arrested 2017-12-02: six
    # months -> 2018-06-02; PL 2302000 (230.20 promoting, 4th degree, class A misdemeanor)
    # arrested 2017-12-26: 90 days -> 2018-03-26. The misdemeanour comes first.
    felony = panel_case("PL 2303400")
    misdemeanour = panel_case("PL 2302000")
    assert felony.arrest.arrest_date == date(2017, 12, 2)
    assert misdemeanour.arrest.arrest_date == date(2017, 12, 26)
    session, _, _ = open_session(cases=[felony, misdemeanour])
    entries = list(session.docket.order_by("position"))
    assert [(e.case_id, e.readiness_deadline) for e in entries] == [
        (misdemeanour.pk, date(2018, 3, 26)),
        (felony.pk, date(2018, 6, 2)),
    ]


@pytest.mark.parametrize(
    ("findings", "expected"),
    [
        (["involuntary", "involuntary", "voluntary"], "involuntary"),
        (["voluntary", "voluntary", "involuntary"], "voluntary"),
        (["voluntary", "involuntary"], "cannot_tell"),  # no majority
        (["cannot_tell", "cannot_tell", "involuntary"], "cannot_tell"),
        (["involuntary", "involuntary", "cannot_tell", "voluntary"], "cannot_tell"),  # 2 of 4
    ],
)
def test_the_finding_is_a_strict_majority_or_cannot_tell(
    findings: list[str], expected: str
) -> None:
    t = tally([(f, "decline", ["coercion"]) for f in findings])
    assert t.finding == expected
    assert (t.voluntary, t.involuntary, t.cannot_tell) == (
        findings.count("voluntary"), findings.count("involuntary"), findings.count("cannot_tell")
    )  # fmt: skip


def test_the_recommendation_is_the_most_given_and_a_tie_asks_for_more_facts() -> None:
    assert tally([("involuntary", "decline", []), ("involuntary", "decline", []),
                  ("involuntary", "divert", [])]).recommended_outcome == "decline"  # fmt: skip
    assert tally([("involuntary", "decline", []), ("involuntary", "prosecute", [])]
                 ).recommended_outcome == "more_facts"  # fmt: skip


def test_pages_for_member_and_coordinator_render() -> None:
    session, coordinator, members = open_session()
    c = sign_in(Client(), coordinator)
    for url in (reverse("review:roster"), reverse("review:docket", args=[session.pk]),
                reverse("review:session_new"), reverse("review:member_new")):  # fmt: skip
        assert c.get(url).status_code == 200, url
    m = sign_in(Client(), members[0].user)
    for url in (reverse("review:home"), reverse("review:session", args=[session.pk]),
                reverse("review:positions")):  # fmt: skip
        assert m.get(url).status_code == 200, url
    assert (
        sign_in(Client(), members[0].user)
        .get(reverse("review:docket", args=[session.pk]))
        .status_code
        == 403
    )


def test_selling_and_buying_cases_are_not_offered_to_the_panel() -> None:
    panel = panel_case()
    make_case(SELLING)
    make_case(BUYING)
    c = sign_in(Client(), make_user(Role.SUPERVISOR))
    body = c.get(reverse("review:session_new")).content.decode()
    assert panel.number in body
    assert body.count("Q-2017-") == 1
