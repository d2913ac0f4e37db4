"""Model field types shared by the Django apps.

Personal data (names, dates of birth, addresses, contact details, narratives) is declared with
:class:`PersonalTextField`. The marker lets the encryption layer, the audit of reads and the
de-identification of exports find every personal field without a list kept by hand.

A personal field is encrypted at rest (AES-256-GCM, :mod:`survivors_justice.crypto`): the model
attribute holds the plaintext, the column holds ``v1:<key_id>:<base64>``. Because every value has
its own random nonce, the database cannot compare or search these columns: filter on other fields
and compare in Python. Error reports never show them: :class:`PersonalDataExceptionFilter`
(settings ``DEFAULT_EXCEPTION_REPORTER_FILTER``) hides every posted value and every local variable
that could hold one.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.views.debug import SafeExceptionReporterFilter

from survivors_justice import crypto


class PersonalTextField(models.TextField):  # type: ignore[type-arg]  # TextField is generic only in stubs
    """Text that identifies or describes a person; never logged, exported or shown without need."""

    personal = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None:
            return value
        return crypto.decrypt(str(value))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None:
            return value
        text = str(value)
        if crypto.is_ciphertext(text):
            return text  # already sealed (e.g. copied between rows by raw value)
        return crypto.encrypt(text)


def personal_fields(model: type[models.Model]) -> list[str]:
    """Names of the personal fields of ``model``."""
    return [f.name for f in model._meta.get_fields() if getattr(f, "personal", False)]


HIDDEN = "[hidden: may hold personal data]"
_SAFE_TYPES = (bool, int, float, type(None))


class PersonalDataExceptionFilter(SafeExceptionReporterFilter):
    """Error pages and error logs show the traceback but no posted value and no local text.

    Django's default filter only hides names that look like secrets; personal text (a name typed
    into a form, a decrypted narrative in a local variable) would show on a debug page or in a
    mailed report. This filter hides all posted values and every local that is not a plain
    number, boolean or None.
    """

    def get_post_parameters(self, request: Any) -> Any:
        if request is None:
            return {}
        return dict.fromkeys(request.POST, HIDDEN)

    def get_traceback_frame_variables(self, request: Any, tb_frame: Any) -> Any:
        return [
            (name, value if isinstance(value, _SAFE_TYPES) else HIDDEN)
            for name, value in tb_frame.f_locals.items()
        ]
