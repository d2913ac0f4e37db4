"""The second half of the role x URL matrix (see test_matrix.py, which holds the matrix)."""

from __future__ import annotations

import pytest
from tests.security.test_matrix import (
    SECOND_HALF,
    World,
    check_probe,
    fast_passwords,
    ids,
    world,
)

__all__ = ["fast_passwords", "world"]  # the fixtures, used below


@pytest.mark.django_db
@pytest.mark.usefixtures("fast_passwords")
@pytest.mark.parametrize(("name", "index", "who"), SECOND_HALF, ids=ids(SECOND_HALF))
def test_role_gets_what_the_matrix_says(world: World, name: str, index: int, who: str) -> None:
    check_probe(world, name, index, who)
