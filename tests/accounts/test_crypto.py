"""Encryption at rest of the personal fields: ciphertext in the database, rotation, key errors."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection
from typer.testing import CliRunner

from survivors_justice import crypto
from survivors_justice.accounts.keyrotation import key_usage, rotate
from survivors_justice.cases.models import Person
from survivors_justice.config import Config, Environment, get_config
from survivors_justice.fields import personal_fields

NAMES = ["Ana María Ríos", "Kwame Mensah", "李小龍", "O'Brien, Siobhán", "Ngozi Okafor-Adeyemi"]


def raw_column(person: Person, column: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM cases_person WHERE id = %s", [person.pk])  # noqa: S608
        return str(cursor.fetchone()[0])


@pytest.fixture
def keys_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh key file for this test (SJ_ENCRYPTION_KEYS_FILE), restored afterwards."""
    path = tmp_path / "keys"
    path.write_text(crypto.new_key_line("old1") + "\n", encoding="utf-8")
    monkeypatch.setenv("SJ_ENCRYPTION_KEYS_FILE", str(path))
    get_config.cache_clear()
    crypto.forget_cached_keys()
    yield path
    get_config.cache_clear()
    crypto.forget_cached_keys()


@pytest.mark.django_db
def test_personal_fields_are_ciphertext_in_the_database(keys_file: Path) -> None:
    person = Person.objects.create(given_name=NAMES[0], family_name="Ríos", phone="718-555-0101",
                                   narrative="met at the bus stop on Roosevelt Avenue")
    for field in ("given_name", "family_name", "phone", "narrative"):
        stored = raw_column(person, field)
        assert stored.startswith("v2:old1:")
        assert getattr(person, field) not in stored
        assert "Roosevelt" not in stored
    again = Person.objects.get(pk=person.pk)
    assert (again.given_name, again.narrative) == (NAMES[0], person.narrative)
    assert raw_column(person, "address") == ""  # empty stays empty


@pytest.mark.django_db
def test_rotation_keeps_every_value_readable(keys_file: Path) -> None:
    people = [Person.objects.create(given_name=n, family_name=str(i), email=f"p{i}@x.example")
              for i, n in enumerate(NAMES)]
    # A legacy row written before encryption was on: plaintext in the column.
    with connection.cursor() as cursor:
        cursor.execute("UPDATE cases_person SET address = %s WHERE id = %s",
                       ["31-10 Thomson Ave", people[0].pk])
    with keys_file.open("a") as fh:
        fh.write(crypto.new_key_line("new2") + "\n")
    crypto.forget_cached_keys()  # workers notice within a second; this test cannot wait
    # Reads accept the old key; new writes use the new one.
    assert Person.objects.get(pk=people[1].pk).given_name == NAMES[1]
    late = Person.objects.create(given_name="Written after the new key")
    assert raw_column(late, "given_name").startswith("v2:new2:")

    report = rotate(batch_size=2, actor="test")
    assert report.rewritten["cases.Person.given_name"] == len(NAMES)
    assert report.rewritten["cases.Person.address"] == 1
    for person, name in zip(people, NAMES, strict=True):
        assert raw_column(person, "given_name").startswith("v2:new2:")
        assert Person.objects.get(pk=person.pk).given_name == name
    assert Person.objects.get(pk=people[0].pk).address == "31-10 Thomson Ave"
    assert raw_column(people[0], "address").startswith("v2:new2:")
    usage = key_usage()["cases.Person.given_name"]
    assert set(usage) == {"new2"}
    # A second pass has nothing left to do.
    assert sum(rotate(actor="test").rewritten.values()) == 0
    # With the old key retired, everything is still readable.
    keys_file.write_text("\n".join(keys_file.read_text().splitlines()[1:]) + "\n")
    crypto.forget_cached_keys()
    assert [Person.objects.get(pk=p.pk).given_name for p in people] == NAMES


@pytest.mark.django_db
def test_sj_keys_add_and_rotate_commands(keys_file: Path) -> None:
    from survivors_justice.cli import app

    person = Person.objects.create(given_name="Rosa", family_name="Parks")
    runner = CliRunner()
    assert runner.invoke(app, ["keys", "add", "--id", "k3"]).exit_code == 0
    result = runner.invoke(app, ["keys", "rotate", "--batch-size", "10"])
    assert result.exit_code == 0, result.output
    assert raw_column(person, "given_name").startswith("v2:k3:")
    assert "k3" in runner.invoke(app, ["keys", "status"]).stdout


def test_tampered_or_unknown_values_fail_loudly() -> None:
    ring = crypto.parse_keys(crypto.new_key_line("a1"), source="test")
    sealed = crypto.encrypt("Jane Doe", ring=ring)
    assert crypto.decrypt(sealed, ring=ring) == "Jane Doe"
    blob = bytearray(base64.b64decode(sealed.split(":", 2)[2]))
    blob[-1] ^= 1
    tampered = "v2:a1:" + base64.b64encode(bytes(blob)).decode()
    with pytest.raises(crypto.DecryptionError, match="fails authentication"):
        crypto.decrypt(tampered, ring=ring)
    relabelled = sealed.replace("v2:a1:", "v2:zz:")
    with pytest.raises(crypto.UnknownKeyError, match="'zz'"):
        crypto.decrypt(relabelled, ring=ring)
    assert crypto.encrypt("Jane Doe", ring=ring) != sealed  # a fresh nonce every time


@pytest.mark.parametrize(("text", "message"), [
    ("", "holds no key"),
    ("k1:" + base64.b64encode(b"short").decode(), "is 5 bytes"),
    ("k1 " + base64.b64encode(b"x" * 32).decode(), "expected `key_id:base64key`"),
    ("k1:!!!notbase64", "not valid base64"),
])
def test_malformed_keys_are_refused(text: str, message: str) -> None:
    with pytest.raises(crypto.KeyConfigError, match=message):
        crypto.parse_keys(text, source="test")


def test_production_refuses_without_a_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from survivors_justice.config import ConfigError

    monkeypatch.delenv("SJ_ENCRYPTION_KEYS_FILE", raising=False)
    monkeypatch.delenv("SJ_ENCRYPTION_KEYS", raising=False)
    with pytest.raises((ConfigError, ValueError), match="encryption key"):
        Config(env=Environment.PRODUCTION, secret_key="s" * 48)


def test_every_person_field_that_names_someone_is_personal() -> None:
    assert {"given_name", "family_name", "date_of_birth", "address", "phone", "email",
            "narrative", "sexual_orientation", "gender_identity"} <= set(personal_fields(Person))
