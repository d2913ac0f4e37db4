"""`.ci/run`, the CI entry point, runs `make test` with CI=true whatever the runner sets.

Under CI=true a missing Chromium or PostgreSQL fails the run instead of skipping its tests, so the
entry point must set it itself. The test runs the real script with `make` and `apt-get` replaced
by stand-ins on PATH that record what they were given.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

from tests.conftest import REPO_ROOT


def _stand_in(folder: Path, name: str, log: Path) -> None:
    script = folder / name
    script.write_text(f'#!/bin/sh\necho "{name} $* CI=${{CI-unset}}" >> "{log}"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR)


def test_ci_run_exports_ci_true_before_make_test(tmp_path: Path) -> None:
    log = tmp_path / "calls.log"
    for name in ("make", "apt-get"):
        _stand_in(tmp_path, name, log)
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env["PATH"] = f"{tmp_path}{os.pathsep}{env.get('PATH', '')}"
    done = subprocess.run(["bash", str(REPO_ROOT / ".ci" / "run")], env=env, capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert calls[-1] == "make test CI=true"
    # apt-get, if the machine lacked something, ran under CI=true as well.
    assert all(line.endswith(" CI=true") for line in calls)
