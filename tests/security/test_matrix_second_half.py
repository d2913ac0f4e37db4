"""The second half of the role x URL matrix (see test_matrix.py, which holds the matrix)."""

from __future__ import annotations

import pytest
from tests.security.test_matrix import SECOND_HALF, check_probe, fast_passwords, ids

__all__ = ["fast_passwords"]  # the fixture, used below


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
@pytest.mark.parametrize(("name", "index", "who"), SECOND_HALF, ids=ids(SECOND_HALF))
def test_role_gets_what_the_matrix_says(name: str, index: int, who: str) -> None:
    check_probe(name, index, who)
