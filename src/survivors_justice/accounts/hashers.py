"""A cheaper Argon2id for the test suite only (settings selects it when SJ_ENV=test).

Same algorithm and hash format as Django's Argon2PasswordHasher (so hashes stay interchangeable),
with small time and memory costs: hundreds of accounts are created and signed in during a test
run, and the production costs (~0.1 s and 100 MiB each) would dominate it. Never used outside tests.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class TestArgon2PasswordHasher(Argon2PasswordHasher):
    time_cost = 1
    memory_cost = 1024  # KiB
    parallelism = 1
