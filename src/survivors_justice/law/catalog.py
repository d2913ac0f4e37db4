"""The charge catalog: loading ``catalog.yaml`` and resolving recorded charges against it."""

from __future__ import annotations

import functools
import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from survivors_justice.law.codes import parse_law_code
from survivors_justice.law.model import (
    CatalogEntry,
    CatalogError,
    ChargeStatus,
    Family,
    LawCodeError,
    Provision,
    ResolvedCharge,
    Role,
)

if TYPE_CHECKING:
    import polars as pl

CATALOG_FILE = "catalog.yaml"
# NYPD letters whose meaning is known: class letters (felony, misdemeanour, violation) and the
# variant mark X. Any other letter on a covered code is flagged in the note.
KNOWN_QUALIFIERS = frozenset("FMVX")


@dataclass(frozen=True, slots=True)
class Reading:
    """A documented decision: how a recorded code is read when it disagrees with the statute.

    Applies when the parsed code is ``code_section``/``code_subdivision``, the record's PD_CD is
    one of ``pd_cd`` (``None`` in the tuple = PD_CD missing; the field ``None`` = any PD_CD), and
    the arrest date lies in ``on_from``..``on_to`` (a rule with a date bound applies to an
    undated charge only when ``undated`` says so). With ``match_qualifier`` the NYPD qualifier
    letters must equal ``qualifier`` too (``PL 23003A0`` has qualifier ``A``; ``PL 2300300``
    none).
    """

    id: str
    code_section: str
    code_subdivision: str | None
    match_qualifier: bool
    qualifier: str | None
    pd_cd: tuple[str | None, ...] | None
    on_from: date | None
    on_to: date | None
    undated: bool
    read_section: str
    read_subdivision: str | None
    note: str

    def applies(
        self,
        section: str,
        subdivision: str | None,
        qualifier: str | None,
        pd_cd: str | None,
        on: date | None,
    ) -> bool:
        if (section, subdivision) != (self.code_section, self.code_subdivision):
            return False
        if self.match_qualifier and qualifier != self.qualifier:
            return False
        if self.pd_cd is not None and pd_cd not in self.pd_cd:
            return False
        if self.on_from is None and self.on_to is None:
            return True
        if on is None:
            return self.undated
        if self.on_from is not None and on < self.on_from:
            return False
        return not (self.on_to is not None and on > self.on_to)


@dataclass(frozen=True, slots=True)
class PdCode:
    """What an NYPD internal offense code (PD_CD) records, and the citations consistent with it."""

    pd_cd: str
    description: str
    sections: tuple[str, ...]  # "230.25(2)", "230.30" (a bare section accepts any subdivision)
    fallback_section: str
    fallback_subdivision: str | None


def normalize_pd_cd(value: object) -> str | None:
    """``565``, ``"565"``, ``"565.0"``, ``" 565 "`` -> ``"565"``; empty or missing -> None."""
    if value is None:
        return None
    if isinstance(value, float):
        if value != value:  # NaN
            return None
        value = int(value) if value.is_integer() else value
    text = str(value).strip()
    if text.endswith(".0"):
        text = text[:-2]
    return text or None


def _is_covered(section: str) -> bool:
    """Sections whose charges must be in the catalog (else UNKNOWN, never OUTSIDE)."""
    return (
        section.startswith("230.")
        or section == "240.37"
        or section in {"135.35", "135.36", "135.37"}
    )


def _cite(section: str, subdivision: str | None) -> str:
    if subdivision is None:
        return section
    head, _, para = subdivision.partition("(")
    return f"{section}({head})" + (f"({para}" if para else "")


class Catalog:
    """Every catalogued offense, with the decisions that read old NYPD codes."""

    def __init__(
        self,
        entries: Sequence[CatalogEntry],
        provisions: Sequence[Provision] = (),
        readings: Sequence[Reading] = (),
        pd_codes: Sequence[PdCode] = (),
    ) -> None:
        self.entries: tuple[CatalogEntry, ...] = tuple(entries)
        self.provisions: tuple[Provision, ...] = tuple(provisions)
        self.readings: tuple[Reading, ...] = tuple(readings)
        self.pd_codes: dict[str, PdCode] = {p.pd_cd: p for p in pd_codes}
        by_key: dict[tuple[str, str | None], list[CatalogEntry]] = {}
        for entry in self.entries:
            by_key.setdefault((entry.section, entry.subdivision), []).append(entry)
        self._versions: dict[tuple[str, str | None], tuple[CatalogEntry, ...]] = {
            key: tuple(sorted(group, key=lambda e: e.in_force_from or date.min))
            for key, group in by_key.items()
        }
        self._provisions = {p.section: p for p in self.provisions}

    # ------------------------------------------------------------------ look-up
    def versions(self, section: str, subdivision: str | None = None) -> tuple[CatalogEntry, ...]:
        """Every version of one section or subdivision, oldest first."""
        return self._versions.get((section, subdivision), ())

    def get(
        self, section: str, subdivision: str | None = None, on: date | None = None
    ) -> CatalogEntry | None:
        """The entry for exactly this section/subdivision in force on ``on`` (latest if no date)."""
        versions = self.versions(section, subdivision)
        if not versions:
            return None
        if on is None:
            return versions[-1]
        for entry in versions:
            if entry.in_force_on(on):
                return entry
        return None

    def _version_for(self, versions: tuple[CatalogEntry, ...], on: date | None) -> CatalogEntry:
        """The version in force on ``on``; else the latest that had started; else the first."""
        if on is None:
            return versions[-1]
        chosen = versions[0]
        for entry in versions:
            if entry.in_force_on(on):
                return entry
            if entry.in_force_from is None or entry.in_force_from <= on:
                chosen = entry
        return chosen

    def breakpoints(self) -> tuple[date, ...]:
        """Every date on which some resolution can change (start days and days after an end)."""
        days: set[date] = set()
        spans: list[tuple[date | None, date | None]] = [
            (e.in_force_from, e.in_force_to) for e in self.entries
        ]
        spans += [(p.in_force_from, p.in_force_to) for p in self.provisions]
        spans += [(r.on_from, r.on_to) for r in self.readings]
        for start, end in spans:
            if start is not None:
                days.add(start)
            if end is not None:
                days.add(end + timedelta(days=1))
        return tuple(sorted(days))

    # ------------------------------------------------------------------ resolution
    def resolve(
        self,
        *,
        law_code: str | None = None,
        section: str | None = None,
        subdivision: str | None = None,
        pd_cd: str | int | None = None,
        on: date | None = None,
    ) -> ResolvedCharge:
        """Read one recorded charge against the catalog on the arrest date ``on``.

        Give either ``law_code`` (an NYPD LAW_CODE or a citation) or ``section`` (and
        ``subdivision``). ``pd_cd`` is the NYPD's internal offense code of the same record; it
        settles codes that the NYPD kept using after the statute changed, and fills in when the
        law code is missing or unreadable. Never raises for bad codes: an unreadable code is
        UNKNOWN with a note.
        """
        pd = normalize_pd_cd(pd_cd)
        raw = law_code.strip() if isinstance(law_code, str) else None
        notes: list[str] = []
        chapter = "PL"
        qualifier: str | None = None
        nypd = False
        if raw:
            try:
                parsed = parse_law_code(raw)
            except LawCodeError:
                return self._from_pd(raw, pd, on, f"law code {raw!r} cannot be read")
            chapter, sec, sub = parsed.chapter, parsed.section, parsed.subdivision
            qualifier, nypd = parsed.qualifier, parsed.nypd
        elif section and section.strip():
            raw = None
            try:
                cited = parse_law_code(section)
            except LawCodeError:
                return ResolvedCharge(
                    None,
                    section,
                    subdivision,
                    ChargeStatus.UNKNOWN,
                    None,
                    None,
                    None,
                    f"section {section!r} cannot be read as a citation",
                )
            chapter, sec = cited.chapter, cited.section
            sub = subdivision.strip() if subdivision and subdivision.strip() else cited.subdivision
        else:
            return self._from_pd(None, pd, on, "no law code recorded")

        if chapter != "PL":
            note = ""
            if pd in self.pd_codes:
                note = (
                    f"PD_CD {pd} ({self.pd_codes[pd].description}) is a prostitution code, "
                    f"but the law code is chapter {chapter}, not the Penal Law"
                )
            return ResolvedCharge(raw, None, None, ChargeStatus.OUTSIDE, None, None, None, note)
        if not _is_covered(sec):
            note = ""
            if pd in self.pd_codes:
                note = (
                    f"PD_CD {pd} ({self.pd_codes[pd].description}) disagrees with the law "
                    f"code (PL {sec}); read by the law code"
                )
            return ResolvedCharge(raw, sec, sub, ChargeStatus.OUTSIDE, None, None, None, note)

        # Readings interpret NYPD records; a citation a person writes means what it says.
        reading = None
        if nypd:
            reading = next(
                (r for r in self.readings if r.applies(sec, sub, qualifier, pd, on)), None
            )
        if reading is not None:
            if (reading.read_section, reading.read_subdivision) != (sec, sub):
                notes.append(
                    f"recorded as PL {_cite(sec, sub)}, read as PL "
                    f"{_cite(reading.read_section, reading.read_subdivision)}"
                )
            notes.append(f"{reading.note} [reading {reading.id}]")
            sec, sub = reading.read_section, reading.read_subdivision
        elif qualifier is not None and any(q not in KNOWN_QUALIFIERS for q in qualifier):
            notes.append(
                f"the NYPD letter(s) {qualifier!r} in {raw!r} are not documented for this "
                f"section; read as PL {_cite(sec, sub)}"
            )
        return self._lookup(raw, sec, sub, pd, on, notes, reading is not None)

    def _lookup(
        self,
        raw: str | None,
        sec: str,
        sub: str | None,
        pd: str | None,
        on: date | None,
        notes: list[str],
        decided: bool,
    ) -> ResolvedCharge:
        versions = self.versions(sec, sub)
        if not versions and sub is not None:
            section_versions = self.versions(sec, None)
            if section_versions:
                section_entry = self._version_for(section_versions, on)
                valid = {s for e in section_versions for s in e.subdivisions}
                parent = sub.partition("(")[0]
                if sub in valid:
                    versions = self.versions(sec, parent) or section_versions
                    if parent != sub:
                        notes.append(f"paragraph {sub} read under subdivision {parent}")
                else:
                    settled = self._settle(sec, sub, pd, on, section_entry)
                    if settled is None:
                        notes.append(
                            f"PL {sec} ({section_entry.title}) has no subdivision {sub}, and "
                            "neither the section nor the PD_CD settles its role and class"
                        )
                        return ResolvedCharge(
                            raw, sec, sub, ChargeStatus.UNKNOWN, None, None, None, "; ".join(notes)
                        )
                    versions, why, by_pd = settled
                    notes.append(why)
                    decided = decided or by_pd
        if not versions:
            provision = self._provisions.get(sec)
            if provision is not None:
                notes.append(
                    f"PL {sec} ({provision.title}) is a {provision.kind}, not an "
                    "offense: no one can be charged under it"
                )
            else:
                notes.append(f"PL {_cite(sec, sub)} is not in the charge catalog")
            return ResolvedCharge(
                raw, sec, sub, ChargeStatus.UNKNOWN, None, None, None, "; ".join(notes)
            )
        entry = self._version_for(versions, on)
        in_force = None if on is None else entry.in_force_on(on)
        if in_force is False:
            notes.append(
                f"PL {_cite(entry.section, entry.subdivision)} ({entry.title}) was not "
                "in force on the arrest date"
            )
        if not decided and pd is not None and pd in self.pd_codes:
            pdc = self.pd_codes[pd]
            if not _consistent(pdc, entry.section, entry.subdivision):
                notes.append(
                    f"PD_CD {pd} ({pdc.description}) disagrees with the law code; "
                    "read by the law code, the field the NYPD documents as reliable"
                )
        return ResolvedCharge(
            raw,
            entry.section,
            entry.subdivision,
            ChargeStatus.CATALOGED,
            entry,
            entry.role,
            in_force,
            "; ".join(notes),
        )

    def _settle(
        self,
        sec: str,
        sub: str,
        pd: str | None,
        on: date | None,
        section_entry: CatalogEntry,
    ) -> tuple[tuple[CatalogEntry, ...], str, bool] | None:
        """Read a subdivision the catalog does not list when its role and class are settled.

        Returns (versions to read it as, the note, whether the PD_CD decided it), or None.
        First the paragraph's subdivision (``5(z)`` under 5); then the section as a whole, when
        every catalogued subdivision of it has the same role and class on the date; then the
        part of the section the record's PD_CD names, when those parts agree.
        """
        missing = f"PL {sec} ({section_entry.title}) has no subdivision {sub} in the catalog"
        parent = sub.partition("(")[0]
        if parent != sub and self.versions(sec, parent):
            return self.versions(sec, parent), f"{missing}; read under subdivision {parent}", False
        keys = [key for key in self._versions if key[0] == sec]
        parts = [self._version_for(self._versions[key], on) for key in keys]
        if len({(e.role, e.offense_class) for e in parts}) == 1:
            return (
                self.versions(sec, None),
                f"{missing}; read as the section as a whole, since every part of it has the "
                f"same role ({section_entry.role.value}) and class "
                f"({section_entry.offense_class})",
                False,
            )
        pdc = self.pd_codes.get(pd) if pd is not None else None
        if pdc is None:
            return None
        named: list[tuple[str, str | None]] = []
        for cite in pdc.sections:
            cited, _, rest = cite.partition("(")
            if cited == sec:
                named.append((sec, rest.rstrip(")").replace(")(", "(") or None))
        named = [key for key in named if key in self._versions]
        if not named:
            return None
        chosen = [self._version_for(self._versions[key], on) for key in named]
        if len({(e.role, e.offense_class) for e in chosen}) != 1:
            return None
        key = (pdc.fallback_section, pdc.fallback_subdivision)
        if key not in named:
            key = named[0]
        return (
            self._versions[key],
            f"{missing}; read as PL {_cite(*key)} by PD_CD {pdc.pd_cd} ({pdc.description})",
            True,
        )

    def _from_pd(
        self, raw: str | None, pd: str | None, on: date | None, why: str
    ) -> ResolvedCharge:
        pdc = self.pd_codes.get(pd) if pd is not None else None
        if pdc is None:
            return ResolvedCharge(
                raw,
                None,
                None,
                ChargeStatus.UNKNOWN,
                None,
                None,
                None,
                f"{why}; no PD_CD to read it by",
            )
        notes = [f"{why}; read by PD_CD {pdc.pd_cd} ({pdc.description})"]
        return self._lookup(
            raw, pdc.fallback_section, pdc.fallback_subdivision, None, on, notes, True
        )

    # ------------------------------------------------------------------ frames
    def resolve_frame(
        self,
        frame: pl.LazyFrame,
        *,
        law_code: str = "LAW_CODE",
        pd_cd: str | None = "PD_CD",
        on: str | None = "arrest_date",
    ) -> pl.LazyFrame:
        """Add the catalog's reading of every row; see :func:`survivors_justice.law.frame`."""
        from survivors_justice.law.frame import resolve_frame

        return resolve_frame(self, frame, law_code=law_code, pd_cd=pd_cd, on=on)


def _consistent(pdc: PdCode, section: str, subdivision: str | None) -> bool:
    for cite in pdc.sections:
        sec, _, rest = cite.partition("(")
        if sec != section:
            continue
        if not rest:
            return True
        if subdivision is not None and _cite(section, subdivision).startswith(cite):
            return True
    return False


# ---------------------------------------------------------------------- loading
def _date(value: Any, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError as exc:
        raise CatalogError(f"{where}: {value!r} is not a date (write YYYY-MM-DD)") from exc


def _opt(item: Mapping[str, Any], key: str, where: str) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise CatalogError(f"{where}: field {key!r} must be text, got {value!r}")
    return str(value)


def _req(item: Mapping[str, Any], key: str, where: str) -> str:
    value = _opt(item, key, where)
    if value is None:
        raise CatalogError(f"{where}: field {key!r} is missing")
    return value


def _bool(item: Mapping[str, Any], key: str, where: str) -> bool:
    value = item.get(key)
    if not isinstance(value, bool):
        raise CatalogError(f"{where}: field {key!r} must be true or false, got {value!r}")
    return value


def _entry(item: Mapping[str, Any], where: str) -> CatalogEntry:
    role = _req(item, "role", where)
    family = _req(item, "family", where)
    try:
        role_value, family_value = Role(role), Family(family)
    except ValueError as exc:
        raise CatalogError(
            f"{where}: {exc}; roles are {[r.value for r in Role]}, families "
            f"{[f.value for f in Family]}"
        ) from exc
    subs = item.get("subdivisions") or ()
    if not isinstance(subs, list | tuple):
        raise CatalogError(f"{where}: 'subdivisions' must be a list, got {subs!r}")
    entry = CatalogEntry(
        section=_req(item, "section", where),
        subdivision=_opt(item, "subdivision", where),
        title=_req(item, "title", where),
        offense_class=_req(item, "offense_class", where),
        role=role_value,
        family=family_value,
        minor=_bool(item, "minor", where),
        coercion=_bool(item, "coercion", where),
        in_force_from=_date(item.get("in_force_from"), where),
        in_force_to=_date(item.get("in_force_to"), where),
        source_url=_req(item, "source_url", where),
        note=str(item.get("note") or "").strip(),
        subdivisions=tuple(str(s) for s in subs),
    )
    if entry.in_force_from and entry.in_force_to and entry.in_force_to < entry.in_force_from:
        raise CatalogError(
            f"{where}: in_force_to {entry.in_force_to} is before in_force_from "
            f"{entry.in_force_from}"
        )
    return entry


def _provision(item: Mapping[str, Any], where: str) -> Provision:
    return Provision(
        section=_req(item, "section", where),
        title=_req(item, "title", where),
        kind=_req(item, "kind", where),
        in_force_from=_date(item.get("in_force_from"), where),
        in_force_to=_date(item.get("in_force_to"), where),
        source_url=_req(item, "source_url", where),
        note=str(item.get("note") or "").strip(),
    )


def _reading(item: Mapping[str, Any], where: str) -> Reading:
    code = item.get("code")
    read_as = item.get("read_as")
    if not isinstance(code, Mapping) or not isinstance(read_as, Mapping):
        raise CatalogError(f"{where}: 'code' and 'read_as' must be mappings with a section")
    pds = item.get("pd_cd")
    pd_tuple: tuple[str | None, ...] | None = None
    if pds is not None:
        if not isinstance(pds, list):
            raise CatalogError(f"{where}: 'pd_cd' must be a list, got {pds!r}")
        pd_tuple = tuple(normalize_pd_cd(p) for p in pds)
    return Reading(
        id=_req(item, "id", where),
        code_section=_req(code, "section", where),
        code_subdivision=_opt(code, "subdivision", where),
        match_qualifier="qualifier" in item,
        qualifier=_opt(item, "qualifier", where),
        pd_cd=pd_tuple,
        on_from=_date(item.get("on_from"), where),
        on_to=_date(item.get("on_to"), where),
        undated=bool(item.get("undated", False)),
        read_section=_req(read_as, "section", where),
        read_subdivision=_opt(read_as, "subdivision", where),
        note=" ".join(_req(item, "note", where).split()),
    )


def _pd_code(key: Any, item: Mapping[str, Any], where: str) -> PdCode:
    fallback = item.get("fallback")
    if not isinstance(fallback, Mapping):
        raise CatalogError(f"{where}: 'fallback' must be a mapping with a section")
    sections = item.get("sections")
    if not isinstance(sections, list) or not sections:
        raise CatalogError(f"{where}: 'sections' must be a non-empty list")
    return PdCode(
        pd_cd=str(normalize_pd_cd(key)),
        description=_req(item, "description", where),
        sections=tuple(str(s) for s in sections),
        fallback_section=_req(fallback, "section", where),
        fallback_subdivision=_opt(fallback, "subdivision", where),
    )


def catalog_from_mapping(data: Any) -> Catalog:
    """Build a catalog from parsed YAML; raises :class:`CatalogError` naming the bad field."""
    if not isinstance(data, Mapping):
        raise CatalogError("the catalog must be a mapping with 'entries'")
    raw_entries = data.get("entries")
    if not isinstance(raw_entries, list) or not raw_entries:
        raise CatalogError("the catalog needs a non-empty 'entries' list")
    entries = [_entry(item, f"entries[{i}]") for i, item in enumerate(raw_entries)]
    provisions = [
        _provision(item, f"provisions[{i}]") for i, item in enumerate(data.get("provisions") or [])
    ]
    readings = [
        _reading(item, f"readings[{i}]") for i, item in enumerate(data.get("readings") or [])
    ]
    pd_raw = data.get("pd_codes") or {}
    if not isinstance(pd_raw, Mapping):
        raise CatalogError("'pd_codes' must be a mapping of PD_CD to its description")
    pd_codes = [_pd_code(k, v, f"pd_codes[{k}]") for k, v in pd_raw.items()]
    catalog = Catalog(entries, provisions, readings, pd_codes)
    _check_overlaps(catalog)
    return catalog


def _check_overlaps(catalog: Catalog) -> None:
    for key, versions in catalog._versions.items():
        for older, newer in itertools.pairwise(versions):
            if older.in_force_to is None or (
                newer.in_force_from is not None and newer.in_force_from <= older.in_force_to
            ):
                raise CatalogError(
                    f"PL {_cite(*key)}: versions '{older.title}' and '{newer.title}' overlap; "
                    "give the older one an in_force_to before the newer one's in_force_from"
                )


# libyaml's safe loader when PyYAML was built with it (the catalog loads in 8 ms instead of 40),
# else the Python one.
_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.cache
def packaged_catalog_text() -> str:
    """The YAML text of the packaged catalog (``law/catalog.yaml``), read once per process."""
    return resources.files("survivors_justice.law").joinpath(CATALOG_FILE).read_text("utf-8")


@functools.cache
def load_catalog() -> Catalog:
    """The packaged catalog (``law/catalog.yaml``), parsed once per process."""
    text = packaged_catalog_text()
    return catalog_from_mapping(yaml.load(text, Loader=_SAFE_LOADER))  # noqa: S506 (a safe loader)
