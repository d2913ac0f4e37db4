"""The screening instrument as data: loading, skip logic, answers -> facts, scenarios, CLI."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from survivors_justice.cli import app as sj
from survivors_justice.instrument.administer import (
    FactAnswer,
    check_answer,
    derive_facts,
    next_question,
    progress,
)
from survivors_justice.instrument.errors import (
    BadAnswerError,
    InstrumentDocumentError,
    NotAskedError,
    UnknownQuestionError,
)
from survivors_justice.instrument.loader import (
    DEFAULT_INSTRUMENT,
    load_instrument,
    parse_instrument,
)
from survivors_justice.instrument.model import ANSWERABLE_FACTS, REQUIRED_LANGUAGES
from survivors_justice.instrument.scenarios import coverage, run_scenarios, scenario_files

INS = load_instrument()
RAW = yaml.safe_load(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
runner = CliRunner()


def test_every_question_and_answer_is_in_the_six_languages_and_says_its_review_status() -> None:
    assert set(INS.languages) == set(REQUIRED_LANGUAGES)
    assert INS.languages["en"].status.value == "source"
    for code in ("es", "zh-Hans", "ko", "bn", "ru"):
        assert INS.languages[code].status.value in {"draft", "reviewed"}
    for q in RAW["questions"]:
        assert set(q["text"]) == set(REQUIRED_LANGUAGES), q["id"]
        assert all(t.strip() for t in q["text"].values())
    for options in RAW["answer_sets"].values():
        for opt in options:
            assert set(opt["text"]) == set(REQUIRED_LANGUAGES)


def test_the_instrument_asks_what_the_issue_lists() -> None:
    facts = {m.fact for q in INS.questions for m in q.facts}
    assert facts == set(ANSWERABLE_FACTS)
    ids = {q.id for q in INS.questions}
    # force, threats, fraud, debt bondage, documents withheld, drugs as control, age at first
    # exploitation, who controls the money, freedom to leave
    assert {
        "force",
        "threats",
        "fraud",
        "debt",
        "documents",
        "drugs",
        "age_first",
        "money",
        "free_to_leave",
    } <= ids
    statutes = {e.statute.split("(")[0] for q in INS.questions for e in q.elements}
    assert {"PL 230.34", "PL 135.35"} <= statutes


def _doc(**changes: object) -> str:
    doc = yaml.safe_load(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
    doc.update(changes)
    return yaml.safe_dump(doc, allow_unicode=True)


def test_a_missing_translation_is_refused_naming_question_and_language() -> None:
    doc = yaml.safe_load(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
    del doc["questions"][4]["text"]["ko"]
    with pytest.raises(InstrumentDocumentError) as exc:
        parse_instrument(yaml.safe_dump(doc, allow_unicode=True))
    assert "question 'force'.text has no 'ko' text" in str(exc.value)


def test_every_problem_is_listed_at_once() -> None:
    doc = yaml.safe_load(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
    doc["questions"][4]["facts"][0]["fact"] = "indicators.magic"
    doc["questions"][5]["facts"][0]["map"]["dont_know"] = False
    doc["questions"][8]["ask_if"]["question"] = "later_question"
    doc["languages"]["ru"]["status"] = "reviewed"
    with pytest.raises(InstrumentDocumentError) as exc:
        parse_instrument(yaml.safe_dump(doc, allow_unicode=True))
    text = str(exc.value)
    assert len(exc.value.problems) == 4, exc.value.problems
    assert "fact 'indicators.magic' is not one an instrument may answer" in text
    assert "'dont_know' may not give a fact" in text
    assert "ask_if names 'later_question', which is not an earlier question" in text
    assert "languages.ru is marked reviewed without a reviewer" in text


def test_an_answer_set_without_prefer_not_to_say_is_refused() -> None:
    doc = yaml.safe_load(DEFAULT_INSTRUMENT.read_text(encoding="utf-8"))
    doc["answer_sets"]["yes_no"] = doc["answer_sets"]["yes_no"][:3]
    with pytest.raises(InstrumentDocumentError, match="lacks 'prefer_not_to_say'"):
        parse_instrument(yaml.safe_dump(doc, allow_unicode=True))


def test_not_yaml_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_bytes(b"\xff\xfe not text")
    with pytest.raises(InstrumentDocumentError, match="cannot read the file"):
        load_instrument(bad)


def test_skip_logic_asks_the_debt_follow_up_only_after_a_debt() -> None:
    before = {
        "age_first": 30,
        "someone_arranges": "no",
        "money": "self",
        "free_to_leave": "yes",
        "force": "no",
        "threats": "no",
        "fraud": "no",
    }
    q = next_question(INS, {**before, "debt": "yes"})
    assert q is not None and q.id == "debt_grows"
    q = next_question(INS, {**before, "debt": "no"})
    assert q is not None and q.id == "documents"
    assert progress(INS, {**before, "debt": "yes"}) == (8, 12)
    assert progress(INS, {**before, "debt": "no"}) == (8, 11)
    with pytest.raises(NotAskedError, match="only asked when 'debt' was answered yes"):
        check_answer(INS, "debt_grows", "yes", {"debt": "no"})


def test_answers_are_checked_with_what_to_give_instead() -> None:
    with pytest.raises(
        BadAnswerError, match="takes one of yes, no, dont_know, prefer_not_to_say, not 'maybe'"
    ):
        check_answer(INS, "force", "maybe", {})
    with pytest.raises(BadAnswerError, match="from 0 to 99, not 140"):
        check_answer(INS, "age_first", "140", {})
    with pytest.raises(BadAnswerError, match="takes a whole number"):
        check_answer(INS, "age_first", "fifteen", {})
    with pytest.raises(UnknownQuestionError, match="no question 'pets'"):
        check_answer(INS, "pets", "yes", {})
    assert check_answer(INS, "age_first", " 15 ", {}) == 15
    assert check_answer(INS, "age_first", "prefer_not_to_say", {}) == "prefer_not_to_say"


# An independent reading of the rule, from the YAML as written (not the model's code):
def _expected(answers: dict[str, str | int]) -> dict[str, tuple[bool | None, str]]:
    true: dict[str, bool] = {}
    false: dict[str, bool] = {}
    withheld: dict[str, set[str]] = {}
    for q in RAW["questions"]:
        if q["id"] not in answers:
            continue
        a = answers[q["id"]]
        for m in q["facts"]:
            f = m["fact"]
            if a in ("dont_know", "prefer_not_to_say"):
                withheld.setdefault(f, set()).add(str(a))
            elif "map" in m:
                v = m["map"].get(a)
                if v is True:
                    true[f] = True
                elif v is False:
                    false[f] = True
            elif isinstance(a, int) and a < m["below"]:
                (true if m["value"] else false)[f] = True
    out: dict[str, tuple[bool | None, str]] = {}
    for f in {*true, *false, *withheld}:
        if f in true:
            out[f] = (True, "known")
        elif f in withheld:
            out[f] = (
                None,
                "prefer_not_to_say" if withheld[f] == {"prefer_not_to_say"} else "unknown",
            )
        else:
            out[f] = (False, "known")
    return out


def _answer_strategy() -> st.SearchStrategy[dict[str, str | int]]:
    parts = {}
    for q in RAW["questions"]:
        if q["kind"] == "number":
            opts: st.SearchStrategy[str | int] = st.one_of(
                st.integers(q["min"], q["max"]), st.sampled_from(["dont_know", "prefer_not_to_say"])
            )
        else:
            opts = st.sampled_from([o["value"] for o in RAW["answer_sets"][q["answers"]]])
        parts[q["id"]] = st.one_of(st.none(), opts)
    return st.fixed_dictionaries(parts).map(
        lambda d: _respect_skips({k: v for k, v in d.items() if v is not None})
    )


def _respect_skips(answers: dict[str, str | int]) -> dict[str, str | int]:
    for q in RAW["questions"]:
        cond = q.get("ask_if")
        if cond and q["id"] in answers and answers.get(cond["question"]) not in cond["answer_in"]:
            del answers[q["id"]]
    return answers


@settings(max_examples=400, deadline=None)
@given(_answer_strategy())
def test_facts_follow_the_three_valued_rule_for_any_answers(answers: dict[str, str | int]) -> None:
    got = {f: (d.value, d.answer.value) for f, d in derive_facts(INS, answers).items()}
    assert got == _expected(answers)
    # "I'd rather not say" and "I don't know" never become false
    for f, d in derive_facts(INS, answers).items():
        if d.answer is not FactAnswer.KNOWN:
            assert d.value is None, f


def test_every_answer_of_every_question_leaves_a_next_question_or_the_end() -> None:
    for q in INS.questions:
        values = [15, 40] if q.kind.value == "number" else list(q.option_values())
        for v in values:
            answers = {
                p.id: (30 if p.kind.value == "number" else p.option_values()[1])
                for p in itertools.takewhile(lambda p, stop=q.id: p.id != stop, INS.questions)
                if p.ask_if is None
            }
            if q.ask_if and answers.get(q.ask_if.question) not in q.ask_if.answer_in:
                answers[q.ask_if.question] = q.ask_if.answer_in[0]
            answers[q.id] = v
            derive_facts(INS, answers)
            nxt = next_question(INS, answers)
            assert nxt is None or nxt.id not in answers


def test_shipped_scenarios_pass_and_cover_every_mapping() -> None:
    results = run_scenarios(INS, scenario_files())
    failures = [(r.scenario.name, r.problems) for r in results if not r.passed]
    assert failures == []
    assert coverage(INS, results) == []
    assert len(results) >= 30


def test_coverage_names_a_mapping_no_scenario_exercises(tmp_path: Path) -> None:
    only = tmp_path / "one.yaml"
    only.write_text(
        "title: t\nscenarios:\n  - name: force\n    answers: {force: 'yes'}\n"
        "    expect: {facts: {indicators.force: true}}\n"
    )
    missing = coverage(INS, run_scenarios(INS, [only]))
    assert "force -> indicators.force when answered no" in missing
    assert "force -> indicators.force when answered yes" not in missing


def test_sj_instrument_test_passes_and_fails_as_the_scenarios_do(tmp_path: Path) -> None:
    ok = runner.invoke(sj, ["instrument", "test"])
    assert ok.exit_code == 0, ok.output
    assert "0 failed" in ok.output and "not covered" not in ok.output
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(
        "title: t\nscenarios:\n  - name: says no is yes\n    answers: {force: 'no'}\n"
        "    expect: {facts: {indicators.force: true}}\n"
    )
    bad = runner.invoke(sj, ["instrument", "test", str(wrong)])
    assert bad.exit_code == 1
    assert "FAIL  says no is yes" in bad.output
    assert "expected {'indicators.force': True}, got {'indicators.force': False}" in bad.output


def test_sj_instrument_show_prints_a_language_and_its_review_status() -> None:
    r = runner.invoke(sj, ["instrument", "show", "--language", "es"])
    assert r.exit_code == 0, r.output
    assert "Español: translation draft" in r.output
    r = runner.invoke(sj, ["instrument", "show", "--language", "fr"])
    assert r.exit_code == 2
    assert "no 'fr' text" in r.output
