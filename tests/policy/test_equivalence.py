"""The per-case and batch evaluators agree with each other and with a brute-force oracle.

Cases are built from real inputs, not named facts: every catalogued law code (in the NYPD's form
and as a citation) and malformed ones, with and without a PD code, x arrest dates around every
date the catalog changes (none included) x decision dates around the repeal of 240.37 (none
included) x every NYPD age group (and unknown ones), in cases of one to four charges. Each charge
is decided by `evaluate()` and by the batch screen of the same rows as an NYPD file; both must
equal the oracle, which derives the named facts itself from the catalog's reading and finds the
deciding rule and the missing facts by trying every completion of the unknown facts (it shares
no code with the evaluators' searches).
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Mapping
from datetime import date, timedelta
from functools import cache

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from survivors_justice.law import Catalog, ChargeStatus, ResolvedCharge
from survivors_justice.policy import Policy, decide, evaluate, evaluate_frame, screen_frame
from survivors_justice.policy.batch import NYPD_FACTS, decision_table, env_grid
from survivors_justice.policy.conditions import evaluate3
from survivors_justice.policy.facts import FACT_NAMES, FACTS, CaseFacts, ChargeFacts

from .strategies import Env, envs

# --- the inputs ------------------------------------------------------------------------------

MALFORMED = (
    "PL",
    "PL 23",
    "PL 2302502X9",
    "XX 1234567",
    "PL ABCDEFG",
    "230.99",
    "PL 2309900",  # article 230, not catalogued: unrecognised
    "PL 230.34(5)(z)",
    "PL 2302509",  # 230.25 has no subdivision 9
    "PL 230253Q",
    "VTL 0511001",  # another chapter: outside
    "PL 1200500",  # assault: outside
    "PL 2401000",
    "garbage!",
)
AGE_GROUPS = (None, "<18", "18-24", "25-44", "45-64", "65+", "UNKNOWN")
DECISION_DATES = (None, date(2021, 2, 1), date(2021, 2, 2), date(2026, 11, 28))


def nypd_code(section: str, subdivision: str | None) -> str | None:
    """``230.34``, ``5(a)`` -> ``PL 230345A`` (None when the section has no NYPD form)."""
    article, _, sec = section.partition(".")
    if not sec.isdigit():
        return None
    if subdivision is None:
        tail = "00"
    else:
        head, _, para = subdivision.partition("(")
        tail = f"{int(head):02d}" if not para else f"{head}{para[0].upper()}"
    return f"PL {article}{sec}{tail}"


def law_codes(catalog: Catalog) -> list[str]:
    codes: set[str] = set(MALFORMED)
    for entry in catalog.entries:
        codes.add(entry.citation)
        for sub in (entry.subdivision, *entry.subdivisions):
            code = nypd_code(entry.section, sub)
            if code is not None:
                codes.add(code)
    codes |= {"PL 23003A0", "PL 24037M2", "PL 24037V3", "PL 230302X"}  # NYPD letters
    return sorted(codes)


def arrest_dates(catalog: Catalog) -> list[date | None]:
    days: set[date] = {date(2017, 12, 22), date(2006, 1, 2)}
    for day in catalog.breakpoints():
        days |= {day, day - timedelta(days=1)}
    return [None, *sorted(days)]


def cases(catalog: Catalog) -> list[CaseFacts]:
    """Every code x PD code x arrest date in each decision date x age group, in cases of 1-4."""
    rng = random.Random(30)
    pds = [None, *sorted(catalog.pd_codes)]
    charges = [
        ChargeFacts(law_code=code, pd_cd=pds[i % len(pds)], arrest_date=day)
        for i, (code, day) in enumerate(
            itertools.product(law_codes(catalog), arrest_dates(catalog))
        )
    ]
    out: list[CaseFacts] = []
    for decision_date, age_group in itertools.product(DECISION_DATES, AGE_GROUPS):
        shuffled = rng.sample(charges, len(charges))
        while shuffled:
            size = rng.randint(1, 4)
            batch, shuffled = shuffled[:size], shuffled[size:]
            out.append(
                CaseFacts.from_dict(
                    {
                        "decision_date": None if decision_date is None else str(decision_date),
                        "charges": [
                            {
                                "law_code": c.law_code,
                                "pd_cd": c.pd_cd,
                                "arrest_date": None
                                if c.arrest_date is None
                                else str(c.arrest_date),
                            }
                            for c in batch
                        ],
                        "defendant": {"age_group": age_group},
                    }
                )
            )
    return out


# --- the oracle ------------------------------------------------------------------------------


def oracle_env(
    resolved: ResolvedCharge, catalog: Catalog, decision_date: date | None, age_group: str | None
) -> Env:
    """The named facts, derived here from the catalog's reading (every other fact unknown)."""
    env: Env = dict.fromkeys(FACT_NAMES)
    env["charge.status"] = resolved.status.value
    entry = resolved.entry
    if resolved.status is ChargeStatus.CATALOGED and entry is not None:
        env["charge.role"] = entry.role.value
        env["charge.family"] = entry.family.value
        env["charge.minor_offense"] = entry.minor
        env["charge.coercion"] = entry.coercion
        ends = [e.in_force_to for e in catalog.entries if e.section == entry.section]
        if any(end is None for end in ends):
            env["charge.repealed"] = False
        elif decision_date is not None:
            env["charge.repealed"] = decision_date > max(e for e in ends if e is not None)
    env["charge.in_force_at_arrest"] = resolved.in_force  # None without an arrest date
    # an arrest no panel has determined: the office's records say so, it is not unknown
    env["panel.determination"] = "none"
    env["panel.recommendation"] = "none"
    env["defendant.minor"] = {
        "<18": True,
        "18-24": False,
        "25-44": False,
        "45-64": False,
        "65+": False,
    }.get(age_group or "")
    return env


def _deciding_rule(policy: Policy, env: Mapping[str, object]) -> str:
    for rule in policy.rules:
        if evaluate3(rule.when, env) is True:
            return rule.id
    raise AssertionError("no rule holds")


@cache
def _oracle(policy: Policy, key: tuple[object, ...]) -> tuple[str, str, list[str]]:
    """Brute force over the unknown facts of the rules that can still matter.

    The rules up to the first that holds with the known facts alone decide in every completion;
    among them, a rule already false with the known facts is false in every completion. Only the
    unknown facts of the others are enumerated; any other fact cannot change the outcome.
    """
    env = dict(zip(FACT_NAMES, key, strict=True))
    rule = _deciding_rule(policy, env)
    open_facts: set[str] = set()
    for r in policy.rules:
        result = evaluate3(r.when, env)
        if result is True:
            break
        if result is None:
            open_facts |= {f for f in r.facts if env[f] is None}
    unknown = [f for f in FACT_NAMES if f in open_facts]
    outcome: dict[tuple[object, ...], str] = {}
    for values in itertools.product(*(FACTS[f].domain for f in unknown)):
        full = {**env, **dict(zip(unknown, values, strict=True))}
        outcome[values] = policy.rule_by_id[_deciding_rule(policy, full)].outcome.value
    missing = []
    for i, fact in enumerate(unknown):
        for values, result in outcome.items():
            if any(
                outcome[(*values[:i], v, *values[i + 1 :])] != result for v in FACTS[fact].domain
            ):
                missing.append(fact)
                break
    return rule, policy.rule_by_id[rule].outcome.value, missing


def oracle(policy: Policy, env: Env) -> tuple[str, str, list[str]]:
    return _oracle(policy, tuple(env[f] for f in FACT_NAMES))


# --- the test --------------------------------------------------------------------------------


def test_per_case_batch_and_oracle_agree_on_real_codes_dates_and_ages(
    policy: Policy, catalog: Catalog
) -> None:
    all_cases = cases(catalog)
    rows = [
        {
            "case": n,
            "LAW_CODE": c.law_code,
            "PD_CD": c.pd_cd,
            "ARREST_DATE": None if c.arrest_date is None else c.arrest_date.strftime("%m/%d/%Y"),
            "AGE_GROUP": case.defendant.age_group,
            "decision_date": case.decision_date,
        }
        for n, case in enumerate(all_cases)
        for c in case.charges
    ]
    assert len(rows) > 20_000
    frame = pl.DataFrame(
        rows,
        schema={
            "case": pl.Int64,
            **dict.fromkeys(("LAW_CODE", "PD_CD", "ARREST_DATE", "AGE_GROUP"), pl.String),
            "decision_date": pl.Date,
        },
    )
    batch: dict[int, list[tuple[str, str, list[str]]]] = {}
    for (decision_date,), part in frame.group_by(["decision_date"], maintain_order=True):
        screened = screen_frame(
            policy,
            part.lazy(),
            catalog=catalog,
            decision_date=decision_date,  # type: ignore[arg-type]
            columns=("rule_id", "outcome", "missing_facts"),
        ).collect()
        for n, rule, outcome, missing in screened.select(
            "case", "rule_id", "outcome", "missing_facts"
        ).iter_rows():
            batch.setdefault(n, []).append((rule, outcome, list(missing)))

    rank = {o: i for i, o in enumerate(policy.case_priority)}
    seen_rules: set[str] = set()
    for n, case in enumerate(all_cases):
        decision = evaluate(policy, case, catalog=catalog)
        expected = []
        for charge in case.charges:
            resolved = catalog.resolve(
                law_code=charge.law_code, pd_cd=charge.pd_cd, on=charge.arrest_date
            )
            env = oracle_env(resolved, catalog, case.decision_date, case.defendant.age_group)
            expected.append(oracle(policy, env))
        per_case = [(c.rule_id, c.outcome.value, list(c.missing_facts)) for c in decision.charges]
        where = f"case {n}: {case.to_dict()}"
        assert per_case == expected, where
        assert batch[n] == expected, where
        outcomes = [o for _, o, _ in expected]
        assert decision.case_priority.value == min(outcomes, key=lambda o: rank[o]), where
        union = {f for _, _, missing in expected for f in missing}
        assert list(decision.missing_facts) == [f for f in FACT_NAMES if f in union], where
        seen_rules |= {r for r, _, _ in expected}
    # the inputs reach every rule an NYPD record can reach
    assert seen_rules >= {
        "outside-policy",
        "unrecognised-charge",
        "loitering-after-repeal",
        "loitering-declined",
        "selling-declined",
        "not-in-force-at-arrest",
        "minor-charged-with-promoting",
        "trafficking-priority",
        "coercion-priority",
        "minor-victim-priority",
    }


def test_an_undated_charge_is_not_taken_as_in_force(policy: Policy) -> None:
    """``PL 2302502`` with no arrest date: both evaluators ask for the date."""
    decision = evaluate(policy, {"charges": [{"law_code": "PL 2302502"}]})
    assert decision.charges[0].facts["charge.in_force_at_arrest"] is None
    assert "charge.in_force_at_arrest" in decision.charges[0].missing_facts
    frame = pl.DataFrame(
        {"LAW_CODE": ["PL 2302502"], "PD_CD": [None], "ARREST_DATE": [None], "AGE_GROUP": [None]},
        schema=dict.fromkeys(("LAW_CODE", "PD_CD", "ARREST_DATE", "AGE_GROUP"), pl.String),
    )
    screened = screen_frame(policy, frame.lazy(), columns=("rule_id", "missing_facts")).collect()
    assert screened["rule_id"].to_list() == [decision.charges[0].rule_id]
    assert screened["missing_facts"].to_list() == [list(decision.charges[0].missing_facts)]


# --- named facts drawn at random (every fact, not only those a file tells) -------------------


def _batch(policy: Policy, rows: list[Env]) -> list[tuple[str, str, list[str]]]:
    frame = env_grid(dict.fromkeys(FACT_NAMES, ())).clear()
    frame = pl.DataFrame(rows, schema=frame.schema)
    out = evaluate_frame(policy, frame.lazy()).collect()
    return list(zip(out["rule_id"], out["outcome"], out["missing_facts"].to_list(), strict=True))


def _single(policy: Policy, env: Mapping[str, object]) -> tuple[str, str, list[str]]:
    v = decide(policy, env)  # type: ignore[arg-type]
    return v.rule.id, v.outcome.value, list(v.missing_facts)


def _open_unknowns(policy: Policy, env: Env) -> int:
    count: set[str] = set()
    for r in policy.rules:
        result = evaluate3(r.when, env)
        if result is True:
            break
        if result is None:
            count |= {f for f in r.facts if env[f] is None}
    return len(count)


@settings(max_examples=150, deadline=None)
@given(rows=st.lists(envs(), min_size=1, max_size=30))
def test_both_evaluators_agree_on_random_facts(policy: Policy, rows: list[Env]) -> None:
    single = [_single(policy, env) for env in rows]
    assert _batch(policy, rows) == single
    # the oracle where its enumeration is small (it is exhaustive, so it is slow on many unknowns)
    for env, got in zip(rows, single, strict=True):
        if _open_unknowns(policy, env) <= 9:
            assert got == oracle(policy, env), env


PANEL_VALUES = {
    "panel.determination": ("none", "voluntary", "involuntary", "cannot_tell", None),
    "panel.recommendation": ("none", "decline", "prosecute", "divert", "more_facts", None),
}


def test_the_random_facts_draw_every_panel_value() -> None:
    """The domains the property tests draw from hold every determination and recommendation
    the panel records (the review app's choices, written out here)."""
    for name, values in PANEL_VALUES.items():
        assert set(FACTS[name].domain) | {None} == set(values), name
    assert set(PANEL_VALUES) <= set(FACT_NAMES)


@settings(max_examples=120, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            envs(unknown=0.2),
            st.sampled_from(PANEL_VALUES["panel.determination"]),
            st.sampled_from(PANEL_VALUES["panel.recommendation"]),
            st.sampled_from(("promoter", "trafficker", "buyer", "seller", None)),
        ),
        min_size=1,
        max_size=25,
    )
)
def test_both_evaluators_agree_on_panel_determinations(
    policy: Policy, rows: list[tuple[Env, str | None, str | None, str | None]]
) -> None:
    """Charges of the roles the panel decides, with every determination and recommendation."""
    envs_ = []
    for env, determination, recommendation, role in rows:
        env = {
            **env,
            "charge.status": "cataloged",
            "charge.role": role,
            "panel.determination": determination,
            "panel.recommendation": recommendation,
        }
        envs_.append(env)
    single = [_single(policy, env) for env in envs_]
    assert _batch(policy, envs_) == single
    for env, got in zip(envs_, single, strict=True):
        if _open_unknowns(policy, env) <= 9:
            assert got == oracle(policy, env), env


@settings(max_examples=40, deadline=None)
@given(rows=st.lists(envs(unknown=0.8), min_size=1, max_size=20))
def test_both_evaluators_agree_when_most_facts_are_unknown(policy: Policy, rows: list[Env]) -> None:
    assert _batch(policy, rows) == [_single(policy, env) for env in rows]


def test_the_screening_decision_table_agrees_on_every_row(policy: Policy) -> None:
    table = decision_table(policy)
    expected_rows = 1
    for f in NYPD_FACTS:
        expected_rows *= len(FACTS[f].domain) + 1
    assert table.height == expected_rows == 29_160
    for row in table.iter_rows(named=True):
        env = {f: row[f] for f in NYPD_FACTS}
        assert (row["rule_id"], row["outcome"], row["missing_facts"]) == _single(policy, env), env
