"""The member's packet page: a bounded number of queries whatever the docket, and the packet kept
between reads follows every new screening of the case."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from tests.factories import sign_in
from tests.review.factories import open_session, panel_case

from survivors_justice.cases.facts import record_facts

pytestmark = pytest.mark.django_db

# Session, account, device and training (the middleware and the seat's training rule), the entry,
# the member and their seat and conflicts and their training records once more (the permission
# rule: training can lapse while the member is seated), the member again, their position, the
# latest screening's id, the audited read (head, record, head), whether it is determined, and the
# session's save: 25 on SQLite with its savepoints. The first read of a
# packet in a process loads the screening itself once more, to build it.
PACKET_QUERIES = 25


def test_the_packet_page_costs_the_same_few_queries_for_every_item(
    django_assert_max_num_queries: Any,
) -> None:
    session, _, members = open_session(cases=[panel_case(index=i) for i in range(3)])
    client = sign_in(Client(), members[0].user)
    entries = list(session.docket.all())
    for entry in entries:
        with django_assert_max_num_queries(PACKET_QUERIES + 1):
            assert client.get(f"/panel/packets/{entry.pk}/").status_code == 200
        with django_assert_max_num_queries(PACKET_QUERIES):
            assert client.get(f"/panel/packets/{entry.pk}/").status_code == 200


def test_a_kept_packet_follows_a_new_screening_of_the_case() -> None:
    session, coordinator, members = open_session()
    entry = session.docket.get()
    client = sign_in(Client(), members[0].user)
    before = client.get(f"/panel/packets/{entry.pk}/").content.decode()
    assert "indicators.force: yes" not in before
    record_facts(
        actor=coordinator, case=entry.case, answers={"indicators.force": True}, source="interview"
    )
    after = client.get(f"/panel/packets/{entry.pk}/").content.decode()
    assert "indicators.force: yes" in after
