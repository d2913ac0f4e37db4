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

With ``--postgres`` (issue 9 acceptance: every queue filter under 300 ms at the 95th percentile
over 200,000 cases in PostgreSQL) it re-runs itself under ``scripts/with-postgres.sh``, loads
``--cases`` cases the way ``bench/web.py`` does (resampled real arrests through the real importer,
3 in 4 moved out of intake, a stored screening for each case in intake; the office scope is
every county, so the store holds the number of cases asked for), stores every case's
recommendation again as ``sj cases refresh --all`` does (the fixture moves states with plain SQL),
and prints the median and 95th percentile of ``--repeat`` requests of every filter of the intake
queue, the trafficking queue, the follow-up queue and the decided cases, beside the plain queue
page. The last probes mark 1,000 cases' stored recommendations stale (as a new policy version
would before ``sj cases refresh``) and time the rare outcome filters again:

    .venv/bin/python bench/queue_search.py --postgres [--cases 200000] [--repeat 20]
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
    ap.add_argument("--postgres", action="store_true")
    ap.add_argument("--cases", type=int, default=200_000)
    ap.add_argument(
        "--profile", default="",
        help="With --postgres: also profile one request of each probe whose label contains this "
        "text (cProfile, top functions by cumulative time) and print the SQL it ran.",
    )
    args = ap.parse_args()
    if args.postgres:
        return postgres(args)
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


def _signed_in(role: str) -> object:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from survivors_justice.accounts.models import User
    from survivors_justice.accounts.otp import ensure_totp_device

    user = User.objects.create_user(f"bench-{role}@example.test", None, role=role)
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = ensure_totp_device(user, confirmed=True).persistent_id
    session.save()
    return client


def _profile(label: str, client: object, url: str) -> None:
    """One warm request of ``url`` under cProfile, and the slowest SQL statements it ran."""
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profiler = cProfile.Profile()
    with CaptureQueriesContext(connection) as queries:
        profiler.enable()
        timed(client, url)
        profiler.disable()
    print(f"--- profile: {label} ({len(queries.captured_queries)} queries)", flush=True)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(18)
    slow = sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[:4]
    for q in slow:
        print(f"  {float(q['time']) * 1000:.0f} ms: {q['sql'][:600]}", flush=True)


def postgres(args: argparse.Namespace) -> None:
    if not os.environ.get("SJ_DATABASE_URL"):
        script = ROOT / "scripts" / "with-postgres.sh"
        os.execv(str(script), [str(script), sys.executable, __file__, *sys.argv[1:]])  # noqa: S606
    import importlib.util

    spec = importlib.util.spec_from_file_location("bench_web", ROOT / "bench" / "web.py")
    web = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules["bench_web"] = web
    spec.loader.exec_module(web)  # type: ignore[union-attr]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="sj-bench-queue-pg-") as tmp:
        os.environ.update({
            "SJ_ENV": "development", "SJ_VAR_DIR": str(Path(tmp) / "var"),
            "SJ_OFFICE_COUNTY": "all",
        })
        from survivors_justice.django_setup import setup

        setup()
        from django.core.management import call_command
        from django.db import connection

        from survivors_justice.arrests.importer import import_arrests
        from survivors_justice.cases.models import Case
        from survivors_justice.screening.models import PolicyDecision

        call_command("migrate", interactive=False, verbosity=0)
        started = time.perf_counter()
        file = Path(tmp) / "arrests.csv"
        web.build_file(file, int(args.cases * 1.02))
        import_arrests(file, actor="bench")
        opened = Case.objects.count()
        newest = Case.objects.order_by("-pk").values_list("pk", flat=True)
        extra = list(newest[: max(0, opened - args.cases)])
        # Benchmark fixture, not the workflow: states set in bulk, a screening per intake case.
        with connection.cursor() as cur:
            if extra:
                cur.execute(
                    "DELETE FROM cases_recommendedoutcome WHERE case_id = ANY(%s)", [extra]
                )
                cur.execute("DELETE FROM cases_case WHERE id = ANY(%s)", [extra])
            cur.execute(
                "UPDATE cases_case SET state = CASE id % 4 WHEN 1 THEN 'declined' "
                "WHEN 2 THEN 'prosecuting' WHEN 3 THEN 'closed' ELSE state END"
            )
        from survivors_justice.cases import recommendations

        rows = []
        now = time.time()
        from django.utils import timezone

        stamp = timezone.now()
        for case in Case.objects.filter(state="intake").select_related("arrest").iterator(2000):
            rec = recommendations.recommend(case)
            rows.append(PolicyDecision(
                case=case, policy_id=rec.policy_id, policy_version=rec.policy_version,
                case_priority=rec.case_priority, outcomes=[], rules=[], facts={},
                decision={}, screened_at=stamp,
            ))
        PolicyDecision.objects.bulk_create(rows, batch_size=5000)
        from survivors_justice.cases import stored_recommendation

        refreshing = time.perf_counter()
        stored_recommendation.refresh(everything=True)
        refreshed = time.perf_counter() - refreshing
        with connection.cursor() as cur:
            cur.execute("VACUUM ANALYZE")
        print(f"loaded {Case.objects.count():,} cases ({len(rows):,} in intake, screened) in "
              f"{time.perf_counter() - started:.0f} s ({time.time() - now:.0f} s screening, "
              f"{refreshed:.0f} s storing every case's recommendation again)",
              flush=True)
        supervisor = _signed_in("supervisor")
        trafficking = _signed_in("trafficking_ada")
        intake = _signed_in("intake_ada")
        advocate = _signed_in("advocate")
        some_number = Case.objects.filter(state="intake").values_list("number", flat=True).last()
        base = "/cases/intake/"
        probes = [
            ("baseline: plain queue, page 1", supervisor, base),
            ("q=<case number>", supervisor, f"{base}?q={some_number}"),
            ("q=<case number prefix>", supervisor, f"{base}?q={str(some_number)[:-3]}"),
            ("role=buyer", supervisor, f"{base}?role=buyer"),
            ("borough=K", supervisor, f"{base}?borough=K"),
            ("precinct=75", supervisor, f"{base}?precinct=75"),
            ("arrested 2016", supervisor,
             f"{base}?arrested_from=2016-01-01&arrested_to=2016-12-31"),
            ("status=any", supervisor, f"{base}?status=any"),
            ("sort=-arrested", supervisor, f"{base}?sort=-arrested"),
            ("outcome=decline", supervisor, f"{base}?outcome=decline"),
            ("outcome=prosecute", supervisor, f"{base}?outcome=prosecute"),
            ("outcome=prosecute_priority", supervisor, f"{base}?outcome=prosecute_priority"),
            ("outcome=panel_review", supervisor, f"{base}?outcome=panel_review"),
            ("outcome=outside_policy", supervisor, f"{base}?outcome=outside_policy"),
            ("trafficking queue (deadline)", trafficking, "/cases/priority/"),
            ("trafficking queue, intake, K", trafficking, "/cases/priority/?show=intake&borough=K"),
            ("trafficking queue, leads", trafficking, "/cases/priority/?show=leads"),
            ("follow-ups (advocate)", advocate, "/cases/followups/"),
            ("decided cases (mine)", intake, "/cases/decided/"),
            ("decided cases (all)", supervisor, "/cases/decided/?all=1"),
            ("STALE: outcome=panel_review", supervisor, f"{base}?outcome=panel_review"),
            ("STALE: outcome=outside_policy", supervisor, f"{base}?outcome=outside_policy"),
            ("STALE: outcome=decline", supervisor, f"{base}?outcome=decline"),
        ]
        results = []
        for label, client, url in probes:
            if label.startswith("STALE") and not any(r[0].startswith("STALE") for r in results):
                stale = list(Case.objects.filter(state="intake").order_by("?")
                             .values_list("pk", flat=True)[:1000])
                Case.objects.filter(pk__in=stale).update(recommended_policy="older@0")
            timed(client, url)  # warm
            if args.profile and args.profile in label:
                _profile(label, client, url)
            seconds = sorted(timed(client, url)[0] for _ in range(args.repeat))
            p95 = seconds[min(len(seconds) - 1, round(0.95 * len(seconds)) - 1)]
            results.append((label, statistics.median(seconds), p95))
    plain = results[0][1]
    print(f"PostgreSQL, {args.cases:,} cases; {args.repeat} requests each after one warm-up; "
          f"load average before {load_before:.1f}, after {os.getloadavg()[0]:.1f}; "
          f"{os.cpu_count()} CPUs")
    print(f"{'request':<36}{'median ms':>10}{'p95 ms':>10}{'vs plain':>10}  under 300 ms")
    for label, median, p95 in results:
        print(f"{label:<36}{median * 1000:>10.1f}{p95 * 1000:>10.1f}{median / plain:>9.1f}x  "
              f"{'yes' if p95 < 0.3 else 'NO'}")


if __name__ == "__main__":
    sys.exit(main())
