"""The NYPD Arrests Data schema: the header check and the validation of one row.

Framework-free so the rules are easy to read and test. Both published variants are accepted: the
historic extract (``8h9b-rp9u``, 18 columns, sometimes with a WKT ``Lon_Lat`` column) and the
year-to-date extract (``uip8-fykc``, the same 18 plus ``New Georeferenced Column``). Column order
may differ; names are matched without regard to case or surrounding spaces.
"""

from __future__ import annotations

import hashlib
import math
import operator
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from survivors_justice.demographics import UnknownLabelError, race_code, sex_code

REQUIRED_COLUMNS: tuple[str, ...] = (
    "ARREST_KEY", "ARREST_DATE", "PD_CD", "PD_DESC", "KY_CD", "OFNS_DESC", "LAW_CODE",
    "LAW_CAT_CD", "ARREST_BORO", "ARREST_PRECINCT", "JURISDICTION_CODE", "AGE_GROUP",
    "PERP_SEX", "PERP_RACE", "X_COORD_CD", "Y_COORD_CD", "LATITUDE", "LONGITUDE",
)
# Extra columns the published extracts carry; read and ignored (they repeat Latitude/Longitude).
KNOWN_EXTRA_COLUMNS: tuple[str, ...] = ("NEW GEOREFERENCED COLUMN", "LON_LAT")
BOROUGHS = {"B": "Bronx", "K": "Brooklyn", "M": "Manhattan", "Q": "Queens", "S": "Staten Island"}
EARLIEST_DATE = date(1900, 1, 1)

# Longest value each stored text column takes (the model's max_length).
MAX_LENGTH = {
    "ARREST_KEY": 20, "PD_CD": 10, "PD_DESC": 100, "KY_CD": 10, "OFNS_DESC": 100, "LAW_CODE": 20,
    "LAW_CAT_CD": 5, "AGE_GROUP": 10, "PERP_SEX": 10, "PERP_RACE": 40,
}


class NotArrestsFileError(ValueError):
    """The file is not the NYPD Arrests Data schema; nothing was imported."""

    def __init__(self, name: str, missing: Sequence[str], detail: str = "") -> None:
        self.name = name
        self.missing = tuple(missing)
        what = detail or f"it lacks the column(s) {', '.join(self.missing)}"
        super().__init__(
            f"{name} is not an NYPD Arrests Data file: {what}. Nothing was imported. Export the "
            "file from NYC Open Data (NYPD Arrests Data, historic 8h9b-rp9u or year-to-date "
            "uip8-fykc) with its header row."
        )


@dataclass(frozen=True, slots=True)
class Layout:
    """Where each required column sits in this file's rows."""

    index: dict[str, int]
    width: int
    extra: tuple[str, ...]  # header names beyond the required ones, as written
    header: tuple[str, ...]


def read_header(name: str, header: Sequence[str] | None) -> Layout:
    """Check a header row; raise :class:`NotArrestsFileError` naming what is missing."""
    if not header:
        raise NotArrestsFileError(name, REQUIRED_COLUMNS, "it is empty (no header row)")
    names = [h.strip().upper() for h in header]
    seen: set[str] = set()
    for n in names:
        if n in seen and n in REQUIRED_COLUMNS:
            raise NotArrestsFileError(name, (), f"the column {n} appears twice in the header")
        seen.add(n)
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise NotArrestsFileError(name, missing)
    index = {n: i for i, n in enumerate(names) if n in REQUIRED_COLUMNS}
    extra = tuple(h for h, n in zip(header, names, strict=True) if n not in REQUIRED_COLUMNS)
    return Layout(index=index, width=len(header), extra=extra, header=tuple(header))


class Problem(NamedTuple):
    column: str
    value: str
    reason: str


class ParsedArrest(NamedTuple):
    """A valid row, in the order the importer writes it."""

    arrest_key: str
    arrest_date: date
    pd_cd: str
    pd_desc: str
    ky_cd: str
    ofns_desc: str
    law_code: str
    law_cat_cd: str
    borough: str
    precinct: int
    jurisdiction_code: int | None
    age_group: str
    sex_recorded: str
    sex: str
    race_recorded: str
    race: str
    x_coord: float | None
    y_coord: float | None
    latitude: float | None
    longitude: float | None
    content_hash: str


def parse_date(text: str) -> date:
    """``MM/DD/YYYY`` (the extracts) or ISO ``YYYY-MM-DD[Thh:mm:ss…]`` (the Socrata API)."""
    if "/" in text:
        month, day, year = text.split("/")
        if len(year) != 4:
            raise ValueError("the year must have four digits")
        return date(int(year), int(month), int(day))
    return datetime.fromisoformat(text).date() if "T" in text else date.fromisoformat(text)


def _float(text: str, low: float, high: float) -> float | None:
    if not text:
        return None
    value = float(text)
    if not math.isfinite(value) or not low <= value <= high:
        raise ValueError("out of range")
    return value


def content_digest(values: Sequence[str]) -> str:
    """A digest of the recorded values (re-import tells updated rows from unchanged ones)."""
    return hashlib.blake2b("\x1f".join(values).encode("utf-8"), digest_size=16).hexdigest()


Place = tuple[str, int, "int | None", list[Problem]]  # borough, precinct, jurisdiction, problems


def _check_place(boro: str, precinct_s: str, jur_s: str) -> Place:
    problems: list[Problem] = []
    borough = boro.upper()
    if borough not in BOROUGHS:
        problems.append(Problem(
            "ARREST_BORO", boro[:60], "unknown borough code (expected B, K, M, Q or S)"
        ))
    precinct = 0
    if not precinct_s.isdigit() or not 0 < int(precinct_s) < 1000:
        problems.append(Problem(
            "ARREST_PRECINCT", precinct_s[:60],
            "missing precinct" if not precinct_s else "precinct is not a number from 1 to 999",
        ))
    else:
        precinct = int(precinct_s)
    jurisdiction: int | None = None
    if jur_s:
        if jur_s.isdigit() and int(jur_s) < 32768:
            jurisdiction = int(jur_s)
        else:
            problems.append(Problem(
                "JURISDICTION_CODE", jur_s[:60], "jurisdiction code is not a whole number"
            ))
    return borough, precinct, jurisdiction, problems


LABEL_COLUMNS = ("PD_CD", "PD_DESC", "KY_CD", "OFNS_DESC", "LAW_CODE", "LAW_CAT_CD", "AGE_GROUP",
                 "PERP_SEX", "PERP_RACE")


def _check_labels(values: tuple[str, ...]) -> tuple[str, str, list[Problem]]:
    """Lengths of the text columns, and the sex and race labels' codes."""
    problems = [
        Problem(column, value[:60], f"longer than {MAX_LENGTH[column]} characters")
        for column, value in zip(LABEL_COLUMNS, values, strict=True)
        if len(value) > MAX_LENGTH[column]
    ]
    sex = race = ""
    try:
        sex = sex_code(values[7]).value
    except UnknownLabelError as exc:
        problems.append(Problem("PERP_SEX", values[7][:60], str(exc)))
    try:
        race = race_code(values[8]).value
    except UnknownLabelError as exc:
        problems.append(Problem("PERP_RACE", values[8][:60], str(exc)))
    return sex, race, problems


class RowParser:
    """Validate rows of one file; remembers keys so a key seen twice is a problem."""

    def __init__(self, layout: Layout, *, today: date) -> None:
        self.layout = layout
        self.today = today
        self.seen: set[int | str] = set()
        self._pick = operator.itemgetter(*(layout.index[c] for c in REQUIRED_COLUMNS))
        self._dates: dict[str, tuple[date | None, Problem | None]] = {}
        self._places: dict[tuple[str, str, str], Place] = {}
        self._labels: dict[tuple[str, ...], tuple[str, str, list[Problem]]] = {}

    MEMO_LIMIT = 200_000  # entries per memo: a file of endlessly distinct values cannot grow it

    def _memo(self, memo: dict[Any, Any], key: Any, verdict: Any) -> Any:
        if len(memo) < self.MEMO_LIMIT:
            memo[key] = verdict
        return verdict

    def _check_date(self, text: str) -> tuple[date | None, Problem | None]:
        try:
            value = parse_date(text)
        except ValueError:
            reason = "missing date" if not text else "impossible or unreadable date (MM/DD/YYYY)"
            return None, Problem("ARREST_DATE", text[:60], reason)
        if value > self.today:
            return None, Problem("ARREST_DATE", text, "date in the future")
        if value < EARLIEST_DATE:
            return None, Problem("ARREST_DATE", text, "date before 1900")
        return value, None

    def parse(self, row: Sequence[str]) -> ParsedArrest | list[Problem]:
        layout = self.layout
        if len(row) < layout.width:
            missing = [layout.header[i] for i in range(len(row), layout.width)]
            key = row[layout.index["ARREST_KEY"]].strip() if len(row) > layout.index[
                "ARREST_KEY"] else ""
            self._remember(key)
            return [Problem(
                missing[0], "",
                f"truncated row: {len(row)} of {layout.width} fields; missing from "
                f"{missing[0]} on",
            )]
        if len(row) > layout.width:
            return [Problem(
                "", "", f"{len(row)} fields where the header has {layout.width} (unquoted comma?)"
            )]
        v: tuple[str, ...] = self._pick(row)
        joined = "\x1f".join(v)
        if (" \x1f" in joined or "\x1f " in joined or "\t" in joined or joined[:1].isspace()
                or joined[-1:].isspace()):
            v = tuple(value.strip() for value in v)  # rare: padded values are trimmed
            joined = "\x1f".join(v)
        (key, date_s, pd_cd, pd_desc, ky_cd, ofns_desc, law_code, law_cat, boro, precinct_s,
         jur_s, age_group, sex_s, race_s, x_s, y_s, lat_s, lon_s) = v
        problems: list[Problem] = []
        if "\x00" in joined:
            problems.extend(
                Problem(c, value[:60].replace("\x00", "\\0"), "contains a NUL character")
                for c, value in zip(REQUIRED_COLUMNS, v, strict=True) if "\x00" in value
            )

        if not key:
            problems.append(Problem("ARREST_KEY", "", "missing ARREST_KEY"))
        elif not key.isdigit():
            problems.append(Problem("ARREST_KEY", key[:60], "ARREST_KEY is not a whole number"))
        elif len(key) > MAX_LENGTH["ARREST_KEY"]:
            problems.append(Problem("ARREST_KEY", key[:60], "longer than 20 characters"))
        if key and not self._remember(key):
            problems.append(Problem(
                "ARREST_KEY", key, "duplicate ARREST_KEY: an earlier row of this file has it"
            ))

        # Dates, boroughs, precincts, jurisdictions and the label columns repeat from row to row:
        # each distinct value is checked once and the verdict remembered.
        checked_date = self._dates.get(date_s)
        if checked_date is None:
            checked_date = self._memo(self._dates, date_s, self._check_date(date_s))
        arrest_date = checked_date[0]
        if checked_date[1] is not None:
            problems.append(checked_date[1])
        place = self._places.get((boro, precinct_s, jur_s))
        if place is None:
            place = self._memo(self._places, (boro, precinct_s, jur_s),
                               _check_place(boro, precinct_s, jur_s))
        borough, precinct, jurisdiction, place_problems = place
        if place_problems:
            problems.extend(place_problems)
        labels_key = (pd_cd, pd_desc, ky_cd, ofns_desc, law_code, law_cat, age_group, sex_s, race_s)
        labels = self._labels.get(labels_key)
        if labels is None:
            labels = self._memo(self._labels, labels_key, _check_labels(labels_key))
        sex, race, label_problems = labels
        if label_problems:
            problems.extend(label_problems)

        # Fast path: four numbers in range (NaN fails every comparison, so it is caught too).
        try:
            x = float(x_s) if x_s else None
            y = float(y_s) if y_s else None
            lat = float(lat_s) if lat_s else None
            lon = float(lon_s) if lon_s else None
            fine = ((x is None or -1e8 <= x <= 1e8) and (y is None or -1e8 <= y <= 1e8)
                    and (lat is None or -90.0 <= lat <= 90.0)
                    and (lon is None or -180.0 <= lon <= 180.0))
        except ValueError:
            fine = False
        if not fine:
            x = y = lat = lon = None
            for column, text, low, high in (
                ("X_COORD_CD", x_s, -1e8, 1e8), ("Y_COORD_CD", y_s, -1e8, 1e8),
                ("LATITUDE", lat_s, -90.0, 90.0), ("LONGITUDE", lon_s, -180.0, 180.0),
            ):
                try:
                    _float(text, low, high)
                except ValueError:
                    problems.append(Problem(column, text[:60], "coordinate not a number in range"))

        if problems or arrest_date is None:
            return problems or [Problem("ARREST_DATE", date_s, "unreadable date")]
        return ParsedArrest(
            key, arrest_date, pd_cd, pd_desc, ky_cd, ofns_desc, law_code, law_cat, borough,
            precinct, jurisdiction, age_group, sex_s, sex, race_s, race,
            x, y, lat, lon,
            hashlib.blake2b(joined.encode("utf-8"), digest_size=16).hexdigest(),
        )

    def _remember(self, key: str) -> bool:
        """Note ``key``; False if it was seen before in this file."""
        token: int | str = int(key) if key.isdigit() and len(key) < 19 else key
        if token in self.seen:
            return False
        self.seen.add(token)
        return True
