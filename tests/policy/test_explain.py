"""The plain-English explanation: the wording a lawyer reads, asserted exactly."""

from __future__ import annotations

from survivors_justice.policy import Policy, evaluate
from survivors_justice.policy.explain import charge_label, explain, fact_sentence, plain_note

CASE = {
    "decision_date": "2026-11-28",
    "charges": [
        {"law_code": "PL 2302502", "arrest_date": "2017-12-05"},
        {"law_code": "PL 230345A", "pd_cd": "586", "arrest_date": "2017-12-05"},
    ],
    "defendant": {"age": 30},
}


def test_under_19_is_not_called_a_minor(policy: Policy) -> None:
    decision = evaluate(policy, CASE)
    under_19 = decision.charges[0]
    assert under_19.rule_id == "minor-victim-priority"
    assert under_19.reason == (
        "The offense charged is defined by the young age of the person prostituted, or a person "
        "exploited in the case is under 18; it is prosecuted as a priority case."
    )
    text = explain(decision, policy)
    assert "committed against a minor" not in text
    assert (
        "Charge 1: PL 2302502, read as PL 230.25(2) Promoting prostitution in the third degree "
        "(a person under 19), D felony\n"
    ) in text


def test_paragraphs_are_cited_as_a_lawyer_writes_them(policy: Policy) -> None:
    charge = evaluate(policy, CASE).charges[1]
    assert charge.citation == "PL 230.34(5)(a)"
    assert charge.to_dict()["citation"] == "PL 230.34(5)(a)"
    assert charge_label(charge) == (
        "PL 230345A, read as PL 230.34(5)(a) Sex trafficking (fear of physical injury, serious "
        "physical injury or death), B felony"
    )
    assert "5(a))" not in explain(evaluate(policy, CASE), policy)


def test_citations_and_links_are_plain_text(policy: Policy) -> None:
    decision = evaluate(policy, CASE)
    charge = decision.charges[1]
    assert charge.citations == (
        "Survivor's Justice Policy v2026.3 §coercive-and-predatory (Coercive and predatory cases "
        "come first)",
        "PL 230.34(5)(a) Sex trafficking (fear of physical injury, serious physical injury or "
        "death)",
    )
    assert charge.source_url == "https://www.nysenate.gov/legislation/laws/PEN/230.34"
    text = explain(decision, policy)
    assert "<" not in text and ">" not in text
    assert "  Text of the law: https://www.nysenate.gov/legislation/laws/PEN/230.34\n" in text


def test_permitting_is_cited_under_its_own_section(policy: Policy) -> None:
    charge = evaluate(
        policy, {"charges": [{"section": "230.40", "arrest_date": "2020-01-01"}]}
    ).charges[0]
    assert charge.rule_id == "permitting-prosecuted"
    assert charge.citations[0] == (
        "Survivor's Justice Policy v2026.3 §permitting (People who let their premises be used "
        "for prostitution are prosecuted)"
    )
    assert all("buyers-and-promoters" not in c for c in charge.citations)


def test_no_internal_names_in_the_lawyers_view(policy: Policy) -> None:
    decision = evaluate(policy, CASE)
    text = explain(decision, policy)
    for internal in (
        "cataloged",
        "charge.status",
        "charge.role",
        "defendant.victim_indicators",
        "minor-victim-priority",
        "trafficking-priority",
        "(rule ",
        "(prosecute_priority)",
        "id survivors-justice",
    ):
        assert internal not in text, internal
    assert text.startswith(
        "Policy: Survivor's Justice Policy, version 2026.3\n"
        "Decision date: 2026-11-28\n"
        "The case as a whole: prosecute as a priority case.\n"
    )
    assert (
        "  What the policy's rules read:\n"
        "    - The charge is a prostitution or trafficking offense in the charge catalog.\n"
        "    - The law charged targets people who promote or profit from prostitution.\n"
        "    - The charge is a prostitution offense.\n"
        "    - Does the charged offense, as the law defines it, involve a minor? Yes.\n"
    ) in text
    assert text.endswith(
        "Until these are known, the recommendation above is provisional: Does the defendant show "
        "signs of being a victim of trafficking or coercion? Are the people charged with "
        "promoting each other people who sold sex together?"
    )


def test_fact_sentences() -> None:
    assert fact_sentence("charge.status", "unknown") == (
        "The charge looks like a prostitution or trafficking offense, but the charge catalog "
        "does not list its code."
    )
    assert fact_sentence("charge.role", "premises") == (
        "The law charged targets people who let premises be used for prostitution."
    )
    assert fact_sentence("indicators.force", None) == (
        "Was force used to control anyone in the case? Unknown."
    )
    assert fact_sentence("defendant.minor", False) == "Is the defendant under 18? No."


def test_reading_ids_are_left_out_of_notes(policy: Policy) -> None:
    decision = evaluate(
        policy,
        {"charges": [{"law_code": "PL 2300300", "pd_cd": "565", "arrest_date": "2008-03-01"}]},
    )
    note = decision.charges[0].note
    assert "[reading patronizing-4th-after-repeal]" in note
    assert "[reading" not in plain_note(note)
    assert "[reading" not in explain(decision, policy)
