"""Charts of a disparity report, drawn with matplotlib: inline SVG for the HTML, PNG/SVG files
for print. Every bar carries an SVG id (``bar-<group>``) so a browser test can find it."""

from __future__ import annotations

import io
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: files and strings only

import matplotlib.pyplot as plt
import numpy as np
import shapely
from matplotlib.collections import PolyCollection
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator, FuncFormatter, NullFormatter
from matplotlib.transforms import blended_transform_factory

from survivors_justice.analytics.measures import Z95
from survivors_justice.analytics.reference import Polygons

BLUE = "#1a4480"
LIGHT = "#97b4d9"
GREY = "#71767a"
RED = "#b50909"
plt.rcParams.update({
    "svg.fonttype": "none",  # keep text as text: smaller, searchable, read by screen readers
    "svg.hashsalt": "survivors-justice",  # stable ids: the same data gives the same file
    "font.size": 10,
    "font.family": "DejaVu Sans",
    "axes.spines.top": False,
    "axes.spines.right": False,
})


@dataclass(frozen=True)
class Bar:
    key: str
    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    unstable: bool = False
    note: str = ""


def rate_interval(rate: float, count: int) -> tuple[float, float]:
    """95% interval of a rate from a Poisson count (log method)."""
    if count <= 0:
        return (0.0, 0.0)
    half = Z95 / math.sqrt(count)
    return (rate * math.exp(-half), rate * math.exp(half))


def bar_chart(bars: Sequence[Bar], *, title: str, xlabel: str, highlight: str | None = None,
              log: bool = False, reference_line: float | None = None) -> Figure:
    """Horizontal bars with 95% interval whiskers; unstable bars hatched and pale."""
    shown = [b for b in bars if b.value is not None]
    height = 0.9 + 0.5 * max(1, len(shown))
    fig, ax = plt.subplots(figsize=(7.5, height), layout="constrained")
    ys = np.arange(len(shown))[::-1]
    values = [float(b.value or 0.0) for b in shown] + [1e-9]
    if log:
        lows = [float(b.low or b.value or 1.0) for b in shown if (b.low or b.value)]
        left = min([*lows, 1.0]) / 1.6
        right = max(float(b.high or b.value or 1.0) for b in shown) * 2.5
    else:
        left, right = 0.0, max(values) * 1.7
    for y, bar in zip(ys, shown, strict=True):
        value = float(bar.value or 0.0)
        color = GREY if bar.key == highlight else BLUE
        patch = ax.barh(y, value, color=LIGHT if bar.unstable else color,
                        hatch="//" if bar.unstable else None, edgecolor=color, height=0.62,
                        left=left if log else 0.0)
        if log:
            patch.patches[0].set_width(max(value - left, 0.0))
        patch.patches[0].set_gid(f"bar-{_safe(bar.key)}")
        tip = value
        if bar.low is not None and bar.high is not None:
            high = min(bar.high, right / (1.25 if log else 1.15))
            ax.errorbar(value, y, xerr=[[value - bar.low], [high - value]], fmt="none",
                        ecolor="#1b1b1b", capsize=3, lw=1)
            if high < bar.high:
                ax.annotate("", xy=(high * (1.12 if log else 1.03), y), xytext=(high, y),
                            arrowprops={"arrowstyle": "->", "lw": 1})
            tip = high
        text = f"{value:,.1f}" + ("  unstable" if bar.unstable else "") + bar.note
        ax.text(tip * 1.15 if log else tip + 0.02 * right, y + 0.02, text, va="center",
                fontsize=9)
    ax.set_yticks(ys, [b.label for b in shown])
    ax.set_xlabel(xlabel)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    if log:
        ax.set_xscale("log")
    if reference_line is not None:
        ax.axvline(reference_line, color=RED, lw=1, ls="--")
    ax.set_xlim(left, right)
    return fig


def forest_chart(bars: Sequence[Bar], *, title: str, xlabel: str) -> Figure:
    """Rate ratios as points with 95% CI lines on a log scale; the line at 1 is parity."""
    shown = [b for b in bars if b.value is not None and b.value > 0]
    fig, ax = plt.subplots(figsize=(7.5, 0.9 + 0.5 * max(1, len(shown))), layout="constrained")
    ys = np.arange(len(shown))[::-1]
    for y, bar in zip(ys, shown, strict=True):
        value = float(bar.value or 1.0)
        low, high = float(bar.low or value), float(bar.high or value)
        ax.plot([low, high], [y, y], color="#1b1b1b", lw=1.4)
        (point,) = ax.plot([value], [y], marker="D", ms=8, ls="none",
                           color=LIGHT if bar.unstable else BLUE, markeredgecolor=BLUE)
        point.set_gid(f"point-{_safe(bar.key)}")
        label = f"{value:.1f} ({low:.1f}-{high:.1f})" + ("  unstable" if bar.unstable else "")
        ax.text(1.02, y, label, va="center", fontsize=9,
                transform=blended_transform_factory(ax.transAxes, ax.transData))
    ax.axvline(1.0, color=RED, lw=1, ls="--")
    ax.set_xscale("log")
    ax.xaxis.set_major_locator(FixedLocator([0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}"))
    ax.xaxis.set_minor_formatter(NullFormatter())
    lows = [float(b.low or b.value or 1.0) for b in shown]
    highs = [float(b.high or b.value or 1.0) for b in shown]
    ax.set_xlim(min([*lows, 1.0]) / 1.5, max([*highs, 1.0]) * 1.5)
    ax.set_yticks(ys, [b.label for b in shown])
    ax.set_xlabel(xlabel)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    return fig


def _pad(bars: Sequence[Bar]) -> float:
    return 0.02 * max([float(b.high or b.value or 0) for b in bars] + [1.0])


def _safe(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", key)


def map_chart(values: Mapping[str, float | None], polygons: Polygons, *, title: str,
              label: str, tolerance: float = 0.0004, names: Mapping[str, str] | None = None,
              top: int = 5) -> Figure:
    """Choropleth of ``values`` (polygon key -> value; None/missing drawn grey, hatched); the
    ``top`` highest areas are labelled."""
    fig, ax = plt.subplots(figsize=(7.5, 7.2), layout="constrained")
    known = [v for v in values.values() if v is not None]
    norm = Normalize(vmin=0, vmax=max(known) if known else 1.0)
    cmap = matplotlib.colormaps["Blues"]
    verts: list[np.ndarray] = []
    faces: list[tuple[float, float, float, float]] = []
    hatches_verts: list[np.ndarray] = []
    for key, geom in zip(polygons.keys, polygons.geometries, strict=True):
        simple = shapely.simplify(geom, tolerance)
        parts = list(getattr(simple, "geoms", [simple]))
        value = values.get(key)
        for part in parts:
            ring = np.asarray(part.exterior.coords)
            if value is None:
                hatches_verts.append(ring)
            else:
                verts.append(ring)
                faces.append(cmap(0.12 + 0.88 * float(norm(value))))
    coll = PolyCollection(verts, facecolors=faces, edgecolors="white", linewidths=0.3)
    coll.set_gid("map-areas")
    ax.add_collection(coll)
    if hatches_verts:
        nod = PolyCollection(hatches_verts, facecolors="#dfe1e2", edgecolors="white",
                             linewidths=0.3, hatch="///")
        nod.set_gid("map-no-data")
        ax.add_collection(nod)
    where = dict(zip(polygons.keys, polygons.geometries, strict=True))
    for rank, (key, _value) in enumerate(top_areas(values, top), start=1):
        if key not in where:
            continue
        point = shapely.point_on_surface(where[key])
        mark = ax.annotate(f"{rank}", (point.x, point.y), ha="center", va="center", fontsize=8,
                           fontweight="bold", color="white",
                           bbox={"boxstyle": "circle,pad=0.2", "fc": RED, "ec": "none"})
        mark.set_gid(f"rank-{rank}-{_safe((names or {}).get(key, key))}")
    ax.autoscale_view()
    ax.set_aspect(1 / math.cos(math.radians(40.7)))
    ax.set_axis_off()
    sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
    fig.colorbar(sm, ax=ax, shrink=0.55, label=label, location="bottom", pad=0.01,
                 aspect=35)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    return fig


def top_areas(values: Mapping[str, float | None], top: int = 5) -> list[tuple[str, float]]:
    """The ``top`` areas by value, highest first (the numbered areas of :func:`map_chart`)."""
    ranked = sorted(((v, k) for k, v in values.items() if v), reverse=True)[:top]
    return [(k, v) for v, k in ranked]


def to_svg(fig: Figure, description: str) -> str:
    """The figure as an inline ``<svg>`` element with an accessible name."""
    buf = io.StringIO()
    fig.savefig(buf, format="svg", metadata={"Date": None})  # no timestamp in the file
    plt.close(fig)
    text = buf.getvalue()
    start = text.index("<svg")
    svg = text[start:]
    safe = description.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{safe}" ', 1)


def save(fig: Figure, stem: Path) -> list[Path]:
    """Write ``stem``.png (150 dpi) and ``stem``.svg; returns the paths."""
    stem.parent.mkdir(parents=True, exist_ok=True)
    out = []
    for ext, dpi in (("png", 150), ("svg", 72)):
        path = stem.with_suffix(f".{ext}")
        fig.savefig(path, format=ext, dpi=dpi, metadata={"Date": None} if ext == "svg" else {})
        out.append(path)
    plt.close(fig)
    return out


def close(fig: Figure) -> None:
    plt.close(fig)


def trend_chart(points: Sequence[tuple[str, int | None]], *, title: str, ylabel: str,
                marker: str | None = None, marker_label: str = "") -> Figure:
    """Arrests per month (``YYYY-MM``) as a line; suppressed months (None) are gaps. ``marker``
    (``YYYY-MM`` or ``YYYY-MM-DD``) draws a dashed line there, extending the axis to reach it."""
    months = [m for m, _ in points]
    if marker is not None and months and marker[:7] > months[-1]:
        y, m = (int(p) for p in months[-1].split("-"))
        while f"{y}-{m:02d}" < marker[:7]:
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
            months.append(f"{y}-{m:02d}")
    index = {m: i for i, m in enumerate(months)}
    fig, ax = plt.subplots(figsize=(7.5, 3.4), layout="constrained")
    xs = np.arange(len(points))
    ys = np.array([np.nan if v is None else float(v) for _, v in points])
    (line,) = ax.plot(xs, ys, color=BLUE, lw=1.4)
    line.set_gid("trend-line")
    years = [(i, m[:4]) for m, i in index.items() if m.endswith("-01") or i == 0]
    step = max(1, len(years) // 10)
    ax.set_xticks([i for i, _ in years[::step]], [y for _, y in years[::step]])
    ax.set_xlim(-0.5, max(len(months) - 0.5, 0.5))
    ax.set_ylim(bottom=0)
    ax.set_ylabel(ylabel)
    if marker is not None and marker[:7] in index:
        x = index[marker[:7]] + (int(marker[8:10]) - 1) / 31 if len(marker) >= 10 \
            else index[marker[:7]]
        rule = ax.axvline(x, color=RED, lw=1.2, ls="--")
        rule.set_gid("effective-date")
        ax.text(x, 1.0, f" {marker_label}", color=RED, fontsize=8, va="top", ha="left"
                if x < len(months) * 0.7 else "right",
                transform=blended_transform_factory(ax.transData, ax.transAxes))
    if any(v is None for _, v in points):
        ax.text(0.0, -0.22, "Gaps: months suppressed to protect people.", fontsize=8,
                transform=ax.transAxes)
    fig.suptitle(title, x=0.01, ha="left", fontsize=11, fontweight="bold")
    return fig
