"""What a court plan page shows: labels that name no one, the week grid, a line per case.

People never appear by name or id: survivors are "Survivor 1, 2...", the people they are kept
apart from "Kept-apart person 1...", everyone else "Person 1...". A case appears by its number
only when it is not one of the office's cases or the viewer may open it; otherwise "Case N".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from survivors_justice.scheduling.docket import Docket
from survivors_justice.scheduling.explain import explain_case
from survivors_justice.scheduling.metrics import Hearing, encounter_list

METRIC_ROWS = (
    ("survivor_days_mean", "Survivors' days until done with court (mean)"),
    ("survivor_days_p90", "Survivors' days until done with court (90th percentile)"),
    ("all_days_mean", "Everyone's days until done with court (mean)"),
    ("encounters", "Encounters (a survivor and a person kept apart in one session)"),
    ("deadline_violations", "Cases heard after their CPL 30.30 date"),
    ("unscheduled_hearings", "Hearings left unscheduled"),
    ("survivor_sessions", "Survivors' appearances (sessions in the courthouse)"),
    ("capacity_violations", "Hearings beyond a session's slots"),
)
RISK_DAYS = 7  # a last hearing this close to the CPL 30.30 date is shown as a risk


@dataclass
class Labels:
    cases: dict[str, str] = field(default_factory=dict)
    people: dict[str, str] = field(default_factory=dict)

    def case(self, case_id: str) -> str:
        return self.cases.get(case_id, case_id)

    def text(self, sentence: str) -> str:
        """``sentence`` with every case and person id replaced by its label."""
        for raw, label in sorted({**self.cases, **self.people}.items(),
                                 key=lambda kv: -len(kv[0])):
            sentence = sentence.replace(raw, label)
        return sentence


def make_labels(docket: Docket, hidden_cases: set[str]) -> Labels:
    labels = Labels()
    for i, case in enumerate(docket.cases, start=1):
        labels.cases[case.id] = f"Case {i}" if case.id in hidden_cases else case.id
    survivors = [s for s, _ in docket.keep_apart]
    apart = [o for _, o in docket.keep_apart]
    others = [p for c in docket.cases for p in c.attend]
    counters: dict[str, int] = defaultdict(int)
    for kind, group in (("Survivor", survivors), ("Kept-apart person", apart), ("Person", others)):
        for person in group:
            if person not in labels.people:
                counters[kind] += 1
                labels.people[person] = f"{kind} {counters[kind]}"
    return labels


def hearings_of(document: dict[str, Any], which: str) -> list[Hearing]:
    return [Hearing(date=date.fromisoformat(h["date"]), session=h["session"], part=h["part"],
                    slot=h["slot"], case=h["case"], hearing=h["hearing"])
            for h in document[which]["hearings"]]


def metric_rows(document: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    plan, fifo = document["plan"]["metrics"], document["fifo"]["metrics"]
    return [(label, plan[key], fifo[key]) for key, label in METRIC_ROWS]


def grid(docket: Docket, hearings: list[Hearing], labels: Labels) -> dict[str, Any]:
    """Rows: court days with a hearing; columns: (part, session); cells: the hearings there."""
    survivor_cases = {c.id for c in docket.cases if docket.is_survivor_case(c)}
    columns = [(p.id, s) for p in docket.parts for s in p.sessions]
    cells: dict[tuple[date, str, str], list[dict[str, Any]]] = defaultdict(list)
    for h in sorted(hearings):
        cells[(h.date, h.part, h.session)].append(
            {"case": labels.case(h.case), "hearing": h.hearing,
             "survivor": h.case in survivor_cases})
    days = sorted({h.date for h in hearings})
    rows = [{"date": d, "cells": [cells.get((d, p, s), []) for p, s in columns]} for d in days]
    return {"columns": columns, "rows": rows}


def case_lines(docket: Docket, plan: list[Hearing], fifo: list[Hearing],
               labels: Labels) -> list[dict[str, Any]]:
    """One line per case: its hearings in the plan, its CPL 30.30 date, and why, in words."""
    by_case: dict[str, list[Hearing]] = defaultdict(list)
    for h in plan:
        by_case[h.case].append(h)
    fifo_last: dict[str, date] = {}
    for h in fifo:
        fifo_last[h.case] = max(h.date, fifo_last.get(h.case, h.date))
    lines = []
    for case in docket.cases:
        held = sorted(by_case[case.id])
        last = held[-1].date if held else None
        risk = "none"
        if len(held) < case.hearings:
            reason = explain_case(docket, case)
            missing = case.hearings - len(held)
            why = labels.text(reason) if reason else (
                "the courthouse has no room for it beside the cases that come first (survivors' "
                "cases, then those nearest their CPL 30.30 date); add court days or slots.")
            text = f"{missing} of {case.hearings} hearings not scheduled: {why}"
            risk = "unscheduled"
        elif last is not None and last > case.ready_by:
            text = f"Last hearing {last}, after the CPL 30.30 date {case.ready_by}."
            risk = "late"
        else:
            margin = (case.ready_by - last).days if last else 0
            held_by = (f"All {case.hearings} hearings held by" if case.hearings > 1
                       else "Its hearing held on")
            text = (f"{held_by} {last}, {margin} day{'s' if margin != 1 else ''} before the "
                    f"CPL 30.30 date {case.ready_by}.")
            if margin <= RISK_DAYS:
                risk = "close"
        if case.id in fifo_last:
            text += f" First come, first served would finish on {fifo_last[case.id]}."
        lines.append({"case": labels.case(case.id), "survivor": docket.is_survivor_case(case),
                      "hearings": held, "ready_by": case.ready_by, "risk": risk, "text": text})
    return lines


def encounters(docket: Docket, hearings: list[Hearing], labels: Labels) -> list[str]:
    return [f"{labels.people.get(a, a)} and {labels.people.get(b, b)} on {day}, {session} session"
            for a, b, day, session in encounter_list(docket, hearings)]


def labelled(hearings: list[Hearing], labels: Labels) -> list[Hearing]:
    return [Hearing(date=h.date, session=h.session, part=h.part, slot=h.slot,
                    case=labels.case(h.case), hearing=h.hearing) for h in hearings]
