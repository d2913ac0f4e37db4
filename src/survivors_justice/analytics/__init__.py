"""Disparity and policy-impact analytics on arrest data (framework-free: Polars, no Django).

Entry points for the CLI and the web dashboard are in :mod:`survivors_justice.analytics.report`:
``prepare_arrests`` (NYPD CSV path or store frame -> cleaned, placed frame) and
``build_report`` (-> :class:`~survivors_justice.analytics.report.DisparityReport`).
"""
