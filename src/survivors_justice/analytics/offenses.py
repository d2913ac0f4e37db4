"""Which arrests are prostitution-related, and the role the charge gives the person.

Uses the charge catalog (``survivors_justice.law``): the charge is resolved on the arrest date, so
a repealed section (PL 240.37 after 2021-02-02) still counts for arrests made while it stood.
"""

from __future__ import annotations

from enum import StrEnum

import polars as pl

from survivors_justice.analytics.errors import UnknownDimensionError


class Offenses(StrEnum):
    PROSTITUTION = "prostitution"  # Penal Law article 230 and 240.37 (cataloged or look-alike)
    ALL = "all"


def role_lookup(frame: pl.LazyFrame | pl.DataFrame) -> pl.DataFrame:
    """One row per distinct (law_code, pd_cd, arrest_date) of a cleaned frame with its
    ``section``, ``charge_status``, ``family``, ``role`` and ``prostitution_related``."""
    keys = ["law_code", "pd_cd", "arrest_date"]
    from survivors_justice.law import load_catalog

    distinct = frame.lazy().select(keys).unique()
    resolved = load_catalog().resolve_frame(distinct, law_code="law_code", pd_cd="pd_cd",
                                            on="arrest_date")
    status = pl.col("charge_status")
    labour = (pl.col("family") == "labor_trafficking") | pl.col("section").fill_null("") \
        .str.starts_with("135")
    return resolved.select(
        *keys,
        "section",
        "charge_status",
        "family",
        pl.when(status == "cataloged").then(pl.col("role"))
        .when(status == "unknown").then(pl.lit("unknown_charge"))
        .otherwise(pl.lit("outside")).alias("role"),
        ((status != "outside") & ~labour.fill_null(False)).alias("prostitution_related"),
    ).collect()


def add_roles(frame: pl.LazyFrame | pl.DataFrame) -> pl.LazyFrame:
    """Add ``role`` (seller, buyer, promoter, trafficker, premises, ``unknown_charge`` for an
    article-230-like code not in the catalog, ``outside`` for any other charge), ``family`` and
    ``prostitution_related`` (Boolean) to a cleaned arrest frame.

    Each distinct (law code, PD code, date) is resolved once in the catalog and joined back.
    """
    lookup = role_lookup(frame)
    return frame.lazy().join(lookup.lazy(), on=["law_code", "pd_cd", "arrest_date"],
                             how="left", nulls_equal=True, maintain_order="left")


def select_offenses(frame: pl.LazyFrame, offenses: Offenses | str) -> pl.LazyFrame:
    """Keep the arrests the report is about (``prostitution`` or ``all``)."""
    try:
        which = Offenses(offenses)
    except ValueError:
        raise UnknownDimensionError(
            f"offenses {offenses!r} is not one of {[o.value for o in Offenses]}") from None
    if which is Offenses.ALL:
        return frame
    return frame.filter(pl.col("prostitution_related"))
