"""Acceptance on the real NYPD files: the policy does what the office promised."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest

from survivors_justice.law import Catalog
from survivors_justice.policy import Policy, evaluate, screen_frame

from .conftest import RELATED

DECIDED = date(2026, 11, 28)


@pytest.fixture(scope="module")
def screened(policy: Policy, catalog: Catalog, december: pl.LazyFrame) -> pl.DataFrame:
    return screen_frame(policy, december, catalog=catalog, decision_date=DECIDED).collect()


@pytest.fixture(scope="module")
def screened_history(policy: Policy, catalog: Catalog, history: pl.LazyFrame) -> pl.DataFrame:
    return screen_frame(policy, history, catalog=catalog, decision_date=DECIDED).collect()


def test_one_decision_per_arrest_in_file_order(
    screened: pl.DataFrame, december: pl.LazyFrame
) -> None:
    keys = december.select("ARREST_KEY").collect()["ARREST_KEY"]
    assert screened["ARREST_KEY"].to_list() == keys.to_list()
    assert screened["outcome"].null_count() == 0
    assert screened["rule_id"].null_count() == 0


def test_every_selling_sex_arrest_is_declined(screened: pl.DataFrame) -> None:
    sellers = screened.filter(pl.col("role") == "seller")
    assert sellers.height > 0
    assert set(sellers["outcome"]) == {"decline"}
    loitering = screened.filter(pl.col("section") == "240.37")
    assert loitering.height > 0 and loitering["seal"].all()
    assert set(loitering["rule_id"]) == {"loitering-after-repeal"}


def test_no_buyer_promoter_or_trafficker_is_declined(screened: pl.DataFrame) -> None:
    others = screened.filter(pl.col("role").is_in(["buyer", "promoter", "trafficker", "premises"]))
    assert others.height > 0
    assert "decline" not in set(others["outcome"])
    assert set(others.filter(pl.col("role") == "trafficker")["outcome"]) <= {
        "prosecute_priority",
        "panel_review",
    }


def test_every_prostitution_related_arrest_gets_a_rule_and_a_citation(
    policy: Policy, screened: pl.DataFrame
) -> None:
    related = screened.filter(pl.col("LAW_CODE").str.contains(RELATED))
    assert related.height == 160  # the README's count for this file
    assert "outside_policy" not in set(related["outcome"])
    for rule_id in set(related["rule_id"]):
        rule = policy.rule_by_id[rule_id]
        assert rule.cites and all(policy.citation(c) for c in rule.cites)
    rest = screened.filter(~pl.col("LAW_CODE").str.contains(RELATED))
    assert set(rest["outcome"]) == {"outside_policy"}


def test_the_batch_and_per_case_evaluators_agree_on_every_related_arrest(
    policy: Policy, catalog: Catalog, screened: pl.DataFrame
) -> None:
    related = screened.filter(pl.col("LAW_CODE").str.contains(RELATED))
    for row in related.iter_rows(named=True):
        decision = evaluate(
            policy,
            {
                "decision_date": DECIDED.isoformat(),
                "charges": [
                    {
                        "law_code": row["LAW_CODE"],
                        "pd_cd": row["PD_CD"],
                        "arrest_date": row["ARREST_DATE"],
                    }
                ],
                "defendant": {"age_group": row["AGE_GROUP"]},
            },
            catalog=catalog,
        )
        charge = decision.charges[0]
        assert (charge.outcome.value, charge.rule_id, list(charge.missing_facts)) == (
            row["outcome"],
            row["rule_id"],
            row["missing_facts"],
        ), row["ARREST_KEY"]
        assert charge.citations


def test_eleven_years_of_prostitution_arrests(screened_history: pl.DataFrame) -> None:
    """2006-2016: sellers and loiterers declined, loitering sealed, nobody else declined."""
    s = screened_history
    assert s.height == 41_701
    assert set(s.filter(pl.col("role") == "seller")["outcome"]) == {"decline"}
    assert s.filter(pl.col("section") == "240.37")["seal"].all()
    assert "decline" not in set(s.filter(pl.col("role") != "seller")["outcome"])
    # PL 230.03 was patronizing before 1 November 2007 and prostitution in a school zone after.
    school = s.filter(pl.col("section") == "230.03").with_columns(
        pl.col("ARREST_DATE").str.to_date("%m/%d/%Y").alias("day")
    )
    assert set(school.filter(pl.col("day") < date(2007, 11, 1))["role"]) == {"buyer"}
    assert set(school.filter(pl.col("day") >= date(2007, 11, 1))["role"]) <= {"seller"}


def test_deduplicated_screening_equals_row_by_row_screening(
    policy: Policy, catalog: Catalog, history: pl.LazyFrame, screened_history: pl.DataFrame
) -> None:
    from survivors_justice.policy.batch import screen_rows

    rows = screen_rows(policy, history, catalog=catalog, decision_date=DECIDED).collect()
    columns = ["section", "subdivision", "role", "rule_id", "outcome", "missing_facts", "seal"]
    assert rows.select(columns).equals(screened_history.select(columns))


def test_typed_frames_without_optional_columns_screen_too(
    policy: Policy, catalog: Catalog, december: pl.LazyFrame, screened: pl.DataFrame
) -> None:
    typed = december.select("ARREST_KEY", "LAW_CODE", pl.col("ARREST_DATE").str.to_date("%m/%d/%Y"))
    result = screen_frame(policy, typed, catalog=catalog, decision_date=DECIDED).collect()
    # Without PD_CD and AGE_GROUP, the age is unknown: promoters' missing facts grow, and
    # outcomes never move toward decline.
    assert result["outcome"].to_list() != [] and result.height == screened.height
    sellers = result.filter(pl.col("role") == "seller")
    assert set(sellers["outcome"]) == {"decline"}
    promoters = result.filter(pl.col("role") == "promoter")
    assert all("defendant.minor" in m for m in promoters["missing_facts"].to_list())


def test_the_wide_key_fallback_gives_the_same_decisions(
    policy: Policy,
    catalog: Catalog,
    december: pl.LazyFrame,
    screened: pl.DataFrame,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When a 16-bit code space is full, screening falls back to two u64 keys."""
    from survivors_justice.policy import batch

    monkeypatch.setattr(batch, "_room_for_codes", lambda: False)
    wide = screen_frame(policy, december, catalog=catalog, decision_date=DECIDED).collect()
    columns = ["ARREST_KEY", "section", "role", "rule_id", "outcome", "missing_facts", "seal"]
    assert wide.select(columns).equals(screened.select(columns))


def test_screening_a_file_in_small_batches_writes_the_same_csv(
    policy: Policy, catalog: Catalog, tmp_path: Path
) -> None:
    """Batches share decisions through a cache; the output must not depend on batch size."""
    from survivors_justice.policy.screen import screen_file

    from .conftest import DECEMBER_2017

    one, many = tmp_path / "one.csv", tmp_path / "many.csv"
    a = screen_file(policy, DECEMBER_2017, one, catalog=catalog, decision_date=DECIDED)
    b = screen_file(
        policy, DECEMBER_2017, many, catalog=catalog, decision_date=DECIDED, batch_rows=2_500
    )
    assert one.read_bytes() == many.read_bytes()
    assert a.rows == b.rows == 19_452
    assert a.by_role.equals(b.by_role)
    rows = pl.read_csv(one, infer_schema=False)
    assert rows.filter(pl.col("role") == "buyer")["missing_facts"].null_count() == 0
    assert rows.filter(pl.col("role") == "seller")["missing_facts"].null_count() > 0


def test_values_that_need_quotes_are_quoted(
    policy: Policy, catalog: Catalog, tmp_path: Path
) -> None:
    from survivors_justice.policy.screen import screen_file

    src = tmp_path / "odd.csv"
    src.write_text(
        "ARREST_KEY,ARREST_DATE,PD_CD,LAW_CODE,AGE_GROUP\n"
        '"1,2",12/02/2017,563,PL 2300000,25-44\n'
        '3,12/02/2017,,"PL 12,3",18-24\n'
        "4,12/02/2017,565,PL 2300400,45-64\n"
    )
    out = tmp_path / "out.csv"
    screen_file(policy, src, out, catalog=catalog, decision_date=DECIDED)
    rows = pl.read_csv(out, infer_schema=False)
    assert rows["arrest_key"].to_list() == ["1,2", "3", "4"]
    assert rows["law_code"].to_list() == ["PL 2300000", "PL 12,3", "PL 2300400"]
    assert rows["outcome"].to_list()[0] == "decline"


def test_the_reader_thread_stops_when_screening_stops_early() -> None:
    import threading

    from survivors_justice.policy.screen import _Prefetch

    frames = (pl.DataFrame({"i": [i]}) for i in range(100))
    with _Prefetch(frames, depth=1) as reader:
        assert next(iter(reader))["i"].item() == 0
    assert not [t for t in threading.enumerate() if t.name == "sj-screen-reader"]
    with pytest.raises(RuntimeError, match="set-up failed"), _Prefetch(iter([])):
        raise RuntimeError("set-up failed")  # before the first batch is even asked for
    assert not [t for t in threading.enumerate() if t.name == "sj-screen-reader"]


def test_a_read_error_reaches_the_caller() -> None:
    from survivors_justice.policy.screen import _Prefetch

    def broken() -> Iterator[pl.DataFrame]:
        yield pl.DataFrame({"i": [1]})
        raise OSError("disk gone")

    with _Prefetch(broken()) as prefetch:
        reader = iter(prefetch)
        assert next(reader).height == 1
        with pytest.raises(OSError, match="disk gone"):
            next(reader)
