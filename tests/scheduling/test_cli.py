"""`sj court plan`: the table, the JSON, the calendar files and the errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from icalendar import Calendar
from typer.testing import CliRunner

from survivors_justice.scheduling.cli import app

EXAMPLE = Path(__file__).parent / "data" / "example.json"
HEARING_KEYS = {"case", "hearing", "date", "part", "session", "slot"}
METRIC_KEYS = {"survivor_days_mean", "survivor_days_p90", "all_days_mean", "encounters",
               "deadline_violations", "capacity_violations", "unscheduled_hearings",
               "survivor_sessions"}


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["plan", *args])
    return result.exit_code, result.output


def test_plan_writes_both_plans_with_their_metrics(tmp_path: Path) -> None:
    out = tmp_path / "plan.json"
    code, text = run(str(EXAMPLE), "--time-limit", "5", "--json", str(out))
    assert code == 0, text
    assert "First come, first served" in text and "OPTIMAL" in text
    data = json.loads(out.read_text())
    for key in ("plan", "fifo"):
        assert set(data[key]["metrics"]) == METRIC_KEYS
        assert data[key]["hearings"]
        assert all(set(h) == HEARING_KEYS for h in data[key]["hearings"])
    assert data["plan"]["status"] == "OPTIMAL"
    assert data["plan"]["gap"] == 0.0
    assert data["plan"]["objective_bound"] == data["plan"]["objective"]
    # the example needs 6 hearings (3 + 2 + 1): all held, none with an encounter
    assert len(data["plan"]["hearings"]) == 6
    assert data["plan"]["metrics"]["encounters"] == 0


def test_ics_files_per_part_and_person(tmp_path: Path) -> None:
    code, text = run(str(EXAMPLE), "--time-limit", "5", "--ics", str(tmp_path))
    assert code == 0, text
    names = {p.name for p in tmp_path.iterdir()}
    people = {n for n in names if n.startswith("person-")}
    assert people == {"person-D-3.ics", "person-D-9.ics", "person-S-7.ics"}
    assert "part-Q-A.ics" in names and names - people <= {"part-Q-A.ics", "part-Q-C.ics"}
    survivor = Calendar.from_ical((tmp_path / "person-S-7.ics").read_bytes())
    events = list(survivor.walk("VEVENT"))
    # S-7 attends hearing 3 of C-1 and hearing 2 of C-2
    assert sorted(str(e["summary"]) for e in events) == ["Case C-1, hearing 3",
                                                         "Case C-2, hearing 2"]
    parts = sum(len(list(Calendar.from_ical(p.read_bytes()).walk("VEVENT")))
                for p in tmp_path.glob("part-*.ics"))
    assert parts == 6


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("{not json", "is not valid JSON (line 1"),
        ('{"start_date": "2027-13-01", "horizon_days": 5, "parts": [], "cases": []}',
         "start_date is '2027-13-01', which is not a date; write YYYY-MM-DD"),
        ('{"start_date": "2027-01-04", "horizon_days": 5, "cases": []}',
         "the docket has no 'parts'; add it"),
        ('{"start_date": "2027-01-04", "horizon_days": 5, "parts": [{"id": "A", '
         '"slots_per_session": 1, "sessions": ["am"]}], "cases": [{"id": "C1", "parts": ["Z"],'
         ' "filed": "2027-01-01", "hearings": 1, "ready_by": "2027-02-01"}]}',
         "case 'C1' names part 'Z', which the docket does not define; use one of ['A']"),
        ('{"start_date": "2027-01-04", "horizon_days": 5, "parts": [{"id": "A", '
         '"slots_per_session": 1, "sessions": ["am"]}], "cases": [{"id": "C1", "parts": ["A"],'
         ' "filed": "2027-01-01", "hearings": 2, "ready_by": "2027-02-01", '
         '"attend": {"S1": [3]}}]}',
         "names hearing 3, but the case has only 2 hearings"),
        ('{"start_date": "2027-01-04", "horizon_days": 0, "parts": [], "cases": []}',
         "horizon_days is 0; it must be between 1 and 366"),
    ],
)
def test_bad_dockets_get_a_plain_error(tmp_path: Path, content: str, expected: str) -> None:
    path = tmp_path / "docket.json"
    path.write_text(content)
    code, text = run(str(path))
    assert code == 2
    assert expected in " ".join(text.split())
    assert "Traceback" not in text


def test_missing_file_is_a_plain_error(tmp_path: Path) -> None:
    code, text = run(str(tmp_path / "nowhere.json"))
    assert code == 2
    assert "cannot read the docket file" in " ".join(text.split())
    assert "Traceback" not in text
