"""Open Referral HSDS 3.0 in its tabular form: read and write a directory as a Data Package.

``export_hsds(DIR)`` writes one CSV per table of the standard's ``datapackage.json`` (with the
standard's columns, in its order) and the ``datapackage.json`` itself. ``import_hsds(DIR)`` reads
such a package: each row is checked against the published JSON Schema of its table
(``hsds_standard/schema``) and against the directory's links (a service's organisation must
exist); a bad row is quarantined with its table, row number (the CSV line, header = 1) and the
reason, and everything else is imported. Import is idempotent on the HSDS ``id``.

Nothing is lost: columns the directory has no field for are kept per row (``extra``), and rows
of tables it does not use (phones, contacts, funding...) are kept verbatim (``ForeignRow``), so an
export gives back what was imported. The needs a service meets and its capacity, which HSDS has
no column for, travel as ``attribute`` rows of the office's own taxonomy
(``survivors-justice-needs``), whose identifiers are fixed here.
"""

from __future__ import annotations

import csv
import json
import shutil
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.db import models, transaction
from jsonschema import Draft202012Validator, FormatChecker

from survivors_justice.audit.services import record_event
from survivors_justice.partners.models import (
    ForeignRow,
    Location,
    Need,
    Organisation,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    ServiceLanguage,
)

STANDARD_DIR = Path(__file__).resolve().parent / "hsds_standard"
NAMESPACE = uuid.UUID("7d0c6a52-4f1e-4c43-9a43-2f7a6f0a9b11")
TAXONOMY_ID = str(uuid.uuid5(NAMESPACE, "taxonomy:survivors-justice-needs"))
CAPACITY_TERM_ID = str(uuid.uuid5(NAMESPACE, "term:capacity"))
NEED_TERM_IDS = {code: str(uuid.uuid5(NAMESPACE, f"term:need:{code}")) for code in Need.values}
TERM_NEEDS = {v: k for k, v in NEED_TERM_IDS.items()}


class HsdsError(ValueError):
    """A directory that is not an HSDS 3.0 tabular package (the message says what is missing)."""


@cache
def package() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((STANDARD_DIR / "datapackage.json").read_text("utf-8"))
    return data


def resources() -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in package()["resources"]}


def columns(resource: str) -> list[str]:
    return [f["name"] for f in resources()[resource]["schema"]["fields"]]


@cache
def validator(resource: str) -> Draft202012Validator:
    schema = json.loads((STANDARD_DIR / "schema" / f"{resource}.json").read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def typed(resource: str, row: dict[str, str]) -> dict[str, Any]:
    """The row as JSON values per the package's field types; empty cells are absent."""
    types = {f["name"]: f.get("type", "string") for f in resources()[resource]["schema"]["fields"]}
    out: dict[str, Any] = {}
    for name, value in row.items():
        if value is None or value == "" or name not in types:
            continue
        if types[name] in ("number", "integer"):
            try:
                out[name] = float(value) if types[name] == "number" else int(value)
            except ValueError:
                out[name] = value  # the schema reports it as the wrong type
        else:
            out[name] = value
    return out


def row_errors(resource: str, row: dict[str, str]) -> list[str]:
    """What the published HSDS schema says is wrong with one row (empty: valid)."""
    errors = []
    unknown = sorted(set(row) - set(columns(resource)))
    if unknown:
        errors.append(f"columns not in HSDS {resource}: {unknown}")
    for e in validator(resource).iter_errors(typed(resource, row)):
        where = ".".join(str(p) for p in e.absolute_path) or resource
        errors.append(f"{where}: {e.message}")
    return errors


# --- the mapping between tables and models -------------------------------------------------

def _s(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    return str(v)


def _int(v: str) -> int | None:
    return int(float(v)) if v not in ("", None) else None


def _float(v: str) -> float | None:
    return float(v) if v not in ("", None) else None


# column -> (model attribute, parse)
Fields = dict[str, tuple[str, Callable[[str], Any]]]
_TEXT: Callable[[str], Any] = str
ORG_FIELDS: Fields = {c: (c, _TEXT) for c in
                      ("name", "alternate_name", "description", "email", "website")}
LOCATION_FIELDS: Fields = {"location_type": ("location_type", _TEXT), "name": ("name", _TEXT),
                           "description": ("description", _TEXT),
                           "latitude": ("latitude", _float), "longitude": ("longitude", _float)}
ADDRESS_FIELDS: Fields = {"address_1": ("address_1", _TEXT), "city": ("city", _TEXT),
                          "region": ("borough", _TEXT),
                          "state_province": ("state_province", _TEXT),
                          "postal_code": ("postal_code", _TEXT), "country": ("country", _TEXT)}
SERVICE_FIELDS: Fields = {
    **{c: (c, _TEXT) for c in ("name", "description", "status", "email", "url",
                               "interpretation_services", "eligibility_description")},
    "minimum_age": ("minimum_age", _int), "maximum_age": ("maximum_age", _int),
}
LANGUAGE_FIELDS: Fields = {c: (c, _TEXT) for c in ("name", "code", "note")}
AREA_FIELDS: Fields = {c: (c, _TEXT) for c in ("name", "description")}
SCHEDULE_FIELDS: Fields = {c: (c, _TEXT) for c in
                           ("freq", "byday", "opens_at", "closes_at", "description")}
SAL_FIELDS: Fields = {}


def _extra(row: dict[str, str], used: set[str]) -> dict[str, str]:
    return {k: v for k, v in row.items() if k not in used and v not in ("", None)}


def _assign(obj: models.Model, row: dict[str, str], mapping: Fields) -> None:
    for column, (attr, parse) in mapping.items():
        value = row.get(column, "")
        setattr(obj, attr, parse(value) if value != "" else (
            None if parse is not _TEXT else ""))


def _out(obj: models.Model, mapping: Fields) -> dict[str, str]:
    return {column: _s(getattr(obj, attr)) for column, (attr, _) in mapping.items()}


# --- export ----------------------------------------------------------------------------------


def _rows() -> Iterator[tuple[str, dict[str, str]]]:
    for org in Organisation.objects.order_by("hsds_id"):
        yield "organization", {**org.extra, "id": org.hsds_id, **_out(org, ORG_FIELDS)}
    for loc in Location.objects.select_related("organisation").order_by("hsds_id"):
        address_extra = loc.extra.get("address", {})
        yield "location", {**{k: v for k, v in loc.extra.items() if k != "address"},
                           "id": loc.hsds_id, "organization_id": loc.organisation.hsds_id,
                           **_out(loc, LOCATION_FIELDS)}
        if loc.address_hsds_id:
            yield "address", {**address_extra, "id": loc.address_hsds_id,
                              "location_id": loc.hsds_id, **_out(loc, ADDRESS_FIELDS)}
    services = list(Service.objects.select_related("organisation").order_by("hsds_id"))
    for svc in services:
        yield "service", {**svc.extra, "id": svc.hsds_id,
                          "organization_id": svc.organisation.hsds_id,
                          **_out(svc, SERVICE_FIELDS)}
    for sal in ServiceAtLocation.objects.select_related("service", "location").order_by("hsds_id"):
        yield "service_at_location", {**sal.extra, "id": sal.hsds_id,
                                      "service_id": sal.service.hsds_id,
                                      "location_id": sal.location.hsds_id}
    for model, resource, mapping in ((ServiceLanguage, "language", LANGUAGE_FIELDS),
                                     (ServiceArea, "service_area", AREA_FIELDS),
                                     (Schedule, "schedule", SCHEDULE_FIELDS)):
        for obj in model.objects.select_related("service").order_by("hsds_id"):
            yield resource, {**obj.extra, "id": obj.hsds_id, "service_id": obj.service.hsds_id,
                             **_out(obj, mapping)}
    # the office's taxonomy of needs, and each service's needs and capacity as attributes
    yield "taxonomy", {"id": TAXONOMY_ID, "name": "survivors-justice-needs",
                       "description": "What a survivor needs help with (Survivor's Justice)",
                       "version": "1"}
    for code, term_id in NEED_TERM_IDS.items():
        yield "taxonomy_term", {"id": term_id, "code": code, "name": Need(code).label,
                                "description": f"Services that help with: {Need(code).label}",
                                "taxonomy_id": TAXONOMY_ID, "taxonomy": "survivors-justice-needs"}
    yield "taxonomy_term", {"id": CAPACITY_TERM_ID, "code": "capacity", "name": "Capacity",
                            "description": "How many more people the service can take now",
                            "taxonomy_id": TAXONOMY_ID, "taxonomy": "survivors-justice-needs"}
    for svc in services:
        for code in sorted(svc.needs or []):
            yield "attribute", {
                "id": str(uuid.uuid5(NAMESPACE, f"attr:{svc.hsds_id}:{code}")),
                "link_id": svc.hsds_id, "link_type": "need", "link_entity": "service",
                "taxonomy_term_id": NEED_TERM_IDS[code], "value": code}
        if svc.capacity is not None:
            yield "attribute", {
                "id": str(uuid.uuid5(NAMESPACE, f"attr:{svc.hsds_id}:capacity")),
                "link_id": svc.hsds_id, "link_type": "capacity", "link_entity": "service",
                "taxonomy_term_id": CAPACITY_TERM_ID, "value": str(svc.capacity)}
    for row in ForeignRow.objects.order_by("resource", "hsds_id"):
        yield row.resource, dict(row.data)


def export_hsds(directory: Path) -> dict[str, int]:
    """Write the directory as an HSDS 3.0 tabular package; returns rows written per table."""
    directory.mkdir(parents=True, exist_ok=True)
    by_table: dict[str, list[dict[str, str]]] = defaultdict(list)
    for resource, row in _rows():
        by_table[resource].append(row)
    counts = {}
    for name, res in resources().items():
        cols = columns(name)
        rows = sorted(by_table.get(name, []), key=lambda r: r.get("id", ""))
        with (directory / res["path"]).open("w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=cols, extrasaction="ignore")
            writer.writeheader()
            for row in rows:
                writer.writerow({c: row.get(c, "") for c in cols})
        counts[name] = len(rows)
    shutil.copyfile(STANDARD_DIR / "datapackage.json", directory / "datapackage.json")
    return counts


# --- import ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reject:
    table: str
    row: int  # the CSV line (the header is line 1)
    reason: str


@dataclass
class ImportSummary:
    imported: dict[str, int] = field(default_factory=dict)
    kept_verbatim: dict[str, int] = field(default_factory=dict)
    rejects: list[Reject] = field(default_factory=list)

    def write_rejects(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(["table", "row", "reason"])
            for r in self.rejects:
                writer.writerow([r.table, r.row, r.reason])


def _read(directory: Path, resource: str) -> Iterator[tuple[int, dict[str, str]]]:
    path = directory / resources()[resource]["path"]
    if not path.exists():
        return
    with path.open(newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        for i, row in enumerate(reader, start=2):
            yield i, {k: (v or "") for k, v in row.items() if k is not None}


ORDER = ["organization", "location", "address", "service", "service_at_location", "language",
         "service_area", "schedule", "taxonomy", "taxonomy_term", "attribute"]


def import_hsds(directory: Path, *, actor: str, source: str = "cli") -> ImportSummary:
    """Read an HSDS 3.0 tabular package from ``directory`` into the directory (idempotent)."""
    if not directory.is_dir():
        raise HsdsError(f"{directory} is not a folder; give the folder holding the HSDS CSV files")
    known = {res["path"] for res in resources().values()}
    present = {p.name for p in directory.glob("*.csv")}
    if not present & known:
        raise HsdsError(f"{directory} holds none of the HSDS tables ({', '.join(sorted(known))})")
    summary = ImportSummary()
    imported: dict[str, int] = defaultdict(int)
    verbatim: dict[str, int] = defaultdict(int)
    with transaction.atomic():
        orgs = {o.hsds_id: o for o in Organisation.objects.all()}
        locs = {o.hsds_id: o for o in Location.objects.all()}
        svcs = {o.hsds_id: o for o in Service.objects.all()}
        attributes: list[tuple[int, dict[str, str]]] = []

        def reject(table: str, line: int, reason: str) -> None:
            summary.rejects.append(Reject(table, line, reason))

        def keep(table: str, row: dict[str, str]) -> None:
            ForeignRow.objects.update_or_create(resource=table, hsds_id=row.get("id", ""),
                                                defaults={"data": row})
            verbatim[table] += 1

        rest = [name for name in resources() if name not in ORDER]
        for table in ORDER + rest:
            for line, row in _read(directory, table):
                errors = row_errors(table, row)
                if errors:
                    reject(table, line, "; ".join(errors))
                    continue
                hid = row["id"]
                if table == "organization":
                    org = orgs.get(hid) or Organisation(hsds_id=hid)
                    _assign(org, row, ORG_FIELDS)
                    org.extra = _extra(row, {"id", *ORG_FIELDS})
                    org.save()
                    orgs[hid] = org
                elif table == "location":
                    parent = orgs.get(row.get("organization_id", ""))
                    if parent is None:
                        reject(table, line, f"organization_id {row.get('organization_id')!r} "
                               "is not an organization of this package; add it or fix the id")
                        continue
                    loc = locs.get(hid) or Location(hsds_id=hid, organisation=parent)
                    loc.organisation = parent
                    _assign(loc, row, LOCATION_FIELDS)
                    loc.extra = {**_extra(row, {"id", "organization_id", *LOCATION_FIELDS}),
                                 **({"address": loc.extra["address"]}
                                    if "address" in (loc.extra or {}) else {})}
                    loc.save()
                    locs[hid] = loc
                elif table == "address":
                    loc = locs.get(row.get("location_id", ""))  # type: ignore[assignment]
                    if loc is None or (loc.address_hsds_id and loc.address_hsds_id != hid):
                        keep(table, row)  # a postal address or a second one: kept as given
                        continue
                    loc.address_hsds_id = hid
                    _assign(loc, row, ADDRESS_FIELDS)
                    loc.extra = {**loc.extra,
                                 "address": _extra(row, {"id", "location_id", *ADDRESS_FIELDS})}
                    loc.save()
                elif table == "service":
                    parent = orgs.get(row.get("organization_id", ""))
                    if parent is None:
                        reject(table, line, f"organization_id {row.get('organization_id')!r} "
                               "is not an organization of this package; every service here "
                               "belongs to an organisation")
                        continue
                    svc = svcs.get(hid) or Service(hsds_id=hid, organisation=parent)
                    svc.organisation = parent
                    _assign(svc, row, SERVICE_FIELDS)
                    svc.extra = _extra(row, {"id", "organization_id", *SERVICE_FIELDS})
                    svc.save()
                    svcs[hid] = svc
                elif table == "service_at_location":
                    s, loc_ = svcs.get(row.get("service_id", "")), locs.get(
                        row.get("location_id", ""))
                    if s is None or loc_ is None:
                        reject(table, line, "service_id and location_id must name a service "
                               "and a location of this package")
                        continue
                    ServiceAtLocation.objects.update_or_create(
                        hsds_id=hid, defaults={"service": s, "location": loc_,
                                               "extra": _extra(row, {"id", "service_id",
                                                                     "location_id"})})
                elif table in ("language", "service_area", "schedule"):
                    s = svcs.get(row.get("service_id", ""))
                    if s is None:
                        keep(table, row)  # attached to a location or phone: kept as given
                        continue
                    model: Any
                    model, mapping = {
                        "language": (ServiceLanguage, LANGUAGE_FIELDS),
                        "service_area": (ServiceArea, AREA_FIELDS),
                        "schedule": (Schedule, SCHEDULE_FIELDS)}[table]
                    obj: Any = model.objects.filter(hsds_id=hid).first() or model(hsds_id=hid)
                    obj.service = s
                    _assign(obj, row, mapping)
                    obj.extra = _extra(row, {"id", "service_id", *mapping})
                    obj.save()
                elif table == "taxonomy" and hid == TAXONOMY_ID:
                    continue  # the office's own taxonomy: written afresh on export
                elif table == "taxonomy_term" and (hid in TERM_NEEDS or hid == CAPACITY_TERM_ID):
                    continue
                elif table == "attribute":
                    attributes.append((line, row))
                    continue
                else:
                    keep(table, row)
                    continue
                imported[table] += 1
        touched: dict[str, Service] = {}
        for line, row in attributes:
            term = row.get("taxonomy_term_id", "")
            s = svcs.get(row.get("link_id", ""))
            if term in TERM_NEEDS or term == CAPACITY_TERM_ID:
                if s is None:
                    reject("attribute", line, f"link_id {row.get('link_id')!r} is not a service "
                           "of this package")
                    continue
                if s.hsds_id not in touched:
                    s.needs, s.capacity = [], None
                    touched[s.hsds_id] = s
                if term == CAPACITY_TERM_ID:
                    try:
                        s.capacity = int(row.get("value", ""))
                    except ValueError:
                        reject("attribute", line, f"capacity {row.get('value')!r} is not a "
                               "whole number")
                        continue
                else:
                    s.needs = sorted({*s.needs, TERM_NEEDS[term]})
                imported["attribute"] += 1
            else:
                keep("attribute", row)
        for s in touched.values():
            s.save(update_fields=["needs", "capacity"])
        summary.imported, summary.kept_verbatim = dict(imported), dict(verbatim)
        record_event(actor=actor, action="partners.hsds_import", object_type="directory",
                     source=source,
                     details={"imported": summary.imported, "kept": summary.kept_verbatim,
                              "rejected": len(summary.rejects)})
    return summary
