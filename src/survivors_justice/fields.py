"""Model field types shared by the Django apps.

Personal data (names, dates of birth, addresses, contact details, narratives) is declared with
:class:`PersonalTextField`. The marker lets the encryption layer, the audit of reads and the
de-identification of exports find every personal field without a list kept by hand.
"""

from __future__ import annotations

from typing import Any

from django.db import models


class PersonalTextField(models.TextField):  # type: ignore[type-arg]  # TextField is generic only in stubs
    """Text that identifies or describes a person; never logged, exported or shown without need."""

    personal = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)


def personal_fields(model: type[models.Model]) -> list[str]:
    """Names of the personal fields of ``model``."""
    return [f.name for f in model._meta.get_fields() if getattr(f, "personal", False)]
