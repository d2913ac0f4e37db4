"""CPL 30.30 readiness deadlines, with every expected date counted by hand on a calendar."""

from __future__ import annotations

from datetime import date

import pytest

from survivors_justice.law.speedy_trial import (
    SpeedyTrialError,
    add_months,
    load_periods,
    period_for,
    periods_from_mapping,
    readiness_deadline,
    top_class,
)

URL = "https://www.nysenate.gov/legislation/laws/CPL/30.30"


def test_felony_is_six_calendar_months() -> None:
    d = readiness_deadline("D felony", date(2017, 12, 5))
    assert (d.deadline, d.months, d.days) == (date(2018, 6, 5), 6, None)
    assert (d.offense_class, d.citation, d.source_url) == ("felony", "CPL 30.30(1)(a)", URL)
    assert d.period == "six months"


@pytest.mark.parametrize(
    ("arrest", "deadline"),
    [
        (date(2017, 8, 31), date(2018, 2, 28)),  # February has no 31st: its last day
        (date(2019, 8, 31), date(2020, 2, 29)),  # leap year
        (date(2017, 8, 29), date(2018, 2, 28)),
        (date(2017, 12, 31), date(2018, 6, 30)),  # June has 30 days
        (date(2017, 9, 30), date(2018, 3, 30)),  # a shorter start month keeps its day
        (date(2017, 7, 31), date(2018, 1, 31)),  # across the year end
        (date(2020, 2, 29), date(2020, 8, 29)),
    ],
)
def test_six_months_at_month_ends(arrest: date, deadline: date) -> None:
    assert readiness_deadline("B felony", arrest).deadline == deadline


def test_class_a_misdemeanor_is_90_days() -> None:
    # 2017-12-05 + 90: 26 days left in December, 31 in January, 28 in February -> 85 on 28 Feb,
    # 5 more -> 5 March 2018.
    d = readiness_deadline("A misdemeanor", date(2017, 12, 5))
    assert (d.deadline, d.days, d.months) == (date(2018, 3, 5), 90, None)
    assert (d.offense_class, d.citation) == ("A misdemeanor", "CPL 30.30(1)(b)")


def test_class_b_misdemeanor_is_60_days() -> None:
    # 2017-12-22 + 60: 9 days to 31 Dec, 31 in January (40), 20 more -> 20 February 2018.
    d = readiness_deadline("B misdemeanor", date(2017, 12, 22))
    assert (d.deadline, d.days) == (date(2018, 2, 20), 60)
    assert d.citation == "CPL 30.30(1)(c)"


def test_violation_is_30_days() -> None:
    # 2016-02-15 + 30 in a leap year: 14 days to 29 Feb, 16 more -> 16 March 2016.
    d = readiness_deadline("violation", date(2016, 2, 15))
    assert (d.deadline, d.days, d.citation) == (date(2016, 3, 16), 30, "CPL 30.30(1)(d)")
    assert d.days_left(date(2016, 3, 1)) == 15
    assert d.days_left(date(2016, 3, 20)) == -4


@pytest.mark.parametrize(
    "spelling", ["felony", "A-I felony", "A-II felony", "E felony", "class c felony", "D Felony"]
)
def test_every_felony_spelling_counts_six_months(spelling: str) -> None:
    assert readiness_deadline(spelling, date(2018, 1, 10)).deadline == date(2018, 7, 10)


def test_unplaceable_class_is_refused_with_what_to_give() -> None:
    with pytest.raises(SpeedyTrialError, match=r"'unclassified misdemeanor'.*over three months"):
        readiness_deadline("unclassified misdemeanor", date(2018, 1, 1))
    with pytest.raises(SpeedyTrialError, match="must be a date"):
        readiness_deadline("violation", "2018-01-01")  # type: ignore[arg-type]


def test_top_class_orders_felony_a_b_violation() -> None:
    assert top_class(["violation", "B misdemeanor", "A misdemeanor"]) == "A misdemeanor"
    assert top_class(["A misdemeanor", "E felony", "violation"]) == "E felony"
    assert top_class(["E felony", "B felony", "D felony"]) == "B felony"
    assert top_class(["violation", "B misdemeanor"]) == "B misdemeanor"
    assert top_class(["violation"]) == "violation"
    assert top_class([]) is None
    assert top_class(["", "  "]) is None


def test_add_months_by_hand() -> None:
    assert add_months(date(2018, 1, 31), 1) == date(2018, 2, 28)
    assert add_months(date(2018, 11, 15), 2) == date(2019, 1, 15)


def test_every_catalog_class_has_a_period() -> None:
    from survivors_justice.law import load_catalog

    for entry in load_catalog().entries:
        readiness_deadline(entry.offense_class, date(2017, 12, 1))


def test_packaged_periods_are_dated_and_sourced() -> None:
    periods = load_periods()
    assert [(p.offense_class, p.months, p.days) for p in periods] == [
        ("felony", 6, None),
        ("A misdemeanor", None, 90),
        ("B misdemeanor", None, 60),
        ("violation", None, 30),
    ]
    assert all(p.source_url == URL for p in periods)


def test_a_later_version_applies_from_its_date() -> None:
    base = [
        {"class": g, "days": 30, "citation": "x", "source_url": URL}
        for g in ("felony", "A misdemeanor", "B misdemeanor")
    ]
    periods = periods_from_mapping(
        {
            "periods": [
                *base,
                {
                    "class": "violation",
                    "days": 30,
                    "citation": "old",
                    "source_url": URL,
                    "in_force_to": "2019-12-31",
                },
                {
                    "class": "violation",
                    "days": 45,
                    "citation": "new",
                    "source_url": URL,
                    "in_force_from": "2020-01-01",
                },
            ]
        }
    )
    assert [(p.citation, p.days) for p in periods if p.offense_class == "violation"] == [
        ("old", 30),
        ("new", 45),
    ]
    assert period_for("violation", date(2019, 12, 31), periods).days == 30
    assert period_for("violation", date(2020, 1, 1), periods).days == 45


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "'periods' list"),
        ({"periods": [{"class": "felony", "days": 1, "months": 1}]}, "exactly one"),
        ({"periods": [{"class": "misdemeanor", "days": 1}]}, "'class' must be one of"),
        ({"periods": [{"class": "felony", "days": -3}]}, "positive whole number"),
    ],
)
def test_malformed_periods_name_the_field(data: object, message: str) -> None:
    with pytest.raises(SpeedyTrialError, match=message):
        periods_from_mapping(data)
