"""De-identification of what panel members read (no Django): ages as bands, months, redaction.

DESIGN.md > de-identification: no name, date of birth, contact, case number, arrest key, exact
date (months only) or place finer than the borough; ages as bands; narratives redacted of every
personal field of the case's people. :func:`redact` removes each given personal value in the forms
it is commonly written in, and then every date, telephone number, e-mail address and long number
whatever its owner, so a value the office never recorded does not slip through either. The
coordinator reads the result and confirms it before the packet is served.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

BOROUGHS = {
    "B": "the Bronx",
    "K": "Brooklyn",
    "M": "Manhattan",
    "Q": "Queens",
    "S": "Staten Island",
}

# Bands match the NYPD's age groups, so a band says no more than the public data already does.
AGE_BANDS = ((0, 17, "under 18"), (18, 24, "18-24"), (25, 44, "25-44"), (45, 64, "45-64"))
_NYPD_GROUPS = {
    "<18": "under 18",
    "18-24": "18-24",
    "25-44": "25-44",
    "45-64": "45-64",
    "65+": "65 or older",
}


def age_band(age: int | None = None, age_group: str | None = None) -> str:
    """An age as the band it falls in; ``unknown`` when neither is known."""
    if age is not None:
        for low, high, label in AGE_BANDS:
            if low <= age <= high:
                return label
        return "65 or older"
    if age_group:
        return _NYPD_GROUPS.get(age_group.strip(), "unknown")
    return "unknown"


def month_of(day: date | None) -> str:
    """A date as its month only ("December 2017")."""
    return f"{MONTHS[day.month - 1]} {day.year}" if day else "unknown"


def borough_name(code: str) -> str:
    return BOROUGHS.get(code.strip().upper(), "unknown borough")


@dataclass(frozen=True, slots=True)
class Redaction:
    text: str
    removed: dict[str, int]  # what kind of value was removed, how many times

    @property
    def total(self) -> int:
        return sum(self.removed.values())


_DATE_PATTERNS = (
    re.compile(r"\b(\d{4})-(\d{1,2})-(\d{1,2})\b"),  # ISO
    re.compile(r"\b(\d{1,2})/(\d{1,2})/(\d{4}|\d{2})\b"),  # US month/day/year
    re.compile(
        r"\b("
        + "|".join(m[:3] for m in MONTHS)
        + r")[a-z]*\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b\d{1,2}(?:st|nd|rd|th)?\s+("
        + "|".join(m[:3] for m in MONTHS)
        + r")[a-z]*\.?,?\s+\d{4}\b",
        re.IGNORECASE,
    ),
)
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_PHONE = re.compile(r"(?<!\d)(?:\+?1[\s.-]*)?\(?\d{3}\)?[\s.-]*\d{3}[\s.-]*\d{4}(?!\d)")
_LONG_NUMBER = re.compile(r"(?<![\w-])\d{6,}(?![\w-])")  # arrest keys, case and ID numbers
_CASE_NUMBER = re.compile(r"\bNYPD-\d+\b", re.IGNORECASE)


def _date_forms(iso: str) -> list[str]:
    try:
        d = date.fromisoformat(iso.strip())
    except ValueError:
        return [iso] if iso.strip() else []
    month = MONTHS[d.month - 1]
    return [
        d.isoformat(),
        f"{d.month:02d}/{d.day:02d}/{d.year}",
        f"{d.month}/{d.day}/{d.year}",
        f"{d.month}/{d.day}/{d.year % 100:02d}",
        f"{month} {d.day}, {d.year}",
        f"{month} {d.day} {d.year}",
        f"{d.day} {month} {d.year}",
    ]


def _digits_pattern(value: str) -> re.Pattern[str] | None:
    digits = re.sub(r"\D", "", value)
    if len(digits) < 7:
        return None
    digits = digits[-10:]
    return re.compile(r"(?<!\d)(?:\+?1[\s().-]*)?" + r"[\s().-]*".join(digits) + r"(?!\d)")


def _literal(value: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in value.split()]
    return re.compile(r"(?<!\w)" + r"\s+".join(words) + r"(?!\w)", re.IGNORECASE)


def redact(text: str, personal: Mapping[str, Iterable[str]]) -> Redaction:
    """Remove every personal value (by kind: name, date_of_birth, address, phone, email,
    case_number, arrest_key, other) and then every date, contact and long number from ``text``."""
    removed: Counter[str] = Counter()
    # E-mail addresses first, whole: a name inside one must not leave the rest of it behind.
    text, n = _EMAIL.subn("[email]", text)
    removed["email"] += n
    patterns: list[tuple[str, re.Pattern[str]]] = []
    for kind, values in personal.items():
        for raw in values:
            value = (raw or "").strip()
            if not value:
                continue
            if kind == "date_of_birth":
                patterns.extend((kind, _literal(f)) for f in _date_forms(value))
            elif kind == "phone":
                pat = _digits_pattern(value)
                patterns.append((kind, pat or _literal(value)))
            elif kind == "address":
                patterns.append((kind, _literal(value)))
                patterns.extend(
                    (kind, _literal(part))
                    for part in re.split(r"[,\n]", value)
                    if len(part.strip()) >= 5
                )
            elif kind == "name":
                patterns.append((kind, _literal(value)))
                patterns.extend((kind, _literal(w)) for w in value.split() if len(w) >= 2)
            else:
                patterns.append((kind, _literal(value)))
    # Longest first, so a full address goes before its parts and a full name before a word of it.
    patterns.sort(key=lambda kp: -len(kp[1].pattern))
    for kind, pat in patterns:
        text, n = pat.subn(f"[{kind.replace('_', ' ')}]", text)
        removed[kind] += n
    for kind, pat in (("phone", _PHONE), ("case_number", _CASE_NUMBER)):
        text, n = pat.subn(f"[{kind.replace('_', ' ')}]", text)
        removed[kind] += n
    for pat in _DATE_PATTERNS:
        text, n = pat.subn("[date]", text)
        removed["date"] += n
    text, n = _LONG_NUMBER.subn("[number]", text)
    removed["number"] += n
    return Redaction(text=text, removed={k: v for k, v in removed.items() if v})
