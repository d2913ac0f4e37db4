"""Benchmark: the analyst's browser report beside `sj report disparities` on the same file, and
the public transparency page under 50 concurrent visitors.

1. Report: the 2006-2016 bundled file (and, with ``--resample N``, a file of N rows resampled
   from it) uploaded to the workspace through Django's test client (the whole middleware stack
   and permission checks); "first chart" is the page plus the first chart image the browser then
   asks for, "whole page" is the page plus every chart image. Beside it, the same report from
   the command line: `sj report disparities FILE --format json -o ...` as a process.
2. Public page: ``--url`` (a running `sj serve` with a published release) is asked for by 50
   visitors (threads), each with its own kept-alive connection making one request a second on
   its own schedule (as bench/web.py), for ``--duration`` seconds after a 5-second warm-up at
   the same load; p50/p95 are printed.

Usage:
    PYTHONPATH=src SJ_ENV=test .venv/bin/python bench/analyst.py [--resample 5000000]
        [--url http://127.0.0.1:8104/transparency/] [--users 50] [--duration 10]
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlparse

REPO = Path(__file__).resolve().parents[1]
HISTORY = REPO / "data" / "nypd" / "prostitution-arrests-2006-2016.csv"


def resample(source: Path, rows: int, target: Path) -> None:
    lines = source.read_text(encoding="utf-8").splitlines()
    head, body = lines[0], lines[1:]
    rng = random.Random(13)
    with target.open("w", encoding="utf-8") as out:
        out.write(head + "\n")
        for start in range(0, rows, 100_000):
            out.write("\n".join(rng.choices(body, k=min(100_000, rows - start))) + "\n")


def cli_seconds(path: Path) -> float:
    env = {**os.environ, "SJ_ENV": "test"}
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "survivors_justice.cli", "report", "disparities",
                        str(path), "--format", "json", "-o", f"{tmp}/r.json"], check=True,
                       env=env, capture_output=True)
        return time.perf_counter() - start


def web_seconds(path: Path) -> tuple[float, float, float, float]:
    """(first answer, page, first chart, whole page) seconds through the Django test client.
    A long report answers at once with a progress page that polls (HX-Request) until the
    report is ready; "page" is the time until the finished page arrives."""
    import django
    from django.conf import settings
    from django.test import Client
    from django.test.utils import setup_test_environment, teardown_test_environment

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survivors_justice.settings")
    django.setup()
    setup_test_environment()
    from django.test.utils import get_runner

    runner = get_runner(settings)(verbosity=0)
    old = runner.setup_databases()
    try:
        sys.path.insert(0, str(REPO))
        from tests.factories import make_user, sign_in

        settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
        settings.ALLOWED_HOSTS = ["*"]
        client = sign_in(Client(), make_user("analyst"))
        with path.open("rb") as handle:
            source = client.post("/workspace/upload/", {"file": handle})["Location"]
        query = source.split("?", 1)[1]
        url = f"/workspace/report/?{query}"
        start = time.perf_counter()
        page = client.get(url)
        t_answer = time.perf_counter() - start
        while b"data-job=" in page.content:
            time.sleep(0.25)
            if client.get(url, HTTP_HX_REQUEST="true").status_code == 204:
                page = client.get(url)
        t_page = time.perf_counter() - start
        names = re.findall(r'<img[^>]* src="/workspace/chart/([a-z-]+)\.svg', page.content.decode())
        t_first = t_page
        for i, name in enumerate(names):
            client.get(f"/workspace/chart/{name}.svg?{query}")
            if i == 0:
                t_first = time.perf_counter() - start
        return t_answer, t_page, t_first, time.perf_counter() - start
    finally:
        runner.teardown_databases(old)
        teardown_test_environment()  # the next input sets it up again


def load(url: str, users: int, duration: float) -> list[float]:
    parts = urlparse(url)
    times: list[float] = []
    lock = threading.Lock()
    stop = time.perf_counter() + duration
    errors = [0]

    def visitor() -> None:
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
        mine = []
        next_at = time.perf_counter() + random.random()  # one request a second, own phase
        while next_at < stop:
            time.sleep(max(0.0, next_at - time.perf_counter()))
            next_at += 1.0
            t = time.perf_counter()
            conn.request("GET", parts.path)
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                errors[0] += 1
            mine.append(time.perf_counter() - t)
        with lock:
            times.extend(mine)

    threads = [threading.Thread(target=visitor) for _ in range(users)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors[0]:
        print(f"non-200 answers: {errors[0]}")
    return times


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--resample", type=int, default=0)
    parser.add_argument("--url", default="")
    parser.add_argument("--skip-report", action="store_true")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    inputs = [] if args.skip_report else [("2006-2016 file", HISTORY)]
    tmp = tempfile.TemporaryDirectory()
    if args.resample and not args.skip_report:
        big = Path(tmp.name) / "resampled.csv"
        resample(HISTORY, args.resample, big)
        inputs.append((f"{args.resample:,} rows resampled", big))
    if inputs:
        print(f"{'input':28} {'cli s':>7} {'answer s':>8} {'page s':>7} {'1st chart s':>11} "
              f"{'whole s':>8} {'whole/cli':>9}")
    for label, path in inputs:
        cli = cli_seconds(path)
        answer, page, first, whole = web_seconds(path)
        print(f"{label:28} {cli:7.1f} {answer:8.1f} {page:7.1f} {first:11.1f} {whole:8.1f} "
              f"{whole / cli:8.1f}x")
    if args.url:
        load(args.url, args.users, 5.0)  # warm-up: every server process reads its templates
        times = load(args.url, args.users, args.duration)
        q = statistics.quantiles(times, n=100)
        print(f"public page {args.url}: {len(times)} requests, {args.users} visitors, "
              f"p50 {q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, "
              f"{len(times) / args.duration:.0f} req/s")


if __name__ == "__main__":
    main()
