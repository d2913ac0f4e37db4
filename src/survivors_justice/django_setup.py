"""Start Django from the command line (the `sj` command's Django-backed sub-commands)."""

from __future__ import annotations

import os


def setup() -> None:
    """Configure Django once; safe to call repeatedly."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "survivors_justice.settings")
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()
