"""Parsing of NYPD ``LAW_CODE`` values and written Penal Law citations.

NYPD law codes are a chapter (``PL``, ``VTL``, ``LOC`` ...) and a seven-character body. For the
Penal Law the body is the article (3 digits), the section within it (2 digits) and a two-character
tail that carries the subdivision, sometimes with letters the NYPD adds:

=============  =====================================  ==========================================
tail           example                                reading
=============  =====================================  ==========================================
``00``         ``PL 2300000``                         230.00, no subdivision
``0d``         ``PL 2302502``                         230.25 subdivision 2
``dd``         ``PL 2651011``                         subdivision 11 (two digits, first not 0)
``dX``         ``PL 230302X``                         230.30 subdivision 2, NYPD qualifier X
``0L``         ``PL 230330X``                         230.33, no subdivision, qualifier X
``dL``         ``PL 230345A``                         230.34 subdivision 5 paragraph (a)
``Ld``         ``PL 24037M2``, ``PL 23003A0``          240.37 subdivision 2 with the class letter
                                                      M (V = violation); ``0`` = no subdivision
``LL``         ``PL 12005WX``                         qualifiers only, no subdivision
=============  =====================================  ==========================================

Only the article-230, 240.37 and 135.35-135.37 readings matter to the catalog; for other
sections the subdivision is a best-effort reading and is never used to decide anything.
"""

from __future__ import annotations

import re

from survivors_justice.law.model import LawCode, LawCodeError

_EXPECTED = (
    "expected an NYPD law code such as 'PL 2302502' (chapter letters, then seven characters) "
    "or a Penal Law citation such as 'PL 230.25(2)' or '230.34(5)(a)'"
)
_MAX_LEN = 40
_NYPD = re.compile(r"([A-Z]{2,3}) ?([0-9A-Z]{7})")
_CITATION = re.compile(
    r"(?:PL\s*)?(?:§\s*)?"
    r"(?P<section>\d{1,3}\.\d{2}(?:-[A-Z])?)"
    r"(?:\s*\(\s*(?P<sub>\d{1,2}|[A-Z])\s*\))?"
    r"(?:\s*\(\s*(?P<para>[A-Z]{1,4})\s*\))?"
)
# The NYPD's trailing "X" marks a variant of the code, never a paragraph letter.
_QUALIFIER_ONLY = frozenset("X")


def _pl_tail(tail: str) -> tuple[str | None, str | None]:
    """Return (subdivision, qualifier) for the last two characters of a PL code body."""
    first, second = tail[0], tail[1]
    if first.isdigit() and second.isdigit():
        return (None if tail == "00" else str(int(tail))), None
    if first.isdigit():  # digit + letter
        if first == "0":
            return None, second
        if second in _QUALIFIER_ONLY:
            return first, second
        return f"{first}({second.lower()})", None
    if second.isdigit():  # letter + digit: class letter or NYPD variant, then the subdivision
        return (None if second == "0" else second), first
    return None, tail


def parse_law_code(raw: str) -> LawCode:
    """Parse an NYPD ``LAW_CODE`` (``PL 230345A``) or a citation (``PL 230.34(5)(a)``).

    Raises :class:`LawCodeError` naming the value for anything else (empty strings, garbage,
    non-strings).
    """
    if not isinstance(raw, str):
        raise LawCodeError(raw, _EXPECTED)
    text = " ".join(raw.strip().upper().split())
    if not text or len(text) > _MAX_LEN:
        raise LawCodeError(raw, _EXPECTED)
    match = _NYPD.fullmatch(text)
    if match is not None:
        chapter, body = match.group(1), match.group(2)
        if chapter != "PL":
            return LawCode(raw=raw, chapter=chapter, section=body, subdivision=None, nypd=True)
        if not body[:5].isdigit():
            raise LawCodeError(
                raw, "a Penal Law code needs five digits (article and section) after 'PL '"
            )
        subdivision, qualifier = _pl_tail(body[5:])
        section = f"{body[:3]}.{body[3:5]}"
        return LawCode(raw, "PL", section, subdivision, qualifier, nypd=True)
    match = _CITATION.fullmatch(text)
    if match is not None:
        section = match.group("section").lower()
        article, _, rest = section.partition(".")
        section = f"{int(article):03d}.{rest}"
        sub = match.group("sub")
        para = match.group("para")
        if sub is None and para is not None:
            raise LawCodeError(raw, "a paragraph needs its subdivision, e.g. '230.34(5)(a)'")
        subdivision = None
        if sub is not None:
            subdivision = sub.lower() if para is None else f"{sub.lower()}({para.lower()})"
        return LawCode(raw=raw, chapter="PL", section=section, subdivision=subdivision)
    raise LawCodeError(raw, _EXPECTED)
