"""Public export: small-cell suppression with complementary suppression that cannot be undone.

The published table is a cube of counts, place x stratum x group, with every margin published:
each place's total over groups, each parent place (borough, city) as the sum of its children,
and, when the table is stratified, the total over strata. Every such margin is a linear equation
an attacker can use.

Rule (written into the report, see :data:`RULE`):

1. *Primary*: every count from 1 to ``threshold - 1`` (default 10) is suppressed. Zeros are shown.
2. *Complementary*: a total with exactly one suppressed cell gives it away, so each such total
   gets a second suppressed cell (an inner cell before a total, one that closes a cycle with
   another suppressed cell before one that does not, then the smallest non-zero count). Then the
   exact check: a suppressed count x_c can be solved from the published counts and totals iff
   e_c lies in the row space of the totals' equations restricted to the suppressed cells (numpy
   SVD, per connected group of suppressed cells). Any such cell gets another partner, and the
   two steps repeat until no suppressed count can be solved.
3. *Protection interval*: a reader who knows every published count and total, that zeros are
   shown (so a suppressed count is at least 1) and that a suppressed count is at most any
   published total it adds up into, must not be able to narrow any suppressed count to a range
   narrower than the threshold: by linear programming (scipy's HiGHS) the largest and smallest
   values each suppressed count can take are at least ``threshold`` apart (11 by default). A
   count whose range is narrower gets a further partner (one with room to move the whole width
   first), and the check repeats. Zeros are never suppressed, so the "at least 1" bound holds.
   Why this width: a range as wide as the threshold leaves every suppressed count as uncertain
   as the primary rule intends (a cell of 1 to 10 could be any of 11 or more values), where a
   range such as [7, 9] would all but publish it.
4. Rates, shares, RRIs and intervals that would reveal a suppressed count are not shown.

Tables published together (every table of one report) are suppressed as one cube
(:func:`protect_many`): a cell two tables share is hidden in both or in neither.

Suppressed counts are never zero, and each can move up and down by at least the threshold
without breaking any total or any bound a reader knows: an attacker with all published figures,
even using linear programming, is left with a range at least that wide
(tests/analytics/test_suppression_attack.py).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl

from survivors_justice.analytics.defaults import DEFAULT_THRESHOLD
from survivors_justice.analytics.errors import SuppressionError
from survivors_justice.analytics.groups import ALL

RULE: tuple[str, ...] = (
    "Counts from 1 to {t1} are suppressed (shown as “suppressed”); zeros are shown.",
    "Further counts are suppressed (complementary suppression) until no suppressed count can be "
    "worked out from the published counts and totals: each place's total, each borough's and the "
    "city's totals, and each group's totals. This is checked by solving the totals' equations, "
    "and tested by an attacker that uses linear programming.",
    "Protection: even knowing every published count and total, that each suppressed count is at "
    "least 1 and at most any published total it adds up into, nobody can narrow a suppressed "
    "count to a range narrower than {t}: its largest and smallest possible values are at least "
    "{t} apart. Every suppressed count is checked this way by linear programming before "
    "anything is published.",
    "Rates, shares and rate ratios that would reveal a suppressed count are not shown.",
    "Every table of this report is protected together: a count hidden in one table is hidden "
    "in every table that shows it.",
    "Public files carry no arrest key, no date finer than a month and no coordinates.",
)


def rule_text(threshold: int = DEFAULT_THRESHOLD) -> list[str]:
    """The suppression rule in plain language, for a report or a public page."""
    return [r.format(t1=threshold - 1, t=protection_width(threshold)) for r in RULE]


@dataclass(frozen=True)
class Cube:
    """Counts of a table and its margins, with the equations tying them.

    ``keys[i]`` is (geo, stratum, group) of ``counts[i]``; each equation is (parent index,
    child indices) meaning counts[parent] == sum(counts[children]).
    """

    keys: tuple[tuple[str, str, str], ...]
    counts: np.ndarray
    equations: tuple[tuple[int, tuple[int, ...]], ...]

    def matrix(self) -> np.ndarray:
        a = np.zeros((len(self.equations), len(self.keys)))
        for row, (parent, children) in enumerate(self.equations):
            a[row, parent] = 1.0
            a[row, list(children)] = -1.0
        return a


def build_cube(cells: pl.DataFrame, geo_parent: dict[str, str]) -> Cube:
    """A cube from rows with ``geo``, ``stratum``, ``group``, ``count``.

    ``cells`` must hold every margin: group ``all`` per place and stratum, stratum ``all`` per
    place and group when strata other than ``all`` exist, and every parent place of
    ``geo_parent`` (child -> parent). Raises :class:`SuppressionError` when a margin is missing.
    """
    keys = tuple((str(g), str(s), str(k)) for g, s, k in
                 cells.select("geo", "stratum", "group").iter_rows())
    index = {k: i for i, k in enumerate(keys)}
    if len(index) != len(keys):
        raise SuppressionError("the table has duplicate (geo, stratum, group) rows; give one "
                               "row per cell")
    counts = cells["count"].to_numpy().astype(np.int64)
    geos = sorted({k[0] for k in keys})
    strata = sorted({k[1] for k in keys})
    groups = sorted({k[2] for k in keys})
    eqs: list[tuple[int, tuple[int, ...]]] = []

    def need(key: tuple[str, str, str]) -> int:
        if key not in index:
            raise SuppressionError(f"margin cell {key} is missing from the table; include every "
                                   "total before suppressing")
        return index[key]

    for geo in geos:
        for stratum in strata:
            kids = tuple(index[(geo, stratum, g)] for g in groups
                         if g != ALL and (geo, stratum, g) in index)
            if kids:
                eqs.append((need((geo, stratum, ALL)), kids))
        if len(strata) > 1:
            for group in groups:
                kids = tuple(index[(geo, s, group)] for s in strata
                             if s != ALL and (geo, s, group) in index)
                if kids:
                    eqs.append((need((geo, ALL, group)), kids))
    children: dict[str, list[str]] = {}
    for child, parent in geo_parent.items():
        if child in geos:
            children.setdefault(parent, []).append(child)
    for parent, kids_geo in children.items():
        for stratum in strata:
            for group in groups:
                kids = tuple(index[(c, stratum, group)] for c in kids_geo
                             if (c, stratum, group) in index)
                if kids:
                    eqs.append((need((parent, stratum, group)), kids))
    return Cube(keys, counts, tuple(eqs))


def solvable(matrix: np.ndarray, suppressed: np.ndarray) -> np.ndarray:
    """Which suppressed cells the published margins pin down exactly (Boolean, all cells).

    x_c is pinned iff e_c lies in the row space of the equations restricted to the suppressed
    cells (then some combination of published totals equals x_c). Cells that share no equation
    are independent, so each connected group of suppressed cells is solved on its own.
    """
    out = np.zeros(matrix.shape[1], dtype=bool)
    cols = np.flatnonzero(suppressed)
    if cols.size == 0:
        return out
    sub = matrix[:, cols]
    sub = sub[np.any(sub != 0, axis=1)]
    for members in _components(sub):
        block = sub[:, members]
        block = block[np.any(block != 0, axis=1)]
        if block.shape[0] == 0:
            continue
        _, sing, vt = np.linalg.svd(block, full_matrices=False)
        rank = int((sing > 1e-9 * max(1.0, float(sing.max(initial=0.0)))).sum())
        # squared length of each unit vector's projection on the row space
        inside = (vt[:rank] ** 2).sum(axis=0)
        out[cols[members]] = inside > 1 - 1e-9
    return out


def _components(sub: np.ndarray) -> list[np.ndarray]:
    """Groups of columns linked by sharing a row (union-find)."""
    parent = list(range(sub.shape[1]))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for row in sub:
        members = np.flatnonzero(row)
        first = find(int(members[0])) if members.size else -1
        for m in members[1:]:
            root = find(int(m))
            if root != first:
                parent[root] = first
    groups: dict[int, list[int]] = {}
    for i in range(sub.shape[1]):
        groups.setdefault(find(i), []).append(i)
    return [np.asarray(g) for g in groups.values()]


def protection_width(threshold: int) -> int:
    """How far apart the smallest and largest possible values of every suppressed count must
    be for a reader who knows everything published (see :data:`RULE`)."""
    return threshold


def _upper_bounds(cube: Cube, hidden: np.ndarray) -> np.ndarray:
    """A reader's upper bound of each hidden cell: the smallest published total it adds up
    into, directly or through hidden totals (inf when every total above it is hidden)."""
    parents: list[list[int]] = [[] for _ in cube.keys]
    for parent, kids in cube.equations:
        for k in kids:
            parents[k].append(parent)
    upper = np.full(len(cube.keys), np.inf)
    counts = cube.counts
    for cell in np.flatnonzero(hidden).tolist():
        seen: set[int] = set()
        stack = list(parents[cell])
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            if hidden[p]:
                stack.extend(parents[p])
            else:
                upper[cell] = min(upper[cell], float(counts[p]))
    return upper


def feasible_ranges(cube: Cube, hidden: np.ndarray, cells: Sequence[int] | None = None,
                    width: float | None = None) -> dict[int, tuple[float, float]]:
    """Each hidden cell's smallest and largest value a reader can work out by linear programming
    from every published count and total, knowing that a hidden count is at least 1 (zeros are
    shown) and at most any published total it adds up into.

    ``cells`` limits the cells examined; with ``width``, a cell whose largest value is already
    ``width`` above its true count is reported as (count, largest) without solving for the
    smallest (enough to show it is protected).
    """
    from scipy.optimize import linprog
    from scipy.sparse import csr_matrix

    counts = cube.counts.astype(float)
    a = cube.matrix()
    upper = _upper_bounds(cube, hidden)
    cols = np.flatnonzero(hidden)
    out: dict[int, tuple[float, float]] = {}
    if cols.size == 0:
        return out
    wanted = set(cols.tolist() if cells is None else cells)
    sub = a[:, cols]
    touched = np.any(sub != 0, axis=1)
    sub = sub[touched]
    rhs_all = -(a[touched][:, ~hidden] @ counts[~hidden])
    for members in _components(sub):
        names = cols[members]
        if not wanted.intersection(names.tolist()):
            continue
        rows = np.any(sub[:, members] != 0, axis=1)
        block = sub[rows][:, members]
        b_eq = rhs_all[rows]
        a_eq = csr_matrix(block) if block.shape[0] else None
        bounds = [(1.0, None if np.isinf(upper[n]) else float(upper[n])) for n in names]
        for j, cell in enumerate(names.tolist()):
            if cell not in wanted:
                continue
            c = np.zeros(len(names))
            c[j] = -1.0
            hi = linprog(c, A_eq=a_eq, b_eq=b_eq if a_eq is not None else None, bounds=bounds,
                         method="highs")
            high = np.inf if hi.status == 3 else float(-hi.fun)
            if hi.status not in (0, 3):
                raise SuppressionError(f"cannot check cell {cube.keys[cell]}: {hi.message}")
            if width is not None and high - counts[cell] >= width - 1e-9:
                out[cell] = (float(counts[cell]), high)
                continue
            c[j] = 1.0
            lo = linprog(c, A_eq=a_eq, b_eq=b_eq if a_eq is not None else None, bounds=bounds,
                         method="highs")
            if lo.status != 0:
                raise SuppressionError(f"cannot check cell {cube.keys[cell]}: {lo.message}")
            out[cell] = (float(lo.fun), high)
    return out


def suppress(cube: Cube, threshold: int = DEFAULT_THRESHOLD) -> np.ndarray:
    """The suppression pattern (Boolean per cell) of the rule in the module docstring."""
    if threshold < 1:
        raise SuppressionError(f"threshold {threshold} must be at least 1")
    counts = cube.counts
    hidden = (counts > 0) & (counts < threshold)
    a = cube.matrix()
    partners: list[set[int]] = [set() for _ in cube.keys]
    for parent, kids in cube.equations:
        members = {parent, *kids}
        for m in members:
            partners[m] |= members - {m}
    # How many totals a cell is: 0 for an inner cell, more for a borough, most for the city.
    margin = np.zeros(len(cube.keys), dtype=np.int64)
    np.add.at(margin, [parent for parent, _ in cube.equations], 1)
    width = protection_width(threshold)

    def cost(p: int, cell: int) -> tuple[int, int, int, int]:
        # Prefer inner cells over totals (and small totals over big ones), then a cell that
        # closes a cycle with another suppressed cell (shares an equation with one), then the
        # smallest count.
        closes = sum(1 for q in partners[p] if hidden[q] and q != cell)
        return (int(margin[p]), -min(closes, 1), int(counts[p]), p)

    def roomy(p: int, cell: int) -> tuple[int, int, int, int, int]:
        # For widening a range: a partner that can absorb the whole protection width first.
        return (0 if counts[p] > width else 1, *cost(p, cell))

    lines = [(parent, *kids) for parent, kids in cube.equations]
    for _ in range(len(cube.keys) + 1):
        # Cheap first pass: a total with exactly one suppressed cell gives that cell away, so
        # give each such total a second suppressed cell (no linear algebra needed). The other
        # cells of such a total are never all zero, so a zero is never suppressed.
        changed = True
        while changed:
            changed = False
            for eq in lines:
                inside = [m for m in eq if hidden[m]]
                if len(inside) != 1:
                    continue
                options = [p for p in eq if not hidden[p] and counts[p] > 0]
                if options:
                    hidden[min(options, key=lambda p: cost(p, inside[0]))] = True
                    changed = True
        # Exact check: no suppressed cell may be pinned by any combination of totals.
        bad = np.flatnonzero(solvable(a, hidden) & hidden)
        if bad.size == 0:
            # Protection check: each suppressed count's feasible range is at least `width`.
            found = feasible_ranges(cube, hidden, width=width)
            bad = np.asarray(sorted(c for c, (lo, hi) in found.items()
                                    if hi - lo < width - 1e-9), dtype=np.int64)
            if bad.size == 0:
                return hidden
        added: set[int] = set()
        for cell in sorted(bad.tolist(), key=lambda c: (int(counts[c]), c)):
            if partners[cell] & added:
                continue  # a neighbour was just suppressed; look again next round
            options = [p for p in partners[cell] if not hidden[p] and counts[p] > 0]
            if not options:
                # Everything beside it is hidden already: widen through its neighbours'
                # neighbours (a total further up is never zero when the cell is not).
                options = sorted({q for p in partners[cell] for q in partners[p]
                                  if not hidden[q] and counts[q] > 0})
            if options:
                best = min(options, key=lambda p: roomy(p, cell))
                hidden[best] = True
                added.add(best)
        if not added:
            cells = [cube.keys[c] for c in bad[:5]]
            raise SuppressionError(
                f"cells {cells} stay too narrow with everything around them suppressed; "
                "publish a coarser table (a larger geography or fewer groups)")
    raise SuppressionError("suppression did not converge; publish a coarser table")


@dataclass(frozen=True)
class Table:
    """One published table: rows with ``geo`` (a node key such as ``precinct:75``), ``stratum``,
    ``group`` and ``count``; ``by`` and ``within`` name what ``group`` and ``stratum`` mean, so a
    cell published by two tables (the city's Black arrests in the race table and in the
    race-within-role table) is one cell."""

    cells: pl.DataFrame
    by: str
    within: str | None = None


def _canonical(node: str, by: str, group: str, within: str | None, stratum: str) -> str:
    conds = [] if group == ALL else [f"{by}={group}"]
    if within is not None and stratum != ALL:
        conds.append(f"{within}={stratum}")
    return node + "|" + ";".join(sorted(conds))


def joint_cube(tables: Sequence[Table], geo_parent: dict[str, str]
               ) -> tuple[Cube, list[np.ndarray]]:
    """One cube for several published tables: the same cell in two tables is one variable, and
    every table's totals are equations. Returns the cube and, per table, each row's cell."""
    index: dict[str, int] = {}
    counts: list[int] = []
    maps: list[np.ndarray] = []
    eqs: set[tuple[int, tuple[int, ...]]] = set()
    for table in tables:
        local = build_cube(table.cells, geo_parent)
        mapping = np.empty(len(local.keys), dtype=np.int64)
        for i, (node, stratum, group) in enumerate(local.keys):
            key = _canonical(node, table.by, group, table.within, stratum)
            value = int(local.counts[i])
            if key not in index:
                index[key] = len(counts)
                counts.append(value)
            elif counts[index[key]] != value:
                raise SuppressionError(
                    f"cell {key} is {counts[index[key]]} in one table and {value} in another; "
                    "the tables must count the same arrests the same way")
            mapping[i] = index[key]
        for parent, kids in local.equations:
            eqs.add((int(mapping[parent]), tuple(sorted(int(mapping[k]) for k in kids))))
        maps.append(mapping)
    keys = tuple((k.split("|", 1)[0], k.split("|", 1)[1], "") for k in index)
    cube = Cube(keys, np.asarray(counts, dtype=np.int64), tuple(sorted(eqs)))
    return cube, maps


def protect_many(tables: Sequence[Table], geo_parent: dict[str, str],
                 threshold: int = DEFAULT_THRESHOLD) -> list[pl.DataFrame]:
    """Suppress several tables published together with one pattern (see the module doc)."""
    cube, maps = joint_cube(tables, geo_parent)
    hidden = suppress(cube, threshold)
    return [_blank(t.cells, hidden[m]) for t, m in zip(tables, maps, strict=True)]


def protect(cells: pl.DataFrame, geo_parent: dict[str, str],
            threshold: int = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """Add ``suppressed`` (Boolean) to ``cells`` and blank every figure that would reveal a
    suppressed count (count, share, rate, RRI and its interval)."""
    cube = build_cube(cells, geo_parent)
    return _blank(cells, suppress(cube, threshold))


def _blank(cells: pl.DataFrame, hidden: np.ndarray) -> pl.DataFrame:
    out = cells.with_columns(suppressed=pl.Series(hidden, dtype=pl.Boolean))
    total_hidden = (out.filter(pl.col("group") == ALL)
                    .select("geo", "stratum", pl.col("suppressed").alias("_all_hidden")))
    out = out.join(total_hidden, on=["geo", "stratum"], how="left")
    if "reference" in out.columns:
        ref_hidden = (out.filter(pl.col("group") == pl.col("reference"))
                      .select("geo", "stratum", pl.col("suppressed").alias("_ref_hidden")))
        out = out.join(ref_hidden, on=["geo", "stratum"], how="left")
    else:
        out = out.with_columns(_ref_hidden=pl.lit(False))
    hide = pl.col("suppressed")
    blank_rri = hide | pl.col("_ref_hidden").fill_null(False)
    replace: list[pl.Expr] = [pl.when(~hide).then(pl.col("count")).alias("count")]
    for name, cond in (("share", hide | pl.col("_all_hidden").fill_null(False)),
                       ("rate_per_100k", hide), ("rri", blank_rri), ("rri_ci_low", blank_rri),
                       ("rri_ci_high", blank_rri)):
        if name in out.columns:
            replace.append(pl.when(~cond).then(pl.col(name)).alias(name))
    return out.with_columns(replace).drop("_all_hidden", "_ref_hidden")


def public_columns(columns: Sequence[str]) -> list[str]:
    """Columns allowed in a public file: never keys, fine dates or coordinates."""
    banned = ("arrest_key", "arrest_date", "lat", "lon", "latitude", "longitude", "x_coord",
              "y_coord")
    return [c for c in columns if c.lower() not in banned]
