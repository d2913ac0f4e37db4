"""Which charge catalog read the stored charges: a digest of a catalog's content, a catalog file
given on the command line, and the ``CatalogVersion`` row each charge (and each stored screening)
points at.

The digest is taken over the parsed catalog (entries, provisions, readings, PD codes), not the
YAML text, so an edit of a comment or of the layout is not a new catalog: nothing is re-read.
The row also keeps the YAML text the catalog was read from (the first text seen with that
digest), so :func:`stored_catalog` can give back the very catalog that made a past decision.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

import yaml
from django.utils import timezone

from survivors_justice.law import Catalog, CatalogError, load_catalog
from survivors_justice.law.catalog import catalog_from_mapping, packaged_catalog_text

if TYPE_CHECKING:
    from survivors_justice.arrests.models import CatalogVersion

SHIPPED = "shipped catalog.yaml"
_DIGESTS: dict[int, tuple[Catalog, str]] = {}
# The YAML text each catalog object was read from (held with the object, so an id is never
# reused while its entry lives).
_TEXTS: dict[int, tuple[Catalog, str]] = {}
# Catalogs read back from stored texts, by digest: parsed once per process (an office has a
# handful of catalog versions), and kept alive so the policy engine's per-catalog memo (keyed by
# the catalog's id) never meets a reused id.
_STORED: dict[str, Catalog] = {}


class CatalogFileError(ValueError):
    """A catalog file given with ``--catalog`` cannot be read or is not a valid catalog."""

    def __init__(self, path: Path, why: str) -> None:
        self.path = path
        super().__init__(
            f"{path}: {why}; give a charge catalog YAML file like "
            "src/survivors_justice/law/catalog.yaml, or leave out --catalog to use the shipped one"
        )


def catalog_digest(catalog: Catalog) -> str:
    """SHA-256 of the catalog's content, the same for the same entries however the file is laid
    out. Remembered per catalog object (a catalog is immutable once built)."""
    held = _DIGESTS.get(id(catalog))
    if held is not None and held[0] is catalog:
        return held[1]
    content = repr(
        (
            catalog.entries,
            catalog.provisions,
            catalog.readings,
            tuple(sorted(catalog.pd_codes.items())),
        )
    )
    digest = hashlib.sha256(content.encode("utf-8")).hexdigest()
    _DIGESTS[id(catalog)] = (catalog, digest)
    return digest


def shipped_digest() -> str:
    """The digest of the catalog in force (the one the policy engine reads)."""
    return catalog_digest(load_catalog())


def shipped_text() -> str:
    """The YAML text of the shipped catalog (``law/catalog.yaml``)."""
    return packaged_catalog_text()


def catalog_text(catalog: Catalog) -> str:
    """The YAML text ``catalog`` was read from; blank when it was built in memory."""
    held = _TEXTS.get(id(catalog))
    if held is not None and held[0] is catalog:
        return held[1]
    if catalog is load_catalog():
        return shipped_text()
    return ""


def catalog_from_text(text: str, where: Path | str) -> Catalog:
    """Parse catalog YAML ``text`` and remember the text with the catalog (so the catalog version
    stored for it keeps the text); :class:`CatalogFileError` names ``where`` and the problem."""
    path = Path(where)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        at = f" at line {mark.line + 1}" if mark is not None else ""
        raise CatalogFileError(path, f"not valid YAML{at}") from None
    try:
        catalog = catalog_from_mapping(data)
    except CatalogError as exc:
        raise CatalogFileError(path, f"not a valid catalog ({exc})") from None
    _TEXTS[id(catalog)] = (catalog, text)
    return catalog


def read_catalog_file(path: Path) -> Catalog:
    """Parse a catalog YAML file; :class:`CatalogFileError` names the file and the problem."""
    if not path.is_file():
        raise CatalogFileError(path, "no such file")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise CatalogFileError(path, f"not UTF-8 text (byte {exc.start:,})") from None
    except OSError as exc:
        raise CatalogFileError(path, f"cannot be read ({exc.strerror or exc})") from None
    return catalog_from_text(text, path)


def catalog_version(catalog: Catalog, source: str) -> CatalogVersion:
    """The ``CatalogVersion`` row of ``catalog`` with its text, stored now if it is new. Call
    inside the transaction that writes the charges (or screenings) it reads.

    A row stored without a text (a catalog built in memory, or before texts were kept) gets the
    text the first time the same catalog comes with one.
    """
    from survivors_justice.arrests.models import CatalogVersion

    digest = catalog_digest(catalog)
    row = CatalogVersion.objects.filter(digest=digest).first()
    if row is None:
        row, _ = CatalogVersion.objects.get_or_create(
            digest=digest,
            defaults={
                "source": source[:255],
                "first_used_at": timezone.now(),
                "text": catalog_text(catalog),
            },
        )
    if not row.text:
        text = catalog_text(catalog)
        if text:
            CatalogVersion.objects.filter(pk=row.pk, text="").update(text=text)
            row.text = text
    return row


def catalog_version_id(catalog: Catalog, source: str) -> int:
    """The id of :func:`catalog_version`'s row."""
    return int(catalog_version(catalog, source).pk)


class StoredCatalogError(LookupError):
    """A stored catalog version cannot be read back as the catalog that made its decisions."""

    def __init__(self, version: CatalogVersion, why: str) -> None:
        self.version = version
        super().__init__(
            f"catalog {version.digest[:12]} ({version.source}): {why}; its decisions were "
            "replayed with the shipped catalog instead"
        )


def stored_catalog(version: CatalogVersion) -> Catalog:
    """The catalog ``version`` recorded, read back from its kept text.

    :class:`StoredCatalogError` when the text was not kept, or no longer reads as the same
    catalog (the digest differs: the catalog code now reads that text differently). The shipped
    catalog needs no text: its digest says it is the same.
    """
    shipped = load_catalog()
    if catalog_digest(shipped) == version.digest:
        return shipped
    if not version.text:
        raise StoredCatalogError(version, "its text was not kept")
    held = _STORED.get(version.digest)
    if held is not None:
        return held
    try:
        catalog = catalog_from_text(version.text, f"stored catalog {version.digest[:12]}")
    except CatalogFileError as exc:
        raise StoredCatalogError(version, f"its kept text no longer reads ({exc})") from None
    if catalog_digest(catalog) != version.digest:
        raise StoredCatalogError(
            version, "its kept text reads as another catalog now (the catalog code changed)"
        )
    _STORED[version.digest] = catalog
    return catalog


def known_version_id(digest: str) -> int | None:
    """The id of the stored ``CatalogVersion`` with ``digest``, None if no charge used it yet."""
    from survivors_justice.arrests.models import CatalogVersion

    pk = CatalogVersion.objects.filter(digest=digest).values_list("pk", flat=True).first()
    return None if pk is None else int(pk)
