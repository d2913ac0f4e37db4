"""Several processes appending to one SQLite file keep one unbroken chain (BEGIN IMMEDIATE)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

MIGRATE = (
    "from survivors_justice.django_setup import setup; setup()\n"
    "from django.core.management import call_command\n"
    "call_command('migrate', verbosity=0)\n"
)
WRITE = (
    "import sys\n"
    "from survivors_justice.django_setup import setup; setup()\n"
    "from survivors_justice.audit.services import record_event\n"
    "for i in range(25):\n"
    "    record_event(actor='writer' + sys.argv[1], action='case.read', object_id=str(i))\n"
)
VERIFY = (
    "from survivors_justice.django_setup import setup; setup()\n"
    "from survivors_justice.audit.services import verify\n"
    "r = verify(); print(r.ok, r.checked, r.head_seq)\n"
)


def test_four_processes_append_to_one_sqlite_chain(tmp_path: Path) -> None:
    env = {**os.environ, "SJ_ENV": "test", "SJ_VAR_DIR": str(tmp_path)}
    env.pop("SJ_DATABASE_URL", None)
    subprocess.run([sys.executable, "-c", MIGRATE], env=env, check=True)
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITE, str(n)], env=env) for n in range(4)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    out = subprocess.run([sys.executable, "-c", VERIFY], env=env, check=True,
                         capture_output=True, text=True)
    assert out.stdout.split() == ["True", "100", "100"]
