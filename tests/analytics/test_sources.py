"""Sources: NYPD spellings, store-shaped frames (SOGI never imputed) and clear errors."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from survivors_justice.analytics.errors import (
    MissingColumnError,
    SourceColumnsError,
    UnknownGroupError,
)
from survivors_justice.analytics.groups import Dimension, GeoLevel
from survivors_justice.analytics.measures import disparity_table
from survivors_justice.analytics.report import ReportOptions, build_report, prepare_arrests
from survivors_justice.analytics.source import clean_arrests


def _store_rows() -> pl.DataFrame:
    """Rows as the lead's store hands them over: lower-case names, race codes, SOGI fields."""
    return pl.DataFrame({
        "arrest_date": [date(2017, 12, 2), date(2017, 12, 3), date(2017, 12, 4)],
        "pd_cd": ["", "", ""],
        "law_code": ["PL 2300000", "PL 2300400", "PL 2300000"],
        "borough": ["Q", "Q", "K"],
        "precinct": [109, 109, 60],
        "age_group": ["25-44", "45-64", "18-24"],
        "sex_recorded": ["F", "M", "F"],
        "race": ["asian_pacific_islander", "white_hispanic", "black"],
        "latitude": [40.7596, None, None],
        "longitude": [-73.8303, None, None],
        "outcome": ["decline", "prosecute", "decline"],
        "sexual_orientation": ["not_recorded", "", "bisexual"],
        "gender_identity": ["transgender woman", "not_recorded", None],
    })


def test_store_rows_feed_the_same_measures():
    prepared = prepare_arrests(_store_rows(), screen=True)
    assert prepared.frame["race_group"].to_list() == ["asian_pacific_islander", "hispanic",
                                                      "black"]
    assert prepared.frame["borough"].to_list() == ["Queens", "Queens", "Brooklyn"]
    assert prepared.frame["outcome"].to_list() == ["decline", "prosecute", "decline"]
    so = disparity_table(prepared.frame, by=Dimension.SEXUAL_ORIENTATION)
    counts = {r["group"]: r["count"] for r in so.iter_rows(named=True)}
    assert counts == {"all": 3, "not_recorded": 2, "bisexual": 1}
    gi = disparity_table(prepared.frame, by=Dimension.GENDER_IDENTITY)
    assert {r["group"]: r["count"] for r in gi.iter_rows(named=True)} == {
        "all": 3, "not_recorded": 2, "transgender woman": 1}
    report = build_report(prepared, ReportOptions(by=Dimension.OUTCOME))
    assert {r["group"]: r["count"] for r in report.rows.iter_rows(named=True)
            if r["count"]} == {"all": 3, "decline": 2, "prosecute": 1}


def test_both_nypd_race_spellings_map_to_the_same_groups():
    labels = ["ASIAN/PAC.ISL", "ASIAN / PACIFIC ISLANDER", "AMER IND",
              "AMERICAN INDIAN/ALASKAN NATIVE", "WHITE HISPANIC", "BLACK HISPANIC", "OTHER",
              "UNKNOWN", ""]
    frame = pl.DataFrame({
        "ARREST_DATE": ["01/02/2016"] * len(labels), "PD_CD": [""] * len(labels),
        "LAW_CODE": ["PL 2300000"] * len(labels), "ARREST_BORO": ["M"] * len(labels),
        "ARREST_PRECINCT": ["14"] * len(labels), "AGE_GROUP": ["25-44"] * len(labels),
        "PERP_SEX": ["F"] * len(labels), "PERP_RACE": labels,
        "Latitude": [""] * len(labels), "Longitude": [""] * len(labels)})
    got = clean_arrests(frame).collect()["race_group"].to_list()
    assert got == ["asian_pacific_islander", "asian_pacific_islander",
                   "american_indian_alaska_native", "american_indian_alaska_native",
                   "hispanic", "hispanic", "other", "unknown", "unknown"]


def test_older_file_with_newer_labels_reads(dec2017):
    prepared = prepare_arrests(dec2017.parent / "prostitution-arrests-2006-2016.csv",
                               screen=False)
    assert prepared.frame.height == 41_701
    assert prepared.period == "2006-01 to 2016-12"
    table = disparity_table(prepared.frame, geo=GeoLevel.CITY)
    black = table.filter(pl.col("group") == "black").row(0, named=True)
    assert black["count"] == 17_019 and black["rri"] > 1


def test_errors_name_the_bad_value(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("ARREST_KEY,LAW_CODE\n1,PL 2300000\n", encoding="utf-8")
    with pytest.raises(SourceColumnsError, match="ARREST_DATE"):
        prepare_arrests(bad)
    prepared = prepare_arrests(_store_rows().drop("outcome"), screen=False)
    with pytest.raises(MissingColumnError, match="outcome"):
        disparity_table(prepared.frame, by=Dimension.OUTCOME)
    with pytest.raises(UnknownGroupError, match="'purple'"):
        disparity_table(prepared.frame, reference="purple")


def test_db_option_reports_on_registered_store_rows(tmp_path, monkeypatch):
    from survivors_justice.analytics import cli as cli_mod

    monkeypatch.setattr(cli_mod, "_store_loader", None)
    from typer.testing import CliRunner

    result = CliRunner().invoke(cli_mod.app, ["disparities", "--db", "--format", "json"])
    assert result.exit_code == 2 and "case store" in result.output
    cli_mod.register_store_source(_store_rows)
    out = tmp_path / "sogi.html"
    result = CliRunner().invoke(cli_mod.app, ["disparities", "--db", "--by", "sexual_orientation",
                                              "--format", "html", "-o", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "Sexual orientation (self-reported)" in text and "Not recorded" in text
    assert "bisexual" in text
