"""Which charge catalog read the stored charges: a digest of a catalog's content, a catalog file
given on the command line, and the ``CatalogVersion`` row each charge points at.

The digest is taken over the parsed catalog (entries, provisions, readings, PD codes), not the
YAML text, so an edit of a comment or of the layout is not a new catalog: nothing is re-read.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import yaml
from django.utils import timezone

from survivors_justice.law import Catalog, CatalogError, load_catalog
from survivors_justice.law.catalog import catalog_from_mapping

SHIPPED = "shipped catalog.yaml"
_DIGESTS: dict[int, tuple[Catalog, str]] = {}


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
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise CatalogFileError(path, f"not valid YAML{where}") from None
    try:
        return catalog_from_mapping(data)
    except CatalogError as exc:
        raise CatalogFileError(path, f"not a valid catalog ({exc})") from None


def catalog_version_id(catalog: Catalog, source: str) -> int:
    """The id of the ``CatalogVersion`` row of ``catalog``, stored now if it is new. Call inside
    the transaction that writes the charges it reads."""
    from survivors_justice.arrests.models import CatalogVersion

    row, _ = CatalogVersion.objects.get_or_create(
        digest=catalog_digest(catalog),
        defaults={"source": source[:255], "first_used_at": timezone.now()},
    )
    return int(row.pk)


def known_version_id(digest: str) -> int | None:
    """The id of the stored ``CatalogVersion`` with ``digest``, None if no charge used it yet."""
    from survivors_justice.arrests.models import CatalogVersion

    pk = CatalogVersion.objects.filter(digest=digest).values_list("pk", flat=True).first()
    return None if pk is None else int(pk)
