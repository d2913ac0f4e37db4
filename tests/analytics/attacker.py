"""A reader's linear-programming attack on a published table (shared by the suppression and the
release tests). Written independently of ``analytics.suppression``: it sees only what is
published.

The reader knows every published count and every total the table implies, and every bound the
publisher's own rule gives away:

* a suppressed count is at least 1 when the rule says zeros are shown (``zeros_shown``),
  otherwise at least 0;
* a suppressed count is at most any published total that contains it (every published cell it
  adds up into, directly or through other cells).

Each hidden count's feasible range is its smallest and largest value over every assignment of
the hidden counts that satisfies all of this (scipy's HiGHS; the integer range is inside it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Mapping, Sequence

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

Equation = tuple[Hashable, Sequence[Hashable]]  # total cell, the cells that add up to it


def ranges(counts: Mapping[Hashable, int | None], hidden: set[Hashable],
           equations: Sequence[Equation], *, zeros_shown: bool = True
           ) -> dict[Hashable, tuple[float, float]]:
    """The feasible range (low, high; high may be inf) of every hidden cell."""
    unknown = sorted(hidden, key=repr)
    index = {c: i for i, c in enumerate(unknown)}
    # Upper bounds: a cell is at most every published total it adds up into.
    parents: dict[Hashable, set[Hashable]] = defaultdict(set)
    for total, kids in equations:
        for k in kids:
            parents[k].add(total)
    upper = np.full(len(unknown), np.inf)
    for cell, i in index.items():
        seen, stack = set(), list(parents[cell])
        while stack:
            p = stack.pop()
            if p in seen:
                continue
            seen.add(p)
            if p in hidden:
                stack.extend(parents[p])
            else:
                upper[i] = min(upper[i], float(counts[p] or 0))
    rows, cols, vals, rhs = [], [], [], []
    r = 0
    for total, kids in equations:
        coef: dict[int, float] = defaultdict(float)
        b = 0.0
        for cell, sign in [(total, 1.0)] + [(k, -1.0) for k in kids]:
            if cell in index:
                coef[index[cell]] += sign
            else:
                b -= sign * float(counts[cell] or 0)
        coef = {k: v for k, v in coef.items() if v}
        if not coef:
            assert abs(b) < 1e-9, f"published totals disagree at {total}"
            continue
        for k, v in coef.items():
            rows.append(r)
            cols.append(k)
            vals.append(v)
        rhs.append(b)
        r += 1
    a_eq = csr_matrix((vals, (rows, cols)), shape=(r, len(unknown))) if r else None
    b_eq = np.array(rhs) if r else None
    low = 1.0 if zeros_shown else 0.0
    bounds = [(low, None if np.isinf(u) else u) for u in upper]
    out: dict[Hashable, tuple[float, float]] = {}
    for cell, i in index.items():
        c = np.zeros(len(unknown))
        c[i] = 1.0
        lo = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        hi = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        assert lo.status == 0 and hi.status in (0, 3), (cell, lo.message, hi.message)
        out[cell] = (float(lo.fun), np.inf if hi.status == 3 else float(-hi.fun))
    return out


def too_narrow(found: Mapping[Hashable, tuple[float, float]], width: float
               ) -> dict[Hashable, tuple[float, float]]:
    """Hidden cells whose feasible range is narrower than ``width`` (max - min)."""
    return {c: r for c, r in found.items() if r[1] - r[0] < width - 1e-6}
