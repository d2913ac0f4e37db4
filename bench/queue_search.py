"""Benchmark: searching, filtering and exporting the intake queue, beside the plain queue page.

Imports both bundled NYPD files (data/nypd: 61,153 arrests, 41,861 cases) into a fresh SQLite store
in a temporary folder, signs a supervisor in with Django's test client (the full middleware stack:
session, OTP, permissions, audit), then times, in one process:

- baseline: the plain intake queue, first page (what every prosecutor opens);
- each filter's first page: case-number search, charge role, borough and date range, and the
  recommended outcome (first request in a cold process, then warm);
- the last page of an outcome filter (every match listed, warm);
- the CSV export of everything the supervisor may export (streamed, read to the end).

Prints the median of --repeat requests, the ratio to the baseline, and rows/s for the export.
Usage:

    .venv/bin/python bench/queue_search.py [--repeat 15]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted((ROOT / "data" / "nypd").glob("*.csv"))


def timed(client: object, url: str) -> tuple[float, bytes]:
    start = time.perf_counter()
    response = client.get(url)  # type: ignore[attr-defined]
    body = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    seconds = time.perf_counter() - start
    if response.status_code != 200:
        raise SystemExit(f"GET {url} -> {response.status_code}: {body[:300]!r}")
    return seconds, body


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeat", type=int, default=15)
    args = ap.parse_args()
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sj-bench-queue-") as tmp:
        os.environ.update({"SJ_ENV": "development", "SJ_VAR_DIR": str(Path(tmp) / "var")})
        os.environ.pop("SJ_DATABASE_URL", None)
        from survivors_justice.django_setup import setup

        setup()
        from django.core.management import call_command
        from django.test import Client
        from django_otp import DEVICE_ID_SESSION_KEY

        from survivors_justice.accounts.models import User
        from survivors_justice.accounts.otp import ensure_totp_device
        from survivors_justice.accounts.roles import Role
        from survivors_justice.arrests.importer import import_arrests
        from survivors_justice.cases.models import Case
        from survivors_justice.cases.views import PAGE_SIZE

        call_command("migrate", interactive=False, verbosity=0)
        for path in FILES:
            import_arrests(path, actor="bench", source="bench", rejects_path=Path(tmp) / "rej.csv")
        cases = Case.objects.count()
        user = User.objects.create_user(
            "bench-supervisor@example.test", "plum-kettle-harbour-42", role=Role.SUPERVISOR
        )
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = ensure_totp_device(user, confirmed=True).persistent_id
        session.save()

        some_number = Case.objects.order_by("-pk").values_list("number", flat=True).first()
        base = "/cases/intake/"
        rows: list[tuple[str, float, str]] = []

        def measure(label: str, url: str, repeat: int = args.repeat) -> float:
            seconds = [timed(client, url)[0] for _ in range(repeat)]
            median = statistics.median(seconds)
            rows.append((label, median, f"median of {repeat}"))
            return median

        cold, _ = timed(client, base + "?outcome=prosecute&status=any")
        rows.append(("outcome=prosecute, cold process", cold, "first request"))
        plain = measure("baseline: plain queue, page 1", base)
        measure("q=<case number>", f"{base}?q={some_number}")
        measure("role=buyer", f"{base}?role=buyer")
        measure(
            "borough=K, 2016", f"{base}?borough=K&arrested_from=2016-01-01&arrested_to=2016-12-31"
        )
        measure("outcome=prosecute, warm", f"{base}?outcome=prosecute&status=any")
        seconds, body = timed(client, "/cases/intake/export.csv?outcome=decline&status=any")
        declined = body.count(b"\n") - 1
        rows.append(("export.csv, outcome=decline", seconds, f"{declined:,} rows"))
        last = -(-declined // PAGE_SIZE)
        measure(
            f"outcome=decline, last page ({last})",
            f"{base}?outcome=decline&status=any&page={last}",
            5,
        )
        export_seconds, csv_body = timed(client, "/cases/intake/export.csv?status=any")
        exported = csv_body.count(b"\n") - 1
        rows.append(("export.csv, everything", export_seconds, f"{exported:,} rows"))

    print(f"store: {cases:,} cases from {len(FILES)} bundled NYPD files, SQLite; load average "
          f"before {load_before:.1f}, after {os.getloadavg()[0]:.1f}; {os.cpu_count()} CPUs")
    print(f"{'request':<40}{'ms':>10}{'vs plain':>10}  note")
    for label, seconds, note in rows:
        print(f"{label:<40}{seconds * 1000:>10.1f}{seconds / plain:>9.1f}x  {note}")
    print(f"export: {exported / export_seconds:,.0f} rows/s")


if __name__ == "__main__":
    sys.exit(main())
