"""Model field types shared by the Django apps.

Personal data (names, dates of birth, addresses, contact details, narratives) is declared with
:class:`PersonalTextField`. The marker lets the encryption layer, the audit of reads and the
de-identification of exports find every personal field without a list kept by hand.

A personal field is encrypted at rest (AES-256-GCM, :mod:`survivors_justice.crypto`): the model
attribute holds the plaintext, the column holds ``v2:<key_id>:<base64>``, bound to its table,
column and row. Because every value has
its own random nonce, the database cannot compare or search these columns: filter on other fields
and compare in Python. Error reports never show them: :class:`PersonalDataExceptionFilter`
(settings ``DEFAULT_EXCEPTION_REPORTER_FILTER``) hides every posted value and every local variable
that could hold one.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import models, transaction
from django.db.models.query_utils import DeferredAttribute
from django.db.models.signals import post_save, pre_save
from django.dispatch import Signal
from django.views.debug import SafeExceptionReporterFilter

from survivors_justice import crypto

logger = logging.getLogger("survivors_justice.crypto")

# Sent when a stored personal value fails to decrypt for its row (changed, or copied from another
# row or column). Arguments: table, column, row_id, error (the message; never any plaintext).
# The audit app records it (audit/receivers.py).
decryption_failed = Signal()

_PENDING = "_sj_personal_after_insert"  # plaintexts to seal once the new row has its id
_SAVING = "_sj_personal_saving"  # set by pre_save: the row is written by Model.save()


class Sealed(str):
    """A ciphertext as read from the database (decrypted on first access, for its own row)."""

    __slots__ = ()


class UnboundPersonalValue(ValueError):
    """A personal value written without its row (QuerySet.update, bulk_create, raw SQL)."""


class PersonalAttribute(DeferredAttribute):
    """The model attribute of a personal field: the plaintext, decrypted on first access with
    the row's own place (table, column, primary key) as associated data."""

    def __get__(self, instance: Any, cls: Any = None) -> Any:
        if instance is None:
            return self
        value = super().__get__(instance, cls)
        if isinstance(value, Sealed):
            field: PersonalTextField = self.field  # type: ignore[assignment]
            value = field.unseal(instance, value)
            instance.__dict__[field.attname] = value
        return value

    def __set__(self, instance: Any, value: Any) -> None:
        # A data descriptor, so that reads always pass through __get__ (a plain attribute in
        # the instance's __dict__ would otherwise shadow it).
        instance.__dict__[self.field.attname] = value


class PersonalTextField(models.TextField):  # type: ignore[type-arg]  # TextField is generic only in stubs
    """Text that identifies or describes a person; never logged, exported or shown without need.

    Its ciphertext is bound to its row: the associated data is ``<table>.<column>#<pk>``, so a
    value copied into another person's row (or another column) fails to decrypt. A new row gets
    its id first: the insert writes the personal columns empty and the same transaction seals
    them for the new id right after (post_save). ``QuerySet.update`` and ``bulk_create`` cannot
    write a non-empty personal value (UnboundPersonalValue): write through ``save()``.
    """

    personal = True
    descriptor_class = PersonalAttribute

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("blank", True)
        kwargs.setdefault("default", "")
        super().__init__(*args, **kwargs)

    def contribute_to_class(self, cls: Any, name: str, private_only: bool = False) -> None:
        super().contribute_to_class(cls, name, private_only=private_only)
        if not cls._meta.abstract:
            pre_save.connect(_mark_saving, sender=cls, weak=False,
                             dispatch_uid=("sj-personal-pre", id(cls)))
            post_save.connect(_seal_after_insert, sender=cls, weak=False,
                              dispatch_uid=("sj-personal-post", id(cls)))

    def context(self, instance: Any, row_id: Any = None) -> str:
        row = instance.pk if row_id is None else row_id
        return crypto.row_context(self.model._meta.db_table, self.column, row)

    def unseal(self, instance: Any, stored: str) -> str:
        return self.unseal_for(stored, instance.pk)

    def unseal_for(self, stored: str, row_id: Any) -> str:
        """The plaintext of ``stored`` read from row ``row_id`` of this field's column."""
        try:
            return crypto.decrypt(str(stored), context=self.context(None, row_id))
        except crypto.DecryptionError as exc:
            table, column = self.model._meta.db_table, self.column
            logger.error("personal value failed to decrypt: %s.%s row %s", table, column, row_id)
            decryption_failed.send(sender=self.model, table=table, column=column,
                                   row_id=row_id, error=str(exc))
            raise

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Any:
        if value is None or value == "":
            return value
        text = str(value)
        return Sealed(text) if crypto.is_ciphertext(text) else text

    def pre_save(self, model_instance: Any, add: bool) -> Any:
        value = getattr(model_instance, self.attname)  # the plaintext (decrypted if it was read)
        if value is None or value == "":
            return value
        if model_instance.pk is None:
            if not model_instance.__dict__.get(_SAVING):
                raise UnboundPersonalValue(
                    f"{self.model.__name__}.{self.name}: a personal value is bound to its row "
                    "id, which bulk_create does not give; create these rows with save()"
                )
            model_instance.__dict__.setdefault(_PENDING, {})[self.attname] = str(value)
            return ""
        return Sealed(crypto.encrypt(str(value), context=self.context(model_instance)))

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        if value is None or value == "" or isinstance(value, Sealed):
            return None if value is None else str(value)
        raise UnboundPersonalValue(
            f"{self.model.__name__}.{self.name}: a personal value cannot be written or searched "
            "without its row (it is encrypted for that row); set it on the instance and save()"
        )


def unseal_value(model: type[models.Model], field_name: str, stored: Any, row_id: Any) -> str:
    """The plaintext of a personal value read with ``values()``/``values_list()`` from the row
    ``row_id`` of ``model`` (those queries give the ciphertext: no instance to bind it to)."""
    if stored is None or stored == "":
        return "" if stored is None else str(stored)
    field = model._meta.get_field(field_name)
    if not isinstance(field, PersonalTextField):
        raise TypeError(f"{model.__name__}.{field_name} is not a personal field")
    if not isinstance(stored, Sealed):
        return str(stored)  # plaintext written before encryption
    return field.unseal_for(stored, row_id)


def _mark_saving(sender: Any, instance: Any, **kwargs: Any) -> None:
    instance.__dict__[_SAVING] = True


def _seal_after_insert(
    sender: Any, instance: Any, created: bool, using: str, **kwargs: Any
) -> None:
    instance.__dict__.pop(_SAVING, None)
    pending: dict[str, str] | None = instance.__dict__.pop(_PENDING, None)
    if not pending:
        return
    sealed: dict[str, Any] = {}
    for attname, plaintext in pending.items():
        field = next(f for f in sender._meta.concrete_fields if f.attname == attname)
        sealed[field.name] = Sealed(crypto.encrypt(plaintext, context=field.context(instance)))
    with transaction.atomic(using=using):
        sender._base_manager.using(using).filter(pk=instance.pk).update(**sealed)


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
