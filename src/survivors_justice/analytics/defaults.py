"""The report's default thresholds, in a module light enough for the `sj` command to import.

``MIN_COUNT``: a figure resting on fewer arrests is marked unstable (the National Center for
Health Statistics rule of 20). ``DEFAULT_THRESHOLD``: a public cell under this count is
suppressed.
"""

from __future__ import annotations

MIN_COUNT = 20
DEFAULT_THRESHOLD = 11
