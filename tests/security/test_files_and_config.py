"""Findings 4 and 5 of the attack: HSTS in production, private files, private keys files."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from tests.arrests.helpers import DEC_2017, read_rows, write_rows

from survivors_justice.config import Config, ConfigError, Environment

SECRET = "s" * 48
KEY_LINE = "k1:" + base64.b64encode(b"k" * 32).decode()


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _run(args: list[str], env: dict[str, str], *, umask: int = 0o022) -> str:
    """Run ``sj ARGS`` in a fresh process started with a permissive umask (as a shell would)."""
    code = (
        f"import os, sys; os.umask({umask}); sys.argv = ['sj', *sys.argv[1:]]; "
        "from survivors_justice.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], env={**os.environ, **env},
        capture_output=True, text=True, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout + done.stderr


def test_sj_creates_a_private_store_and_var_folder(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {"SJ_VAR_DIR": str(var), "SJ_ENV": "development"}
    _run(["db", "upgrade"], {**env, "SJ_DATABASE_URL": ""})
    assert _mode(var) == 0o700
    assert _mode(var / "sj.sqlite3") == 0o600


def test_sqlite_companions_and_rejects_files_are_private(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {"SJ_VAR_DIR": str(var), "SJ_ENV": "development", "SJ_DATABASE_URL": ""}
    _run(["db", "upgrade"], env)
    header, rows = read_rows(DEC_2017, 30)
    rows[2][header.index("ARREST_DATE")] = "13/45/2017"  # one rejected row
    sample = write_rows(tmp_path / "sample.csv", header, rows)
    rejects = tmp_path / "out" / "rejects.csv"
    rejects.parent.mkdir()
    _run(["import", "arrests", str(sample), "--rejects", str(rejects)], env)
    assert _mode(rejects) == 0o600
    # While a connection is open, SQLite's WAL and shared-memory files exist: same mode.
    store = str(var / "sj.sqlite3")
    probe = "\n".join([
        "import os, sqlite3, stat, json",
        "os.umask(0o022)",
        "from survivors_justice.files import private_by_default",
        "private_by_default()",
        f"c = sqlite3.connect({store!r})",
        "c.execute('PRAGMA journal_mode=WAL')",
        "c.execute('CREATE TABLE IF NOT EXISTS probe (x)')",
        "c.execute('INSERT INTO probe VALUES (1)')",
        "c.commit()",
        f"print(json.dumps({{s: stat.S_IMODE(os.stat({store!r} + s).st_mode) "
        "for s in ('', '-wal', '-shm')}))",
    ])
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60,
    )
    assert json.loads(done.stdout) == {"": 0o600, "-wal": 0o600, "-shm": 0o600}


def test_db_upgrade_narrows_an_old_world_readable_store(tmp_path: Path) -> None:
    var = tmp_path / "var"
    env = {"SJ_VAR_DIR": str(var), "SJ_ENV": "development", "SJ_DATABASE_URL": ""}
    _run(["db", "upgrade"], env)
    var.chmod(0o755)
    (var / "sj.sqlite3").chmod(0o644)
    out = _run(["db", "upgrade"], env)
    assert "Made private to this account" in out
    assert _mode(var) == 0o700 and _mode(var / "sj.sqlite3") == 0o600


def test_screen_export_is_private(tmp_path: Path) -> None:
    header, rows = read_rows(DEC_2017, 5)
    sample = write_rows(tmp_path / "five.csv", header, rows)
    out = tmp_path / "screened.csv"
    _run(["screen", str(sample), "-o", str(out)], {"SJ_VAR_DIR": str(tmp_path / "var")})
    assert _mode(out) == 0o600


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604])
def test_production_refuses_a_keys_file_others_can_read(tmp_path: Path, mode: int) -> None:
    keys = tmp_path / "keys"
    keys.write_text(KEY_LINE + "\n")
    keys.chmod(mode)
    with pytest.raises(ConfigError, match=f"mode {mode:04o}.*chmod 600"):
        Config(env=Environment.PRODUCTION, secret_key=SECRET, encryption_keys_file=keys)
    keys.chmod(0o600)
    assert Config(env=Environment.PRODUCTION, secret_key=SECRET, encryption_keys_file=keys)


def test_hsts_is_on_in_production_only_and_preload_is_off_by_default(tmp_path: Path) -> None:
    probe = (
        "import json; from django.conf import settings; import django; django.setup();"
        "print(json.dumps([settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS,"
        " settings.SECURE_HSTS_PRELOAD]))"
    )

    def settings_in(env: dict[str, str]) -> list[object]:
        done = subprocess.run(
            [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "survivors_justice.settings",
                 "SJ_VAR_DIR": str(tmp_path / "var"), **env},
        )
        result: list[object] = json.loads(done.stdout)
        return result

    production = {"SJ_ENV": "production", "SJ_SECRET_KEY": SECRET, "SJ_ENCRYPTION_KEYS": KEY_LINE}
    assert settings_in(production) == [31_536_000, True, False]
    assert settings_in({**production, "SJ_HSTS_SECONDS": "600"})[0] == 600
    assert settings_in({"SJ_ENV": "development"})[0] == 0
    with pytest.raises(ConfigError, match="SJ_HSTS_PRELOAD"):
        Config(env=Environment.PRODUCTION, secret_key=SECRET, encryption_keys=KEY_LINE,
               hsts_preload=True, hsts_seconds=600)


@pytest.mark.django_db
def test_hsts_header_on_https_answers(settings: object, client: object) -> None:
    from django.test import Client

    settings.SECURE_HSTS_SECONDS = 31_536_000  # type: ignore[attr-defined]
    settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = True  # type: ignore[attr-defined]
    response = Client().get("/", secure=True)
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"

