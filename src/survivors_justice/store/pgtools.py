"""Finding the PostgreSQL client programs (no Django: the benchmark uses it too)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path


class BackupError(RuntimeError):
    """A backup or restore that cannot go on; the message says why and what to do."""


def pg_tool(name: str) -> Path:
    """``pg_dump`` / ``pg_restore``: from ``pg_config --bindir``, else the newest
    /usr/lib/postgresql/*/bin (as scripts/with-postgres.sh finds initdb), else the PATH."""
    candidates: list[Path] = []
    pg_config = shutil.which("pg_config")
    if pg_config:
        try:
            bindir = subprocess.run(  # noqa: S603 (a fixed command found on the PATH)
                [pg_config, "--bindir"], capture_output=True, text=True, check=True, timeout=30
            ).stdout.strip()
            candidates.append(Path(bindir) / name)
        except (OSError, subprocess.SubprocessError):
            pass
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    candidates.extend(p / name for p in reversed(versions))
    on_path = shutil.which(name)
    if on_path:
        candidates.append(Path(on_path))
    for candidate in candidates:
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(
        f"{name} was not found (pg_config --bindir, /usr/lib/postgresql/*/bin, PATH); install "
        "the PostgreSQL client programs (apt-get install postgresql-client)"
    )
