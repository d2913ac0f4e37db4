"""The de-identified packet: distinctive values in every personal field never reach it."""

from __future__ import annotations

import json
from datetime import date

import pytest
from tests.cases.factories import SELLING, make_case
from typer.testing import CliRunner

from survivors_justice.cli import app as sj
from survivors_justice.review.packets import build_packet
from survivors_justice.review.redaction import age_band, month_of, redact
from survivors_justice.screening.services import screen_case

# Distinctive values, one per personal field, and the forms people write them in.
GIVEN, FAMILY = "Zephyrine", "Okonkwo-Llewellyn"
DOB = "1994-07-23"
ADDRESS = "87-21 Parsons Boulevard, Apartment 6K"
PHONE = "(347) 555-0142"
EMAIL = "zephy.ok94@example.net"
NARRATIVE = (
    f"Zephyrine Okonkwo-Llewellyn (born 07/23/1994, also written July 23, 1994) told the "
    f"officer she lives at 87-21 Parsons Boulevard, Apartment 6K, and can be reached at "
    f"347.555.0142 or {EMAIL}. Ms. Okonkwo-Llewellyn said a man called Dmitri took her phone "
    f"on 11/30/2017. Her friend's number is 718 555 0199; her ID number is 4471129983."
)


def _case() -> object:
    case = make_case(SELLING, given_name=GIVEN, family_name=FAMILY)
    p = case.defendant
    p.date_of_birth, p.address, p.phone, p.email, p.narrative = (
        DOB,
        ADDRESS,
        PHONE,
        EMAIL,
        NARRATIVE,
    )
    p.save()
    screen_case(case_id=case.pk, actor="test")
    return case


def _forbidden(case: object) -> list[str]:
    arrest = case.arrest  # type: ignore[attr-defined]
    return [
        GIVEN, FAMILY, "Okonkwo", "Llewellyn", DOB, "07/23/1994", "July 23, 1994", "1994",
        "87-21", "Parsons", "Apartment 6K", "555-0142", "555.0142", "3475550142", EMAIL, "zephy",
        "4471129983", "718 555 0199", "11/30/2017",
        case.number, arrest.arrest_key, arrest.arrest_key.split("-")[0],  # type: ignore[attr-defined]
        arrest.arrest_date.isoformat(), arrest.arrest_date.strftime("%m/%d/%Y"),
        f"precinct {arrest.precinct}",
    ]  # fmt: skip


@pytest.mark.django_db
def test_a_packet_holds_none_of_the_case_personal_values() -> None:
    case = _case()
    packet = build_packet(case)  # type: ignore[arg-type]
    text = json.dumps(packet, ensure_ascii=False)
    leaks = [v for v in _forbidden(case) if v.lower() in text.lower()]
    assert leaks == []
    arrest = case.arrest  # type: ignore[attr-defined]
    assert packet["arrest_month"] == "December 2017"
    assert (
        packet["borough"]
        == {
            "Q": "Queens",
            "K": "Brooklyn",
            "M": "Manhattan",
            "B": "the Bronx",
            "S": "Staten Island",
        }[arrest.borough]
    )
    assert packet["age_band"] in {"under 18", "18-24", "25-44", "45-64", "65 or older"}
    assert packet["charges"][0]["law_code"] == SELLING
    assert "Dmitri" in packet["narrative"]  # a third person's name is not the office's to know
    assert "[name]" in packet["narrative"] and "[date of birth]" in packet["narrative"]


@pytest.mark.django_db
def test_sj_panel_packet_prints_the_same_packet_by_case_number_or_arrest_key() -> None:
    case = _case()
    runner = CliRunner()
    by_number = runner.invoke(sj, ["panel", "packet", case.number, "--json"])  # type: ignore[attr-defined]
    assert by_number.exit_code == 0, by_number.output
    by_key = runner.invoke(sj, ["panel", "packet", case.arrest.arrest_key, "--json"])  # type: ignore[attr-defined]
    assert json.loads(by_number.output) == json.loads(by_key.output) == build_packet(case)  # type: ignore[arg-type]
    assert not [v for v in _forbidden(case) if v.lower() in by_number.output.lower()]
    missing = runner.invoke(sj, ["panel", "packet", "NYPD-1"])
    assert missing.exit_code == 2
    assert "no case 'NYPD-1'" in missing.output


def test_redaction_catches_values_in_every_common_form() -> None:
    r = redact(
        "Call Ana at +1 (212) 555-0100, ana@x.org; born 3 March 2001; seen 2017-12-02.",
        {"name": ["Ana Ruiz"], "phone": ["212-555-0100"], "date_of_birth": ["2001-03-03"]},
    )
    assert r.text == "Call [name] at [phone], [email]; born [date of birth]; seen [date]."
    assert r.removed == {"name": 1, "phone": 1, "email": 1, "date_of_birth": 1, "date": 1}


@pytest.mark.parametrize(
    ("age", "group", "band"),
    [(15, None, "under 18"), (17, None, "under 18"), (18, None, "18-24"), (44, None, "25-44"),
     (65, None, "65 or older"), (None, "<18", "under 18"), (None, "65+", "65 or older"),
     (None, None, "unknown")],
)  # fmt: skip
def test_ages_become_bands(age: int | None, group: str | None, band: str) -> None:
    assert age_band(age, group) == band


def test_dates_become_months() -> None:
    assert month_of(date(2017, 12, 22)) == "December 2017"
    assert month_of(None) == "unknown"
