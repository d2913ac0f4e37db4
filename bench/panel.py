"""Benchmark: the review panel's packets of a 40-case docket and the member's packet page.

Issue 10 acceptance: building the packets of a 40-case docket, and the member's packet page with
a p95 under 150 ms at 20 concurrent members, against the production server configuration.

What the script does, in one run:

1. Without ``SJ_DATABASE_URL`` it re-runs itself under ``scripts/with-postgres.sh`` (a throwaway
   PostgreSQL cluster, removed afterwards).
2. Production mode with a fresh secret and AES-256 key (never written anywhere), a temporary
   ``SJ_VAR_DIR``.
3. Data: real promoting and trafficking arrests of the bundled NYPD files, resampled with fresh
   keys and imported (the importer opens and screens a case for each); 40 of them are put with
   the panel (a benchmark fixture: the state is set in bulk), each defendant given a made-up
   name, address, phone and a narrative that repeats them, so the redaction has work to do.
4. 20 panel members (seats in turn: lived experience, advocate, expert), each with the panel
   training recorded and signing the confidentiality acknowledgment, with OTP-verified sessions;
   a supervisor coordinates.
5. The docket: ``schedule_session`` (40 cases, ordered by CPL 30.30 days left, each narrative
   redacted automatically), every redaction confirmed, the session opened; then every packet
   built once more with ``build_packet``. Both are timed.
6. The server: ``sj serve`` (gunicorn, as in production: 2 x CPU cores + 1 workers, 2 threads
   each). Load from plain threads, one kept-alive connection per member and one request a
   second each, members spread over the second: first a baseline (the signed-in home page),
   then the 20 members reading packets (each member goes through the docket from a different
   item; every read is audited, as in real use). Prints p50/p95/p99, failures and the ratio of
   the packet page's p95 to the baseline's.

Usage:

    .venv/bin/python bench/panel.py [--duration 30]
"""

from __future__ import annotations

import argparse
import base64
import csv
import http.client
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
NYPD = REPO / "data" / "nypd"
SOURCES = [NYPD / "arrests-2017-12.csv", NYPD / "prostitution-arrests-2006-2016.csv"]
MEMBERS = 20
DOCKET = 40
P95_LIMIT_MS = 150.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def production_env(var_dir: Path) -> dict[str, str]:
    key = base64.b64encode(secrets.token_bytes(32)).decode("ascii")
    return {
        "SJ_ENV": "production",
        "SJ_SECRET_KEY": secrets.token_urlsafe(48),
        "SJ_ENCRYPTION_KEYS": f"bench1:{key}",
        "SJ_VAR_DIR": str(var_dir),
        "DJANGO_SETTINGS_MODULE": "survivors_justice.settings",
        "PYTHONPATH": str(REPO / "src"),
    }


def build_file(path: Path, rows: int, seed: int = 20171231) -> None:
    """Real promoting and trafficking arrests, resampled with fresh keys."""
    header: list[str] = []
    pool: list[list[str]] = []
    for f in SOURCES:
        with f.open(newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            h = next(reader)
            header = header or h[:18]
            idx = [h.index(c) for c in header]
            code = h.index("LAW_CODE")
            for row in reader:
                if row[code].startswith(("PL 2302", "PL 2303")):
                    pool.append([row[i] for i in idx])
    rng = random.Random(seed)
    key_col = header.index("ARREST_KEY")
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        for n in range(rows):
            row = list(rng.choice(pool))
            row[key_col] = str(910_000_000 + n)
            writer.writerow(row)


def _session(user: object) -> str:
    from django.test import Client
    from django_otp import DEVICE_ID_SESSION_KEY

    from survivors_justice.accounts.otp import ensure_totp_device

    device = ensure_totp_device(user, confirmed=True)  # type: ignore[arg-type]
    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[arg-type]
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return str(session.session_key)


def prepare(workdir: Path) -> tuple[list[str], list[int]]:
    """Build the docket; return the members' session keys and the docket's entry ids."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from survivors_justice.accounts.models import User
    from survivors_justice.arrests.importer import import_arrests
    from survivors_justice.cases.models import Case
    from survivors_justice.review import services
    from survivors_justice.review.models import DocketEntry, SeatKind, SessionState
    from survivors_justice.review.packets import build_packet
    from survivors_justice.training.rules import WORK
    from survivors_justice.training.services import record_training

    call_command("migrate", interactive=False, verbosity=0)
    file = workdir / "arrests.csv"
    build_file(file, DOCKET * 3)
    import_arrests(file, actor="bench")
    ids = list(Case.objects.order_by("pk").values_list("pk", flat=True)[:DOCKET])
    if len(ids) < DOCKET:
        sys.exit(f"only {len(ids)} cases were opened; expected {DOCKET}")
    # Benchmark fixture, not the workflow: the panel state and the people are set in bulk.
    Case.objects.filter(pk__in=ids).update(state="panel_review")
    for n, case in enumerate(Case.objects.filter(pk__in=ids).select_related("defendant")):
        p = case.defendant
        p.given_name, p.family_name = f"Marisol{n}", f"Vantongeren{n}"
        p.address = f"{100 + n} Jamaica Avenue, Queens"
        p.phone, p.email = f"718-555-{n:04d}", f"marisol{n}@example.test"
        p.narrative = (
            f"Marisol{n} Vantongeren{n}, of {p.address}, phone {p.phone}, said she and two other "
            "women shared an apartment to work safely and split the rent; the complaint says she "
            "answered the ads for all three. " * 6
        )
        p.save()
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    coordinator = User.objects.create_user("bench-coordinator@example.test", None,
                                           role="supervisor")  # fmt: skip
    today = timezone.localdate()
    seats = [SeatKind.LIVED_EXPERIENCE, SeatKind.ADVOCATE, SeatKind.EXPERT]
    members = []
    for i in range(MEMBERS):
        user = User.objects.create_user(f"bench-member-{i}@example.test", None,
                                        role="panel_member")  # fmt: skip
        for course in WORK["panel_seat"]:
            record_training(actor=coordinator, user=user, course=course,
                            completed_on=today - timedelta(days=30),
                            expires_on=today + timedelta(days=335))  # fmt: skip
        members.append(services.enrol_member(
            actor=coordinator, user=user, seat=seats[i % 3], term_start=today - timedelta(days=30),
            term_end=today + timedelta(days=300), training_current_until=today + timedelta(days=90),
        ))  # fmt: skip
        services.sign_confidentiality(actor=user)
        members[-1].refresh_from_db()

    started = time.perf_counter()
    session = services.schedule_session(
        actor=coordinator, scheduled_for=datetime.now(tz=UTC), members=members,
        cases=Case.objects.filter(pk__in=ids).select_related("arrest", "defendant"),
    )  # fmt: skip
    scheduled = time.perf_counter() - started
    entries = list(session.docket.select_related("case", "case__arrest", "case__defendant"))
    for entry in entries:
        services.confirm_redaction(actor=coordinator, entry=entry, text=entry.redacted_narrative)
    services.move_session(actor=coordinator, session=session, to=SessionState.OPEN)
    entries = list(
        DocketEntry.objects.filter(session=session).select_related(
            "session", "case", "case__arrest", "case__defendant"
        )
    )
    started = time.perf_counter()
    packets = [build_packet(e.case, e) for e in entries]
    built = time.perf_counter() - started
    leaked = [
        e.pk for e, pk in zip(entries, packets, strict=True)
        if e.case.defendant.family_name in str(pk) or e.case.number in str(pk)
    ]  # fmt: skip
    if leaked:
        sys.exit(f"packets {leaked} hold a personal value")
    print(f"docket of {len(entries)} cases: scheduled (each narrative redacted) in "
          f"{scheduled * 1000:.0f} ms; {len(packets)} packets built in {built * 1000:.0f} ms "
          f"({built * 1000 / len(packets):.1f} ms each)", flush=True)  # fmt: skip
    return [_session(m.user) for m in members], [e.pk for e in entries]


@dataclass
class Result:
    label: str
    requests: int
    failures: int
    rps: float
    p50: float
    p95: float
    p99: float


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else 0.0


def run(label: str, host: str, paths: list[list[str]], sessions: list[str], seconds: int) -> Result:
    """Each user ``i`` asks for ``paths[i]`` in turn, one request a second."""
    samples: list[tuple[float, int]] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    stop_at = start + seconds
    users = len(sessions)

    def user(i: int) -> None:
        conn = http.client.HTTPConnection(host.removeprefix("http://"), timeout=30)
        cookie = f"sessionid={sessions[i]}"
        due = start + i / users
        n = 0
        while due < stop_at:
            time.sleep(max(0.0, due - time.perf_counter()))
            path = paths[i][n % len(paths[i])]
            n += 1
            t = time.perf_counter()
            try:
                conn.request("GET", path, headers={"Cookie": cookie})
                response = conn.getresponse()
                response.read()
                status = response.status
            except OSError:
                status = 0
                conn.close()
                conn = http.client.HTTPConnection(host.removeprefix("http://"), timeout=30)
            with lock:
                samples.append(((time.perf_counter() - t) * 1000, status))
            due += 1.0
        conn.close()

    threads = [threading.Thread(target=user, args=(i,), daemon=True) for i in range(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    times = [ms for ms, _ in samples]
    odd = sorted({st for _, st in samples if st != 200})
    if odd:
        print(f"{label}: answers other than 200: {odd}", flush=True)
    failures = sum(1 for _, st in samples if st != 200)
    return Result(label, len(samples), failures, len(samples) / seconds,
                  pct(times, 0.5), pct(times, 0.95), pct(times, 0.99))  # fmt: skip


def show(r: Result, base: Result | None = None) -> None:
    ratio = f"  p95 x{r.p95 / base.p95:.1f} the baseline" if base and base.p95 else ""
    verdict = "" if base is None else (
        "  held" if r.p95 < P95_LIMIT_MS and r.failures == 0 else "  NOT held")  # fmt: skip
    print(f"{r.label:>18}: {MEMBERS} users {r.rps:6.1f} req/s  p50 {r.p50:5.0f} ms  "
          f"p95 {r.p95:5.0f} ms  p99 {r.p99:5.0f} ms  failures {r.failures}/{r.requests}"
          f"{ratio}{verdict}", flush=True)  # fmt: skip


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 (loopback URL we built)
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"the server did not answer at {url} within {timeout:.0f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=30, help="seconds per run")
    parser.add_argument("--workers", type=int, default=None,
                        help="default: as `sj serve` (2 x CPU cores + 1)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    if args.workers is None:  # the production default of `sj serve`
        sys.path.insert(0, str(REPO / "src"))
        from survivors_justice.cli import default_web_workers

        args.workers = default_web_workers()
    if not os.environ.get("SJ_DATABASE_URL"):
        script = REPO / "scripts" / "with-postgres.sh"
        os.execv(str(script), [str(script), sys.executable, __file__, *sys.argv[1:]])  # noqa: S606

    workdir = Path(tempfile.mkdtemp(prefix="sj-bench-panel-"))
    var_dir = workdir / "var"
    var_dir.mkdir()
    os.environ.update(production_env(var_dir))
    sys.path.insert(0, str(REPO / "src"))
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; other work counts)")
    sessions, entry_ids = prepare(workdir)
    n = len(entry_ids)
    packet_paths = [
        [f"/panel/packets/{entry_ids[(i * 2 + k) % n]}/" for k in range(n)] for i in range(MEMBERS)
    ]
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    sj = Path(sys.executable).parent / "sj"
    server = subprocess.Popen(
        [str(sj), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers",
         str(args.workers), "--threads", str(args.threads)],
        env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"), start_new_session=True,
    )  # fmt: skip
    try:
        wait_for(host + "/")
        print(f"server: sj serve --workers {args.workers} --threads {args.threads}, "
              "SJ_ENV=production, PostgreSQL", flush=True)  # fmt: skip
        home = [["/home/"]] * MEMBERS
        conn = http.client.HTTPConnection(host.removeprefix("http://"), timeout=30)
        conn.request("GET", packet_paths[0][0], headers={"Cookie": f"sessionid={sessions[0]}"})
        first = conn.getresponse()
        if first.status != 200:
            sys.exit(f"{packet_paths[0][0]} answered {first.status} {first.getheader('Location')}")
        conn.close()
        run("warm-up", host, packet_paths, sessions, 5)
        base = run("baseline (home)", host, home, sessions, args.duration)
        show(base)
        show(run("member packet", host, packet_paths, sessions, args.duration), base)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
