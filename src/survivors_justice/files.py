"""Files the application writes are private to its account by default.

The store (SQLite and its ``-wal``/``-shm`` companions), the var folder, exports and rejects
files hold personal data or secrets. Every process of the application (the ``sj`` command and
the WSGI entry point) starts with umask 077, so whatever it creates is readable by its own
account only; ``sj db upgrade`` also narrows an existing store made before this rule.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_UMASK = 0o077
PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
SQLITE_COMPANIONS = ("", "-wal", "-shm", "-journal")


def private_by_default() -> None:
    """Files and folders this process creates from now on are private to its account."""
    os.umask(PRIVATE_UMASK)


def make_private(path: Path) -> bool:
    """Narrow ``path`` (a file or folder, if it exists) to its owner; True if it was changed."""
    try:
        st = path.stat()
    except FileNotFoundError:
        return False
    wanted = PRIVATE_DIR if stat.S_ISDIR(st.st_mode) else PRIVATE_FILE
    if st.st_mode & 0o777 == wanted:
        return False
    path.chmod(wanted)
    return True


def secure_store(var_dir: Path, sqlite_path: Path | None) -> list[Path]:
    """Make the var folder and the SQLite store files private; the paths that were changed."""
    changed = [var_dir] if make_private(var_dir) else []
    if sqlite_path is not None:
        for suffix in SQLITE_COMPANIONS:
            path = sqlite_path.with_name(sqlite_path.name + suffix)
            if make_private(path):
                changed.append(path)
    return changed
