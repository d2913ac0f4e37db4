"""Errors of the analytics package: one class per failure, each message names the bad value."""

from __future__ import annotations


class AnalyticsError(Exception):
    """Base class: every failure of a disparity report."""


class SourceColumnsError(AnalyticsError):
    """An arrest file or frame lacks columns the report needs."""


class SourceShapeError(AnalyticsError):
    """An arrest file is empty, has no rows, or has a row with the wrong number of fields."""


class UnknownGroupError(AnalyticsError):
    """A group name (for example a `--reference` value) that the chosen breakdown does not have."""


class UnknownDimensionError(AnalyticsError):
    """A breakdown or geography name that is not supported."""


class MissingColumnError(AnalyticsError):
    """A breakdown needs a column the arrests do not carry (for example `outcome`)."""


class ReferenceDataError(AnalyticsError):
    """A reference file (census, ACS, boundaries) is missing or not in the expected shape."""


class SuppressionError(AnalyticsError):
    """The public-export suppression could not protect every small cell."""
