"""What a lawyer reads on the intake pages: offenses cited and named as a lawyer writes them,
facts said as sentences, no internal names (rule ids, fact keys, catalog statuses), no bracketed
links. Expected strings are written by hand from the Penal Law and the issue's examples."""

from __future__ import annotations

import html
import re
from typing import Any

import pytest
from tests.cases.factories import SELLING, december_rows, make_case
from tests.factories import signed_in_client

from survivors_justice.cases.models import Case

pytestmark = pytest.mark.django_db

UNDER_19 = "PL 2302502"  # promoting prostitution 3rd degree, a person under 19: PL 230.25(2)
INTERNAL = (
    "minor-charged-with-promoting",
    "selling-declined",
    "outside-policy",
    "unrecognised-charge",
    "Decided by rule",
    "Rules checked first",
    "charge.status",
    "charge.role",
    "defendant.minor",
    "cataloged",
    "(indicators.",
    "<https://",
    "&lt;https://",
)


def _page(client: Any, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    text = html.unescape(response.content.decode())
    return re.sub(r"\s+", " ", text)


def _minor_promoter() -> Case:
    rows = [r for r in december_rows() if r["LAW_CODE"] == UNDER_19]
    index = next(i for i, r in enumerate(rows) if r["AGE_GROUP"] == "<18")
    return make_case(UNDER_19, index=index)


def _sex_trafficking_without_description() -> Case:
    """An arrest recorded as PL 230345A with no PD_DESC (the NYPD files carry such codes)."""
    case = make_case(UNDER_19)
    arrest = case.arrest
    arrest.law_code, arrest.pd_desc, arrest.pd_cd = "PL 230345A", "", ""
    arrest.save()
    arrest.charges.update(law_code="PL 230345A", section="230.34", subdivision="5(a)")
    return case


def test_a_code_without_description_is_recorded_with_the_offense_name() -> None:
    case = _sex_trafficking_without_description()
    client, _ = signed_in_client("intake_ada")
    page = _page(client, f"/cases/{case.pk}/")
    assert (
        "Recorded as</dt><dd>PL 230345A: PL 230.34(5)(a) Sex trafficking (fear of physical "
        "injury, serious physical injury or death) (the NYPD record gives no offense "
        "description)</dd>"
    ) in page
    assert "Recorded as</dt><dd>—" not in page
    assert (
        "PL 230345A, read as PL 230.34(5)(a) Sex trafficking (fear of physical injury, serious "
        "physical injury or death), B felony; the law targets people who traffic others"
    ) in page
    assert "230.34(5(a))" not in page
    for name in INTERNAL:
        assert name not in page, name


def test_the_case_page_says_the_facts_as_sentences_and_cites_in_words() -> None:
    case = _minor_promoter()
    client, _ = signed_in_client("intake_ada")
    page = _page(client, f"/cases/{case.pk}/")
    assert "Recorded as</dt><dd>PROSTITUTION 3, PROMOTING UNDER 19 (PL 2302502)</dd>" in page
    assert (
        "PL 2302502, read as PL 230.25(2) Promoting prostitution in the third degree (a person "
        "under 19), D felony; the law targets people who promote or profit from prostitution"
    ) in page
    assert "Survivor's Justice Policy, version" in page
    # the facts the rules read, as sentences
    assert "The charge is a prostitution or trafficking offense in the charge catalog." in page
    assert "The law charged targets people who promote or profit from prostitution." in page
    assert "Is the defendant under 18? Yes." in page
    assert "Was the charged section in force on the arrest date? Yes." in page
    # the policy section and the statute, cited as a lawyer cites them
    assert (
        "Cites Survivor's Justice Policy v2026.3 §case-by-case (Not all sex work is voluntary; "
        "some cases are decided case by case); PL 230.25(2) Promoting prostitution in the third "
        "degree (a person under 19)"
    ) in page
    assert "Queens, precinct 105" in page
    assert "230.25(2))" not in page.replace("under 19))", "")
    for name in INTERNAL:
        assert name not in page, name


def test_the_queue_names_offenses_and_asks_unknown_facts_as_questions() -> None:
    make_case(SELLING)
    make_case("PL 2300400")
    client, _ = signed_in_client("intake_ada")
    page = _page(client, "/cases/intake/")
    assert "PL 2300000, read as PL 230.00 Prostitution, B misdemeanor; the law targets people " \
        "who sell sex" in page
    assert "Was force used to control anyone in the case?" in page
    for name in INTERNAL:
        assert name not in page, name
