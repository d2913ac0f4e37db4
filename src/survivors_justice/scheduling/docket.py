"""The docket file: parts, cases, who must attend, who must be kept apart; and its calendar.

A docket is read once into frozen dataclasses. Every error names the field and the bad value and
says what to write instead (:class:`DocketError`); nothing is guessed or silently dropped.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

MAX_HORIZON_DAYS = 366
MAX_HEARINGS_PER_CASE = 20


class DocketError(ValueError):
    """A docket that cannot be planned: the message names the field, the value and the fix."""


@dataclass(frozen=True, slots=True)
class Part:
    """A courtroom part: its sessions (``am``, ``pm``), slots per session and weekdays (Mon=0)."""

    id: str
    slots_per_session: int
    sessions: tuple[str, ...]
    weekdays: frozenset[int]


@dataclass(frozen=True, slots=True)
class Case:
    """A case to calendar: ``hearings`` hearings (numbered from 1) in one of its ``parts``."""

    id: str
    parts: tuple[str, ...]
    filed: date
    hearings: int
    min_gap_days: int
    ready_by: date
    # person id -> the hearing numbers they must attend
    attend: Mapping[str, frozenset[int]]

    def attendees(self, hearing: int) -> tuple[str, ...]:
        """Who must be in court for hearing number ``hearing`` (sorted)."""
        return tuple(sorted(p for p, hs in self.attend.items() if hearing in hs))


@dataclass(frozen=True, slots=True)
class Session:
    """One sitting of one part on one court day: ``capacity`` hearing slots."""

    day: date
    part: str
    session: str
    capacity: int


@dataclass(frozen=True)
class Docket:
    start_date: date
    horizon_days: int
    holidays: frozenset[date]
    parts: tuple[Part, ...]
    cases: tuple[Case, ...]
    keep_apart: tuple[tuple[str, str], ...]
    unavailable: Mapping[str, frozenset[date]]
    _sessions: tuple[Session, ...] = field(default=(), repr=False, compare=False)

    # ------------------------------------------------------------------ calendar
    @property
    def end_date(self) -> date:
        """The last calendar day of the horizon."""
        return self.start_date + timedelta(days=self.horizon_days - 1)

    def part(self, part_id: str) -> Part:
        for p in self.parts:
            if p.id == part_id:
                return p
        raise KeyError(part_id)

    def court_days(self, part: Part) -> tuple[date, ...]:
        """A part's weekdays within the horizon, less holidays."""
        return tuple(
            d
            for d in (self.start_date + timedelta(days=i) for i in range(self.horizon_days))
            if d.weekday() in part.weekdays and d not in self.holidays
        )

    def session_names(self) -> tuple[str, ...]:
        """Every session name in the order of the day (first seen in the parts, in order)."""
        seen: list[str] = []
        for p in self.parts:
            for s in p.sessions:
                if s not in seen:
                    seen.append(s)
        return tuple(seen)

    def sessions(self) -> tuple[Session, ...]:
        """Every sitting in time order: by day, then session of the day, then part as listed."""
        if self._sessions:
            return self._sessions
        order = {s: i for i, s in enumerate(self.session_names())}
        part_order = {p.id: i for i, p in enumerate(self.parts)}
        out = [
            Session(d, p.id, s, p.slots_per_session)
            for p in self.parts
            for d in self.court_days(p)
            for s in p.sessions
        ]
        out.sort(key=lambda x: (x.day, order[x.session], part_order[x.part]))
        object.__setattr__(self, "_sessions", tuple(out))
        return self._sessions

    # ------------------------------------------------------------------ people
    @property
    def survivors(self) -> frozenset[str]:
        """The first person of each keep-apart pair."""
        return frozenset(s for s, _ in self.keep_apart)

    def is_survivor_case(self, case: Case) -> bool:
        """A survivor attends any of the case's hearings."""
        survivors = self.survivors
        return any(p in survivors and hs for p, hs in case.attend.items())

    def day_index(self, day: date) -> int:
        """Calendar days from ``start_date``."""
        return (day - self.start_date).days


def load_docket(path: Path) -> Docket:
    """Read a docket file (JSON)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise DocketError(
            f"cannot read the docket file {str(path)!r} ({exc.strerror}); check the path"
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DocketError(
            f"{str(path)!r} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "fix the file and run again"
        ) from None
    return parse_docket(data)


# ---------------------------------------------------------------------- parsing helpers
def _obj(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise DocketError(f"{where} must be a JSON object, not {value!r}")
    return value


def _list(value: Any, where: str) -> Sequence[Any]:
    if not isinstance(value, list):
        raise DocketError(f"{where} must be a JSON list, not {value!r}")
    return value


def _req(data: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in data:
        raise DocketError(f"{where} has no {key!r}; add it (see the docket format in the README)")
    return data[key]


def _date(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise DocketError(f"{where} must be a date written YYYY-MM-DD, not {value!r}")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise DocketError(f"{where} is {value!r}, which is not a date; write YYYY-MM-DD") from None


def _int(value: Any, where: str, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise DocketError(f"{where} must be a whole number, not {value!r}")
    if not lo <= value <= hi:
        raise DocketError(f"{where} is {value}; it must be between {lo} and {hi}")
    number: int = value
    return number


def _str(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise DocketError(f"{where} must be a non-empty text, not {value!r}")
    return value


def _part(raw: Any, i: int) -> Part:
    where = f"parts[{i}]"
    data = _obj(raw, where)
    pid = _str(_req(data, "id", where), f"{where}.id")
    where = f"part {pid!r}"
    slots = _int(_req(data, "slots_per_session", where), f"{where} slots_per_session", 1, 100)
    sessions = tuple(
        _str(s, f"{where} sessions[{j}]")
        for j, s in enumerate(_list(_req(data, "sessions", where), f"{where} sessions"))
    )
    if not sessions:
        raise DocketError(f"{where} has no sessions; list at least one, e.g. [\"am\", \"pm\"]")
    if len(set(sessions)) != len(sessions):
        raise DocketError(f"{where} lists a session twice in {list(sessions)}; list each once")
    weekdays = frozenset(
        _int(w, f"{where} weekdays[{j}]", 0, 6)
        for j, w in enumerate(_list(data.get("weekdays", [0, 1, 2, 3, 4]), f"{where} weekdays"))
    )
    if not weekdays:
        raise DocketError(f"{where} sits on no weekday; list weekdays 0 (Monday) to 6 (Sunday)")
    return Part(pid, slots, sessions, weekdays)


def _attend(raw: Any, where: str, hearings: int) -> dict[str, frozenset[int]]:
    data = _obj(raw, where)
    out: dict[str, frozenset[int]] = {}
    for person, spec in data.items():
        pw = f"{where}[{person!r}]"
        _str(person, f"{where} person id")
        if spec == "all":
            out[person] = frozenset(range(1, hearings + 1))
            continue
        numbers = [_int(h, f"{pw}[{j}]", 1, 10**6) for j, h in enumerate(_list(spec, pw))]
        for h in numbers:
            if h > hearings:
                raise DocketError(
                    f"{pw} names hearing {h}, but the case has only {hearings} hearings; "
                    f"use numbers 1 to {hearings} or \"all\""
                )
        out[person] = frozenset(numbers)
    return out


def _case(raw: Any, i: int, part_ids: set[str]) -> Case:
    where = f"cases[{i}]"
    data = _obj(raw, where)
    cid = _str(_req(data, "id", where), f"{where}.id")
    where = f"case {cid!r}"
    parts = tuple(
        _str(p, f"{where} parts[{j}]")
        for j, p in enumerate(_list(_req(data, "parts", where), f"{where} parts"))
    )
    if not parts:
        raise DocketError(f"{where} has no parts; list the parts that may hear it")
    for p in parts:
        if p not in part_ids:
            raise DocketError(
                f"{where} names part {p!r}, which the docket does not define; "
                f"use one of {sorted(part_ids)}"
            )
    hearings = _int(_req(data, "hearings", where), f"{where} hearings", 1, MAX_HEARINGS_PER_CASE)
    return Case(
        id=cid,
        parts=parts,
        filed=_date(_req(data, "filed", where), f"{where} filed"),
        hearings=hearings,
        min_gap_days=_int(data.get("min_gap_days", 0), f"{where} min_gap_days", 0, 366),
        ready_by=_date(_req(data, "ready_by", where), f"{where} ready_by"),
        attend=_attend(data.get("attend", {}), f"{where} attend", hearings),
    )


def parse_docket(data: Any) -> Docket:
    """Check and read a docket from its JSON value; raise :class:`DocketError` on any fault."""
    top = _obj(data, "the docket")
    start = _date(_req(top, "start_date", "the docket"), "start_date")
    horizon = _int(_req(top, "horizon_days", "the docket"), "horizon_days", 1, MAX_HORIZON_DAYS)
    holidays = frozenset(
        _date(h, f"holidays[{j}]") for j, h in enumerate(_list(top.get("holidays", []), "holidays"))
    )
    raw_parts = _list(_req(top, "parts", "the docket"), "parts")
    parts = tuple(_part(p, i) for i, p in enumerate(raw_parts))
    if not parts:
        raise DocketError("parts is empty; define at least one courtroom part")
    ids = [p.id for p in parts]
    dup = sorted({x for x in ids if ids.count(x) > 1})
    if dup:
        raise DocketError(f"parts: part id {dup[0]!r} is defined twice; give each part one entry")
    raw_cases = _list(_req(top, "cases", "the docket"), "cases")
    cases = tuple(_case(c, i, set(ids)) for i, c in enumerate(raw_cases))
    cids = [c.id for c in cases]
    dup = sorted({x for x in cids if cids.count(x) > 1})
    if dup:
        raise DocketError(f"cases: case id {dup[0]!r} appears twice; give each case one entry")
    pairs: list[tuple[str, str]] = []
    for j, pair in enumerate(_list(top.get("keep_apart", []), "keep_apart")):
        items = _list(pair, f"keep_apart[{j}]")
        if len(items) != 2:
            raise DocketError(
                f"keep_apart[{j}] is {items!r}; write a pair [survivor, person to keep apart]"
            )
        a, b = (_str(x, f"keep_apart[{j}]") for x in items)
        if a == b:
            raise DocketError(f"keep_apart[{j}] pairs {a!r} with themselves; name two people")
        if (a, b) not in pairs:
            pairs.append((a, b))
    unavailable: dict[str, frozenset[date]] = {}
    for person, days in _obj(top.get("unavailable", {}), "unavailable").items():
        unavailable[person] = frozenset(
            _date(d, f"unavailable[{person!r}][{j}]")
            for j, d in enumerate(_list(days, f"unavailable[{person!r}]"))
        )
    return Docket(
        start_date=start,
        horizon_days=horizon,
        holidays=holidays,
        parts=parts,
        cases=cases,
        keep_apart=tuple(pairs),
        unavailable=unavailable,
    )


def docket_to_json(docket: Docket) -> dict[str, Any]:
    """The docket as its JSON value (the inverse of :func:`parse_docket`)."""

    def attend(case: Case) -> dict[str, Any]:
        full = frozenset(range(1, case.hearings + 1))
        return {p: ("all" if hs == full else sorted(hs)) for p, hs in sorted(case.attend.items())}

    return {
        "start_date": docket.start_date.isoformat(),
        "horizon_days": docket.horizon_days,
        "holidays": sorted(d.isoformat() for d in docket.holidays),
        "parts": [
            {
                "id": p.id,
                "slots_per_session": p.slots_per_session,
                "sessions": list(p.sessions),
                "weekdays": sorted(p.weekdays),
            }
            for p in docket.parts
        ],
        "cases": [
            {
                "id": c.id,
                "parts": list(c.parts),
                "filed": c.filed.isoformat(),
                "hearings": c.hearings,
                "min_gap_days": c.min_gap_days,
                "ready_by": c.ready_by.isoformat(),
                "attend": attend(c),
            }
            for c in docket.cases
        ],
        "keep_apart": [list(p) for p in docket.keep_apart],
        "unavailable": {
            p: sorted(d.isoformat() for d in days) for p, days in sorted(docket.unavailable.items())
        },
    }
