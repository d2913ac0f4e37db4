"""Benchmark: the advocate's caseload and the partner's referral page, over 50,000 survivors.

Issue 11 acceptance: at 20 concurrent signed-in users (each making one request a second), the
advocate caseload page and the partner referral page answer with a p95 under 150 ms, over 50,000
survivors in PostgreSQL, against the production server configuration.

What the script does, in one run:

1. Without ``SJ_DATABASE_URL`` it re-runs itself under ``scripts/with-postgres.sh`` (a throwaway
   PostgreSQL cluster, removed afterwards).
2. Production mode with a fresh secret and AES-256 key (never written anywhere), a temporary
   ``SJ_VAR_DIR``.
3. Data, bulk-generated (a benchmark fixture, not the workflow): 20 advocates with 2,500
   survivors each (names and phone encrypted, as every personal field is), 5 partner
   organisations; every survivor has a consent for one organisation (contact and identity, one in
   ten revoked) and a referral to it, so each organisation has 10,000 referrals of which about
   9,000 it may see.
4. 20 advocate and 20 partner-staff accounts (4 per organisation) with OTP-verified sessions.
5. The server: ``sj serve`` (gunicorn, as in production: 2 x CPU cores + 1 workers, 2 threads each).
6. Load from plain threads, one kept-alive connection per user and one request a second each,
   users spread over the second: first a baseline (the signed-in home page), then 20 advocates on
   their caseload, then 20 partner staff on their referral list (every list shown is also written
   to the disclosure log and the audit log, as in real use). Prints p50/p95/p99, failures and the
   ratio of each page's p95 to the baseline's.

Usage:

    .venv/bin/python bench/services.py [--survivors 50000] [--duration 30]
"""

from __future__ import annotations

import argparse
import base64
import http.client
import os
import secrets
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
USERS = 20
ORGS = 5
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


def prepare(survivors: int) -> dict[str, list[str]]:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from survivors_justice import crypto
    from survivors_justice.accounts.models import User
    from survivors_justice.partners.models import Membership, Organisation
    from survivors_justice.survivors.models import NOT_RECORDED, Consent, Referral, Survivor

    def sealed(name: str, plain: str, pk: int) -> str:
        field = Survivor._meta.get_field(name)
        return crypto.encrypt(plain, context=field.context(None, pk))  # type: ignore[attr-defined]

    call_command("migrate", interactive=False, verbosity=0)
    started = time.perf_counter()
    advocates = [User.objects.create_user(f"bench-advocate-{i}@example.test", None,
                                          role="advocate") for i in range(USERS)]
    orgs = [Organisation.objects.create(name=f"Bench Partner {i}", description="Bench")
            for i in range(ORGS)]
    staff = []
    for i in range(USERS):
        user = User.objects.create_user(f"bench-partner-{i}@example.test", None,
                                        role="partner_staff")
        Membership.objects.create(user=user, organisation=orgs[i % ORGS])
        staff.append(user)
    today = timezone.localdate()
    now = timezone.now()
    batch = 5000
    for start in range(0, survivors, batch):
        n = min(batch, survivors - start)
        made = Survivor.objects.bulk_create([
            Survivor(language="es", advocate=advocates[(start + k) % USERS],
                     sexual_orientation="", gender_identity="") for k in range(n)])
        # personal values are sealed for their row id, which only exists after the insert
        personal = ("given_name", "family_name", "phone", "sexual_orientation",
                    "gender_identity")
        with connection.cursor() as cur:
            cur.executemany(
                f"UPDATE {Survivor._meta.db_table} SET "  # noqa: S608 (our own column names)
                + ", ".join(f"{name} = %s" for name in personal) + " WHERE id = %s",
                [(sealed("given_name", f"Given{start + k}", s.pk),
                  sealed("family_name", f"Family{start + k}", s.pk),
                  sealed("phone", f"718-555-{(start + k) % 10000:04d}", s.pk),
                  sealed("sexual_orientation", NOT_RECORDED, s.pk),
                  sealed("gender_identity", NOT_RECORDED, s.pk), s.pk)
                 for k, s in enumerate(made)])
        consents = Consent.objects.bulk_create([
            Consent(survivor=s, organisation=orgs[s.pk % ORGS], categories=["contact", "identity"],
                    purpose="Bench", starts_on=today - timedelta(days=10),
                    ends_on=today + timedelta(days=80), given_how="signed_in_person",
                    language="es", recorded_by=s.advocate,
                    revoked_at=now if s.pk % 10 == 0 else None)
            for s in made])
        Referral.objects.bulk_create([
            Referral(survivor_id=c.survivor_id, organisation_id=c.organisation_id, consent=c,
                     need="mental_health", note="", sent_by_id=c.recorded_by_id,
                     sent_at=now - timedelta(minutes=c.survivor_id % 5000),
                     respond_by=today + timedelta(days=(c.survivor_id % 9) - 2))
            for c in consents])
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE")
    print(f"{Survivor.objects.count():,} survivors, {Referral.objects.count():,} referrals, "
          f"{Consent.objects.filter(revoked_at__isnull=False).count():,} consents revoked; "
          f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return {"advocates": [_session(u) for u in advocates],
            "partners": [_session(u) for u in staff]}


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


def run(label: str, host: str, path: str, sessions: list[str], seconds: int,
        cookie_name: str = "sessionid") -> Result:
    samples: list[tuple[float, int]] = []
    lock = threading.Lock()
    start = time.perf_counter() + 0.5
    stop_at = start + seconds
    users = len(sessions)

    def user(i: int) -> None:
        conn = http.client.HTTPConnection(host.removeprefix("http://"), timeout=30)
        cookie = f"{cookie_name}={sessions[i]}"
        due = start + i / users
        while due < stop_at:
            time.sleep(max(0.0, due - time.perf_counter()))
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
    return Result(label, len(samples), sum(1 for _, st in samples if st != 200),
                  len(samples) / seconds, pct(times, 0.5), pct(times, 0.95), pct(times, 0.99))


def show(r: Result, base: Result | None = None) -> None:
    ratio = f"  p95 x{r.p95 / base.p95:.1f} the baseline" if base and base.p95 else ""
    verdict = "" if base is None else (
        "  held" if r.p95 < P95_LIMIT_MS and r.failures == 0 else "  NOT held")
    print(f"{r.label:>18}: {USERS} users {r.rps:6.1f} req/s  p50 {r.p50:5.0f} ms  "
          f"p95 {r.p95:5.0f} ms  p99 {r.p99:5.0f} ms  failures {r.failures}/{r.requests}"
          f"{ratio}{verdict}", flush=True)


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
    parser.add_argument("--survivors", type=int, default=50_000)
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

    workdir = Path(tempfile.mkdtemp(prefix="sj-bench-services-"))
    var_dir = workdir / "var"
    var_dir.mkdir()
    os.environ.update(production_env(var_dir))
    sys.path.insert(0, str(REPO / "src"))
    print(f"load average before: {os.getloadavg()[0]:.2f} (2 cores; other work counts)")
    sessions = prepare(args.survivors)
    port = free_port()
    host = f"http://127.0.0.1:{port}"
    sj = Path(sys.executable).parent / "sj"
    server = subprocess.Popen(
        [str(sj), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers",
         str(args.workers), "--threads", str(args.threads)],
        env=os.environ.copy(), stdout=subprocess.DEVNULL,
        stderr=(workdir / "server.log").open("w"), start_new_session=True)
    try:
        wait_for(host + "/")
        print(f"server: sj serve --workers {args.workers} --threads {args.threads}, "
              "SJ_ENV=production, PostgreSQL", flush=True)
        run("warm-up", host, "/survivors/", sessions["advocates"], 5)
        run("warm-up", host, "/survivors/referrals/", sessions["partners"], 5)
        base = run("baseline (home)", host, "/home/", sessions["advocates"], args.duration)
        show(base)
        show(run("advocate caseload", host, "/survivors/", sessions["advocates"],
                 args.duration), base)
        show(run("partner referrals", host, "/survivors/referrals/", sessions["partners"],
                 args.duration), base)
        print(f"load average after: {os.getloadavg()[0]:.2f}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
