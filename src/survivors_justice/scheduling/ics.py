"""iCalendar (RFC 5545) files of a plan: one per part and one per person.

Written with the ``icalendar`` library. Sessions named ``am`` and ``pm`` get the courthouse's
hours (09:30-13:00 and 14:15-17:00, New York time); other session names are all-day events.
A person's file names only their own hearings (case and hearing number, part and session),
never the other people of the case.
"""

from __future__ import annotations

import re
from collections import defaultdict
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event

from survivors_justice.scheduling.docket import Docket
from survivors_justice.scheduling.metrics import Hearing

COURT_TZ = ZoneInfo("America/New_York")
SESSION_HOURS = {"am": (time(9, 30), time(13, 0)), "pm": (time(14, 15), time(17, 0))}
PRODID = "-//Survivor's Justice//court calendar//EN"


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", name).strip("._") or "unnamed"


def _event(h: Hearing, stamp: datetime) -> Event:
    ev = Event()
    ev.add("uid", f"{_safe(h.case)}-{h.hearing}@survivors-justice.court")
    ev.add("dtstamp", stamp)
    ev.add("summary", f"Case {h.case}, hearing {h.hearing}")
    ev.add("location", f"Part {h.part}, {h.session} session, slot {h.slot}")
    hours = SESSION_HOURS.get(h.session)
    if hours is None:
        ev.add("dtstart", h.date)
        ev.add("dtend", h.date + timedelta(days=1))
    else:
        ev.add("dtstart", datetime.combine(h.date, hours[0], tzinfo=COURT_TZ))
        ev.add("dtend", datetime.combine(h.date, hours[1], tzinfo=COURT_TZ))
    return ev


def _calendar(name: str, hearings: list[Hearing], stamp: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    for h in sorted(hearings):
        cal.add_component(_event(h, stamp))
    cal.add_missing_timezones()
    data: bytes = cal.to_ical()
    return data


def write_ics(docket: Docket, hearings: list[Hearing], out_dir: Path,
              *, stamp: datetime | None = None) -> list[Path]:
    """Write ``part-<id>.ics`` and ``person-<id>.ics`` files; return their paths."""
    when = stamp or datetime.now(tz=COURT_TZ)
    out_dir.mkdir(parents=True, exist_ok=True)
    cases = {c.id: c for c in docket.cases}
    by_part: dict[str, list[Hearing]] = defaultdict(list)
    by_person: dict[str, list[Hearing]] = defaultdict(list)
    for h in hearings:
        by_part[h.part].append(h)
        for person in cases[h.case].attendees(h.hearing):
            by_person[person].append(h)
    written: list[Path] = []
    for kind, groups in (("part", by_part), ("person", by_person)):
        for key in sorted(groups):
            path = out_dir / f"{kind}-{_safe(key)}.ics"
            path.write_bytes(_calendar(f"{kind.title()} {key}", groups[key], when))
            written.append(path)
    return written


def plan_calendar(name: str, hearings: list[Hearing], *, stamp: datetime | None = None) -> bytes:
    """One iCalendar file holding every hearing of a plan (the web page's download)."""
    return _calendar(name, hearings, stamp or datetime.now(tz=COURT_TZ))
