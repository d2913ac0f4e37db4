"""How a recorded charge is described to a person: never a bare code or an empty dash."""

from __future__ import annotations

from survivors_justice.law.model import ChargeStatus, ResolvedCharge


def recorded_as(law_code: str | None, pd_desc: str | None, resolved: ResolvedCharge) -> str:
    """``PROSTITUTION (PL 2300000)``; without the NYPD's description, the catalog's reading.

    ``PL 230345A`` with no PD_DESC -> ``PL 230345A: PL 230.34(5)(a) Sex trafficking (...)
    (the NYPD record gives no offense description)``.
    """
    code = (law_code or "").strip() or "no law code"
    desc = " ".join((pd_desc or "").split())
    if desc:
        return f"{desc} ({code})"
    entry = resolved.entry
    if resolved.status is ChargeStatus.CATALOGED and entry is not None:
        read = f"{entry.citation} {entry.title}"
        return f"{code}: {read} (the NYPD record gives no offense description)"
    return f"{code} (the NYPD record gives no offense description)"
