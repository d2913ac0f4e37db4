"""Benchmark: the cost of encrypting the personal fields (AES-256-GCM) at rest.

In one run, side by side on the same SQLite file (a fresh one under var/bench/):

* baseline: 20,000 people with the seven personal fields written and read back with the crypto
  layer switched to identity (plaintext columns), as before encryption;
* encrypted: the same rows with AES-256-GCM (PersonalTextField as shipped);
* rotation: `sj keys rotate`'s batches re-encrypting every value under a new key.

Prints rows per second for each and the ratios. No target in the issue; this tells whether
encryption matters next to the web pages' 150 ms budget (a case page decrypts about ten values).

    .venv/bin/python bench/crypto_fields.py [--rows 20000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
WORK = REPO / "var" / "bench" / "crypto"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    args = parser.parse_args()
    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    (WORK / "keys").write_text("", encoding="utf-8")
    os.environ.update({"SJ_ENV": "development", "SJ_VAR_DIR": str(WORK),
                       "SJ_ENCRYPTION_KEYS_FILE": str(WORK / "keys")})
    from survivors_justice import crypto

    (WORK / "keys").write_text(crypto.new_key_line("b1") + "\n", encoding="utf-8")
    from survivors_justice.django_setup import setup

    setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)
    from survivors_justice.accounts.keyrotation import rotate
    from survivors_justice.cases.models import Person

    def people(tag: str) -> list[Person]:
        return [
            Person(given_name=f"Given{i}{tag}", family_name=f"Family-Name-{i}",
                   date_of_birth="1990-01-01", address=f"{i} Roosevelt Avenue, Queens NY",
                   phone=f"718-555-{i % 10000:04d}", email=f"person{i}@example.org",
                   narrative="Met the defendant at a bus stop; says she was told to work. " * 4)
            for i in range(args.rows)
        ]

    def write_and_read(tag: str) -> tuple[float, float]:
        rows = people(tag)
        start = time.perf_counter()
        Person.objects.bulk_create(rows, batch_size=1000)
        wrote = time.perf_counter() - start
        start = time.perf_counter()
        n = sum(len(p.narrative) > 0 for p in Person.objects.filter(given_name__isnull=False)
                .iterator(chunk_size=2000))
        read = time.perf_counter() - start
        assert n >= args.rows
        Person.objects.all().delete()
        return wrote, read

    real_encrypt, real_decrypt = crypto.encrypt, crypto.decrypt
    crypto.encrypt = lambda text, ring=None: text  # type: ignore[assignment]  # baseline: identity
    crypto.decrypt = lambda stored, ring=None: stored  # type: ignore[assignment]
    base_w, base_r = write_and_read("p")
    crypto.encrypt, crypto.decrypt = real_encrypt, real_decrypt
    enc_w, enc_r = write_and_read("e")

    Person.objects.bulk_create(people("r"), batch_size=1000)
    with (WORK / "keys").open("a") as fh:
        fh.write(crypto.new_key_line("b2") + "\n")
    crypto.forget_cached_keys()
    start = time.perf_counter()
    report = rotate(batch_size=500, actor="bench")
    rot = time.perf_counter() - start

    n = args.rows
    load = os.getloadavg()[0]
    print(f"rows: {n:,} people x 7 personal fields; SQLite; load average (1 min) {load:.1f}")
    print(f"write  plaintext {n / base_w:10,.0f} rows/s   encrypted {n / enc_w:10,.0f} rows/s"
          f"   ratio {enc_w / base_w:.2f}x")
    print(f"read   plaintext {n / base_r:10,.0f} rows/s   encrypted {n / enc_r:10,.0f} rows/s"
          f"   ratio {enc_r / base_r:.2f}x")
    print(f"per value: encrypt {(enc_w - base_w) / (7 * n) * 1e6:.1f} us, "
          f"decrypt {(enc_r - base_r) / (7 * n) * 1e6:.1f} us (extra over plaintext)")
    print(f"rotate: {sum(report.rewritten.values()):,} values in {rot:.2f} s "
          f"({n / rot:,.0f} rows/s, batches of 500)")


if __name__ == "__main__":
    main()
