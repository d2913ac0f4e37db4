"""The batch evaluator: a policy compiled to Polars expressions over a frame of charges.

Each row of a *facts frame* is one charge; its columns are named facts (``charge.role``,
``defendant.minor`` ...), ``null`` meaning unknown. The compiled policy adds

* ``rule_id`` and ``outcome``: the first rule whose condition is true (Polars' ``&``, ``|`` and
  ``~`` follow Kleene's three-valued logic, and ``when`` takes only true), and
* ``missing_facts``: for every fact, whether it is unknown and *pivotal*: some assignment of the
  other unknown facts lets its value change the outcome. For each fact ``f`` the policy is
  compiled, once, into a decision diagram of "the outcomes with ``f`` set one way or another
  differ" over the other facts; a row satisfies it when some path agrees with the row's known
  values (at an unknown fact any branch may be taken). That is an exact existential test, as
  Polars ``when`` chains.

`screen_frame` applies this to an NYPD-shaped arrests frame: the charge catalog resolves the law
codes (`Catalog.resolve_frame`), the age group gives ``defendant.minor``, the decision date gives
``charge.repealed``, and every fact the file does not record stays unknown.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import polars as pl

from survivors_justice.law import Catalog, ChargeStatus, Family, Role, load_catalog
from survivors_justice.policy.conditions import to_polars
from survivors_justice.policy.errors import ScreenInputError
from survivors_justice.policy.evaluate import (
    Pair,
    _next_fact,
    _possible,
    _restrict_list,
    repeal_date,
)
from survivors_justice.policy.facts import (
    ADULT_AGE_GROUPS,
    DEFAULTS,
    FACT_NAMES,
    FACTS,
    MINOR_AGE_GROUPS,
    FactKind,
    FactValue,
)
from survivors_justice.policy.model import Action, Policy

# --- decision diagrams -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Node:
    fact: str
    children: tuple[tuple[FactValue, DD], ...]  # one per value of the fact's domain


DD = Node | bool


def _build(lists: tuple[tuple[Pair, ...], ...], memo: dict[Any, DD]) -> DD:
    hit = memo.get(lists)
    if hit is not None:
        return hit
    possible = [_possible(rules) for rules in lists]
    union = set().union(*possible)
    result: DD
    if len(union) <= 1:
        result = False
    elif all(len(p) == 1 for p in possible):
        result = True
    else:
        fact = _next_fact(lists)
        children = tuple(
            (v, _build(tuple(_restrict_list(r, fact, v) for r in lists), memo))
            for v in FACTS[fact].domain
        )
        first = children[0][1]
        result = first if all(c == first for _, c in children) else Node(fact, children)
    memo[lists] = result
    return result


def pivot_diagram(policy: Policy, fact: str) -> DD:
    """Over the other facts: do the outcomes differ as ``fact`` takes each of its values?"""
    pairs: tuple[Pair, ...] = tuple((r.when, r.outcome) for r in policy.rules)
    lists = tuple(_restrict_list(pairs, fact, v) for v in FACTS[fact].domain)
    return _build(lists, {})


class _Layers:
    """Decision-diagram nodes as intermediate columns, children before parents.

    A diagram is a DAG; written as one nested expression it would grow exponentially, so each
    distinct node becomes one column that reads its children's columns.
    """

    def __init__(self, column: Callable[[str], pl.Expr]) -> None:
        self.column = column
        self.names: dict[Node, str] = {}
        self.height: dict[Node, int] = {}
        self.exprs: dict[Node, pl.Expr] = {}

    def ref(self, dd: DD) -> pl.Expr:
        if isinstance(dd, bool):
            return pl.lit(dd, dtype=pl.Boolean)
        self.add(dd)
        return pl.col(self.names[dd])

    def add(self, dd: Node) -> None:
        if dd in self.names:
            return
        for _, child in dd.children:
            if isinstance(child, Node):
                self.add(child)
        name = f"__sj_dd{len(self.names)}"
        col = self.column(dd.fact)
        kids = [(v, self.ref(child)) for v, child in dd.children]
        any_kid = kids[0][1]
        for _, k in kids[1:]:
            any_kid = any_kid | k
        chain: Any = pl.when(col.is_null()).then(any_kid)
        for v, k in kids:
            test = (col if v else ~col) if isinstance(v, bool) else col == pl.lit(v)
            chain = chain.when(test).then(k)
        self.exprs[dd] = chain.otherwise(pl.lit(False)).alias(name)
        self.height[dd] = 1 + max(
            (self.height[c] for _, c in dd.children if isinstance(c, Node)), default=0
        )
        self.names[dd] = name

    def layers(self) -> list[list[pl.Expr]]:
        out: dict[int, list[pl.Expr]] = {}
        for node, expr in self.exprs.items():
            out.setdefault(self.height[node], []).append(expr)
        return [out[h] for h in sorted(out)]


# --- the compiled policy ---------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledPolicy:
    policy: Policy
    conditions: tuple[pl.Expr, ...]
    rule_id: pl.Expr
    outcome: pl.Expr
    seal: pl.Expr
    layers: tuple[tuple[pl.Expr, ...], ...]  # decision-diagram columns, to add in this order
    temporaries: tuple[str, ...]
    pivotal: tuple[tuple[str, pl.Expr], ...]  # (fact, is it missing?) once `layers` are added

    @property
    def missing_facts(self) -> pl.Expr:
        """``list[str]`` of the missing facts, in `FACT_NAMES` order."""
        if not self.pivotal:
            return pl.lit([], dtype=pl.List(pl.String))
        return pl.concat_list(
            [
                pl.when(p).then(pl.lit(f)).otherwise(pl.lit(None, dtype=pl.String))
                for f, p in self.pivotal
            ]
        ).list.drop_nulls()


def compile_policy(
    policy: Policy, column: Callable[[str], pl.Expr] | None = None
) -> CompiledPolicy:
    """Compile every rule condition and every fact's pivot test to Polars expressions."""
    col = column or pl.col
    conditions = tuple(to_polars(r.when, col) for r in policy.rules)
    chain: Any = None
    for rule, cond in zip(policy.rules[:-1], conditions[:-1], strict=True):
        lit = pl.lit(rule.id)
        chain = pl.when(cond).then(lit) if chain is None else chain.when(cond).then(lit)
    last = pl.lit(policy.rules[-1].id)
    rule_id = last if chain is None else chain.otherwise(last)
    outcomes = {r.id: r.outcome.value for r in policy.rules}
    outcome = rule_id.replace_strict(outcomes, return_dtype=pl.String)
    sealing = [r.id for r in policy.rules if Action.SEAL in r.actions]
    seal = rule_id.is_in(sealing) if sealing else pl.lit(False)
    layers = _Layers(col)
    pivotal: list[tuple[str, pl.Expr]] = []
    for fact in policy.facts:
        dd = pivot_diagram(policy, fact)
        if dd is False:
            continue
        pivotal.append((fact, col(fact).is_null() & layers.ref(dd)))
    return CompiledPolicy(
        policy,
        conditions,
        rule_id,
        outcome,
        seal,
        tuple(tuple(layer) for layer in layers.layers()),
        tuple(layers.names.values()),
        tuple(pivotal),
    )


_COMPILED: dict[int, tuple[Policy, CompiledPolicy]] = {}


def compiled(policy: Policy) -> CompiledPolicy:
    """`compile_policy` with the default columns, cached per policy object."""
    held = _COMPILED.get(id(policy))
    if held is None or held[0] is not policy:
        held = (policy, compile_policy(policy))
        _COMPILED[id(policy)] = held
    return held[1]


def evaluate_frame(policy: Policy, facts: pl.LazyFrame) -> pl.LazyFrame:
    """Add ``rule_id``, ``outcome``, ``seal`` and ``missing_facts`` to a frame of named facts.

    Columns for facts the frame lacks are added as unknown (null), or with the fact's default
    where the office's own records settle it (`facts.DEFAULTS`: no panel determination).
    """
    names = facts.collect_schema().names()
    absent = [
        pl.lit(
            DEFAULTS.get(f), dtype=pl.Boolean if FACTS[f].kind is FactKind.BOOL else pl.String
        ).alias(f)
        for f in policy.facts
        if f not in names
    ]
    if absent:
        facts = facts.with_columns(absent)
    c = compiled(policy)
    for layer in c.layers:
        facts = facts.with_columns(layer)
    return facts.with_columns(
        c.rule_id.alias("rule_id"),
        c.outcome.alias("outcome"),
        c.seal.alias("seal"),
        c.missing_facts.alias("missing_facts"),
    ).drop(c.temporaries)


# --- screening NYPD arrest frames ------------------------------------------------------------

SCREEN_COLUMNS = ("ARREST_KEY", "ARREST_DATE", "PD_CD", "LAW_CODE", "AGE_GROUP")

_FACT_DTYPES = {
    name: (pl.Boolean if spec.kind is FactKind.BOOL else pl.String) for name, spec in FACTS.items()
}


def _require_nypd_columns(schema: pl.Schema) -> None:
    missing = [c for c in ("LAW_CODE", "ARREST_DATE") if c not in schema]
    if missing:
        raise ScreenInputError(
            f"the arrests frame lacks column(s) {', '.join(missing)}; screening needs the NYPD "
            f"columns {', '.join(SCREEN_COLUMNS)}"
        )


def nypd_facts(
    lf: pl.LazyFrame,
    *,
    catalog: Catalog | None = None,
    decision_date: date | None = None,
) -> pl.LazyFrame:
    """Named-fact columns for an NYPD-shaped frame (keeps the frame's own columns)."""
    cat = catalog if catalog is not None else load_catalog()
    schema = lf.collect_schema()
    _require_nypd_columns(schema)
    if "PD_CD" not in schema:
        lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias("PD_CD"))
    if "AGE_GROUP" not in schema:
        lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias("AGE_GROUP"))
    arrest_date = (
        pl.col("ARREST_DATE")
        if schema["ARREST_DATE"] == pl.Date
        else pl.col("ARREST_DATE").cast(pl.String).str.to_date("%m/%d/%Y", strict=False)
    )
    lf = lf.with_columns(
        arrest_date.alias("arrest_date"),
        pl.col("LAW_CODE").cast(pl.String),
        pl.col("PD_CD").cast(pl.String),
    )
    lf = cat.resolve_frame(lf, law_code="LAW_CODE", pd_cd="PD_CD", on="arrest_date")
    repeal = {
        s: end for s in {e.section for e in cat.entries} if (end := repeal_date(cat, s)) is not None
    }
    if repeal and decision_date is not None:
        repealed_sections = [s for s, end in repeal.items() if decision_date > end]
        repealed = pl.col("section").is_in(repealed_sections)
    elif repeal:
        repealed = (
            pl.when(pl.col("section").is_in(list(repeal)))
            .then(pl.lit(None, dtype=pl.Boolean))
            .otherwise(pl.lit(False))
        )
    else:
        repealed = pl.lit(False)
    cataloged = pl.col("charge_status") == pl.lit(ChargeStatus.CATALOGED.value)
    age = pl.col("AGE_GROUP").cast(pl.String).str.strip_chars()
    return lf.with_columns(
        pl.col("charge_status").cast(pl.String).alias("charge.status"),
        pl.col("role").cast(pl.String).alias("charge.role"),
        pl.col("family").cast(pl.String).alias("charge.family"),
        pl.col("minor").cast(pl.Boolean).alias("charge.minor_offense"),
        pl.col("coercion").cast(pl.Boolean).alias("charge.coercion"),
        pl.col("in_force").cast(pl.Boolean).alias("charge.in_force_at_arrest"),
        pl.when(cataloged)
        .then(repealed)
        .otherwise(pl.lit(None, dtype=pl.Boolean))
        .alias("charge.repealed"),
        pl.when(age.is_in(list(MINOR_AGE_GROUPS)))
        .then(pl.lit(True))
        .when(age.is_in(list(ADULT_AGE_GROUPS)))
        .then(pl.lit(False))
        .otherwise(pl.lit(None, dtype=pl.Boolean))
        .alias("defendant.minor"),
    )


# The named facts an NYPD arrests file can tell; every other fact is unknown for every row.
NYPD_FACTS = (
    "charge.status",
    "charge.role",
    "charge.family",
    "charge.minor_offense",
    "charge.coercion",
    "charge.in_force_at_arrest",
    "charge.repealed",
    "defendant.minor",
)
RESULT_COLUMNS = ("rule_id", "outcome", "seal", "missing_facts")


def decision_table(policy: Policy, facts: tuple[str, ...] = NYPD_FACTS) -> pl.DataFrame:
    """The compiled policy evaluated on every combination of ``facts`` (unknown included),
    every other fact unknown: a small table to join onto millions of rows."""
    grid = env_grid({f: (*FACTS[f].domain, None) for f in facts})
    return evaluate_frame(policy, grid.lazy()).select(*facts, *RESULT_COLUMNS).collect()


_TABLES: dict[int, tuple[Policy, pl.DataFrame]] = {}


def _table(policy: Policy) -> pl.DataFrame:
    held = _TABLES.get(id(policy))
    if held is None or held[0] is not policy:
        held = (policy, decision_table(policy))
        _TABLES[id(policy)] = held
    return held[1]


def screen_rows(
    policy: Policy,
    lf: pl.LazyFrame,
    *,
    catalog: Catalog | None = None,
    decision_date: date | None = None,
) -> pl.LazyFrame:
    """`screen_frame` without the de-duplication of keys: catalog, then policy, on every row.

    The compiled policy runs on the distinct combinations of the facts the rows tell (an NYPD
    file has a few dozen) and the results are joined back.
    """
    facts = nypd_facts(lf, catalog=catalog, decision_date=decision_date)
    combos = facts.select(NYPD_FACTS).unique().collect()
    decided = evaluate_frame(policy, combos.lazy()).select(*NYPD_FACTS, *RESULT_COLUMNS).collect()
    return facts.join(
        decided.lazy(),
        on=list(NYPD_FACTS),
        how="left",
        nulls_equal=True,
        maintain_order="left",
    ).with_columns(
        pl.lit(policy.id).alias("policy_id"),
        pl.lit(policy.version).alias("policy_version"),
    )


# What a decision on an NYPD row depends on: everything else about the row is irrelevant.
KEY_COLUMNS = ("LAW_CODE", "PD_CD", "ARREST_DATE", "AGE_GROUP")
SCREEN_OUTPUT = (
    "section",
    "subdivision",
    "role",
    "charge_status",
    "family",
    "offense_class",
    "charge_note",
    *NYPD_FACTS,
    *RESULT_COLUMNS,
    "policy_id",
    "policy_version",
)
_KEY = "__sj_key"
_K1, _K2 = "__sj_key1", "__sj_key2"
_NO_CODE = 2**32 - 1  # global Categorical codes are u32 and never reach this
_NO_CODE16 = 2**16 - 1


def key_dtype(column: str) -> pl.Categorical:
    """The categorical type screening codes ``column`` with: its own 16-bit code space, so the
    four codes of a row pack into one u64 (read a CSV with these types to skip a cast)."""
    return pl.Categorical(pl.Categories(f"sj_screen_{column.lower()}", physical=pl.UInt16))


def _code(column: str, dtype: pl.DataType) -> pl.Expr:
    """A u64 code per distinct value (nulls get their own), via Polars' global categoricals."""
    expr = pl.col(column)
    if not isinstance(dtype, pl.Categorical | pl.Enum):
        expr = expr.cast(pl.String).cast(pl.Categorical)
    return expr.to_physical().cast(pl.UInt64).fill_null(_NO_CODE)


def _code16(column: str, dtype: pl.DataType) -> pl.Expr:
    expr = pl.col(column)
    if dtype != key_dtype(column):
        expr = expr.cast(pl.String).cast(key_dtype(column))
    return expr.to_physical().cast(pl.UInt64).fill_null(_NO_CODE16)


def _room_for_codes() -> bool:
    """Whether every 16-bit code space still has room (a full one makes codes collide)."""
    return all(
        pl.Categories(f"sj_screen_{c.lower()}", physical=pl.UInt16).to_series().len() < _NO_CODE16
        for c in KEY_COLUMNS
    )


def _as_text(schema: pl.Schema) -> list[pl.Expr]:
    return [
        pl.col(k) if k == "ARREST_DATE" and schema[k] == pl.Date else pl.col(k).cast(pl.String)
        for k in KEY_COLUMNS
    ]


def screen_frame(
    policy: Policy,
    lf: pl.LazyFrame,
    *,
    catalog: Catalog | None = None,
    decision_date: date | None = None,
    columns: tuple[str, ...] = SCREEN_OUTPUT,
    missing_as_text: bool = False,
    categorical: bool = False,
    cache: DecisionCache | None = None,
) -> pl.LazyFrame:
    """Screen an NYPD-shaped arrests frame: one decision per row (NYPD rows are one charge).

    Adds ``section``, ``subdivision``, ``role``, ``charge_status`` (from the catalog), the named
    facts the file tells (`NYPD_FACTS`), and ``rule_id``, ``outcome``, ``seal``,
    ``missing_facts`` (``list[str]``; ``;``-joined text with ``missing_as_text``),
    ``policy_id``, ``policy_version``. ``columns`` chooses which of these to add;
    ``categorical`` returns the text columns as ``pl.Categorical`` (cheaper to join and write);
    with ``missing_as_text`` an empty list of missing facts is null (an empty CSV field).
    ``cache`` carries decisions from one batch of a file to the next.

    A decision depends only on the row's law code, PD code, arrest date and age group, so each
    row gets one integer key (their 16-bit categorical codes, packed), the distinct keys are
    collected once, screened with `screen_rows` (catalog + compiled policy), and joined back:
    millions of rows cost two passes of integer hashing.
    """
    schema = lf.collect_schema()
    _require_nypd_columns(schema)
    clashes = [c for c in (*columns, _KEY, _K1, _K2) if c in schema]
    if clashes:
        raise ScreenInputError(
            f"the arrests frame already has column(s) {clashes}; drop or rename them first"
        )
    for name in ("PD_CD", "AGE_GROUP"):
        if name not in schema:
            lf = lf.with_columns(pl.lit(None, dtype=pl.String).alias(name))
            schema = lf.collect_schema()
    keys: list[str]
    if _room_for_codes():
        c = {name: _code16(name, schema[name]) for name in KEY_COLUMNS}
        packed = ((c["LAW_CODE"] * 2**16 + c["PD_CD"]) * 2**16 + c["ARREST_DATE"]) * 2**16 + c[
            "AGE_GROUP"
        ]
        keyed = lf.with_columns(packed.alias(_KEY))
        keys = [_KEY]
    else:  # more than 65,534 distinct values of a key column seen in this process
        c = {name: _code(name, schema[name]) for name in KEY_COLUMNS}
        keyed = lf.with_columns(
            (c["LAW_CODE"] * 2**32 + c["PD_CD"]).alias(_K1),
            (c["ARREST_DATE"] * 2**32 + c["AGE_GROUP"]).alias(_K2),
        )
        keys = [_K1, _K2]
    distinct = keyed.select(*keys, *KEY_COLUMNS).unique(subset=keys, keep="any")
    known = None if cache is None else cache.tables.get(tuple(keys))
    if known is not None:
        distinct = distinct.join(known.lazy().select(keys), on=keys, how="anti")
    fresh = distinct.with_columns(_as_text(schema)).collect()
    table = known
    if table is None or fresh.height:
        decided = screen_rows(policy, fresh.lazy(), catalog=catalog, decision_date=decision_date)
        if missing_as_text:
            decided = decided.with_columns(
                pl.when(pl.col("missing_facts").list.len() > 0)
                .then(pl.col("missing_facts").list.join(";"))
                .alias("missing_facts")
            )
        new = decided.select(*keys, *columns).collect()
        if categorical:
            new = new.with_columns(
                pl.col(name).cast(pl.Categorical)
                for name in columns
                if new[name].dtype == pl.String
            )
        table = new if table is None else pl.concat([table, new])
        if cache is not None:
            cache.tables[tuple(keys)] = table
    return keyed.join(table.lazy(), on=keys, how="left", maintain_order="left").drop(keys)


class DecisionCache:
    """Decisions already computed for row keys, reused by later batches of the same screening.

    Valid for one policy, catalog, decision date and set of output options: `screen_file`
    makes one per file.
    """

    def __init__(self) -> None:
        self.tables: dict[tuple[str, ...], pl.DataFrame] = {}


def fact_domains() -> dict[str, tuple[FactValue, ...]]:
    """Every fact's possible known values (for building test frames)."""
    return {name: spec.domain for name, spec in FACTS.items()}


def all_roles() -> list[str]:
    return [r.value for r in Role]


def all_families() -> list[str]:
    return [f.value for f in Family]


def env_grid(facts: dict[str, tuple[FactValue | None, ...]]) -> pl.DataFrame:
    """Every combination of the given fact values, as a facts frame (for tests and tables)."""
    names = list(facts)
    rows = list(itertools.product(*(facts[n] for n in names)))
    return pl.DataFrame(
        {n: [r[i] for r in rows] for i, n in enumerate(names)},
        schema={n: _FACT_DTYPES[n] for n in names},
    )


__all__ = [
    "FACT_NAMES",
    "CompiledPolicy",
    "compile_policy",
    "compiled",
    "env_grid",
    "evaluate_frame",
    "nypd_facts",
    "pivot_diagram",
    "screen_frame",
]
