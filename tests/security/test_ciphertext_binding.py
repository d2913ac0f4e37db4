"""Finding 7: each ciphertext is bound to its table, column and row; SOGI is encrypted; the
migration re-encrypts the old unbound values."""

from __future__ import annotations

import base64
import importlib
import logging
import secrets
from types import SimpleNamespace
from typing import Any

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.apps import apps
from django.db import connection, transaction
from tests.cases.factories import BUYING, make_case

from survivors_justice import crypto
from survivors_justice.audit.models import AuditRecord
from survivors_justice.cases.models import ChargingDecision, Person
from survivors_justice.fields import UnboundPersonalValue

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return str(cursor.fetchone()[0])


def _write_raw(table: str, column: str, pk: int, value: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {column} = %s WHERE id = %s", [value, pk])  # noqa: S608


def test_a_name_copied_into_another_persons_row_fails_to_decrypt(
    caplog: pytest.LogCaptureFixture, django_capture_on_commit_callbacks: Any
) -> None:
    victim = Person.objects.create(given_name="Esperanza", family_name="Villalobos")
    other = Person.objects.create(given_name="Tomasz", family_name="Wiśniewski")
    _write_raw("cases_person", "given_name", other.pk,
               _raw("cases_person", "given_name", victim.pk))
    assert Person.objects.get(pk=victim.pk).given_name == "Esperanza"  # the original still reads
    copied = Person.objects.get(pk=other.pk)
    assert copied.family_name == "Wiśniewski"  # the untouched column of that row still reads
    with caplog.at_level(logging.ERROR, logger="survivors_justice.crypto"), \
            django_capture_on_commit_callbacks(execute=True), \
            pytest.raises(crypto.DecryptionError) as failure:
        _ = copied.given_name
    message = str(failure.value)
    assert f"cases_person.given_name#{other.pk}" in message and "copied" in message
    assert "Esperanza" not in message and "Esperanza" not in caplog.text
    assert f"cases_person.given_name row {other.pk}" in caplog.text
    record = AuditRecord.objects.get(action="crypto.decrypt.failed")
    assert (record.object_type, record.object_id, record.outcome) == (
        "cases_person", str(other.pk), "failed")
    assert record.details["column"] == "given_name" and "Esperanza" not in str(record.details)


def test_a_narrative_moved_to_another_column_or_table_fails() -> None:
    person = Person.objects.create(narrative="met at the bus stop on Roosevelt Avenue")
    _write_raw("cases_person", "address", person.pk,
               _raw("cases_person", "narrative", person.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=person.pk).address
    case = make_case(BUYING)
    decision = ChargingDecision.objects.create(
        case=case, kind="override", status="pending", policy_id="p", policy_version="1",
        recommended_priority="normal", recommendation={}, outcomes={},
        reason_text="The complaint shows she ran the operation.", decided_by=_user(),
        decided_at=case.opened_at,
    )
    _write_raw("cases_person", "narrative", person.pk,
               _raw("cases_chargingdecision", "reason_text", decision.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=person.pk).narrative
    assert ChargingDecision.objects.get(pk=decision.pk).reason_text.startswith("The complaint")


def _user() -> Any:
    from tests.factories import make_user

    return make_user("intake_ada")


def test_sexual_orientation_and_gender_identity_are_encrypted_and_reported() -> None:
    from survivors_justice.arrests.frames import store_frame

    case = make_case(BUYING)
    person = case.defendant
    person.sexual_orientation, person.gender_identity = "bisexual", "nonbinary"
    person.save()
    for column, value in (("sexual_orientation", "bisexual"), ("gender_identity", "nonbinary")):
        stored = _raw("cases_person", column, person.pk)
        assert stored.startswith("v2:") and value not in stored
    make_case(BUYING, index=1)  # not asked: not recorded
    frame = store_frame()
    assert sorted(frame["sexual_orientation"].to_list()) == ["bisexual", "not_recorded"]
    assert sorted(frame["gender_identity"].to_list()) == ["nonbinary", "not_recorded"]


def test_personal_values_cannot_be_written_without_their_row() -> None:
    person = Person.objects.create(given_name="Adaeze")
    with pytest.raises(UnboundPersonalValue, match="save"), transaction.atomic():
        Person.objects.filter(pk=person.pk).update(given_name="Chidinma")
    with pytest.raises(UnboundPersonalValue, match="bulk_create"), transaction.atomic():
        Person.objects.bulk_create([Person(given_name="Chidinma")])
    assert Person.objects.get(pk=person.pk).given_name == "Adaeze"
    Person.objects.filter(pk=person.pk).update(address="")  # empty is not personal
    Person.objects.bulk_create([Person()])


def _legacy_v1(plaintext: str) -> str:
    """A value in the old format (associated data: version and key id only)."""
    ring = crypto.keyring()
    key_id = ring.newest
    nonce = secrets.token_bytes(crypto.NONCE_BYTES)
    sealed = AESGCM(ring.key(key_id)).encrypt(nonce, plaintext.encode(), f"v1:{key_id}".encode())
    return f"v1:{key_id}:{base64.b64encode(nonce + sealed).decode()}"


def test_the_migration_binds_old_values_and_reads_v1_only_there() -> None:
    a = Person.objects.create()
    b = Person.objects.create()
    _write_raw("cases_person", "given_name", a.pk, _legacy_v1("Marisol"))
    _write_raw("cases_person", "narrative", a.pk, "plaintext from before encryption")
    _write_raw("cases_person", "sexual_orientation", a.pk, "not_recorded")
    _write_raw("cases_person", "sexual_orientation", b.pk, "lesbian")
    _write_raw("cases_person", "gender_identity", b.pk, _legacy_v1("woman"))
    with pytest.raises(crypto.LegacyCiphertextError, match="sj db upgrade"):
        _ = Person.objects.get(pk=a.pk).given_name
    migration = importlib.import_module(
        "survivors_justice.cases.migrations.0006_bind_ciphertexts_to_rows"
    )
    migration.bind_to_rows(apps, SimpleNamespace(connection=connection))
    a2, b2 = Person.objects.get(pk=a.pk), Person.objects.get(pk=b.pk)
    assert (a2.given_name, a2.narrative, a2.sexual_orientation) == (
        "Marisol", "plaintext from before encryption", "")
    assert (b2.sexual_orientation, b2.gender_identity) == ("lesbian", "woman")
    for column in ("given_name", "narrative"):
        assert _raw("cases_person", column, a.pk).startswith("v2:")
    # Bound now: the migrated name copied to the other row fails there.
    _write_raw("cases_person", "given_name", b.pk, _raw("cases_person", "given_name", a.pk))
    with pytest.raises(crypto.DecryptionError):
        _ = Person.objects.get(pk=b.pk).given_name
