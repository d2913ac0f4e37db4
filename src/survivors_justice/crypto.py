"""AES-256-GCM encryption of the personal fields, with key ids and rotation.

A stored value reads ``v2:<key_id>:<base64(nonce ‖ ciphertext ‖ tag)>``. The 12-byte nonce is
random per value; the associated data is ``v2:<key_id>:<context>``, where the context names the
value's place, ``<table>.<column>#<row id>`` (:func:`row_context`): a value copied into another
row, column or table fails authentication, and a value cannot be relabelled with another key id.
The older ``v1`` format (associated data ``v1:<key_id>``, bound to nothing) is read only by the
migration that re-encrypts it (``legacy=True``). Reads accept any key the keyring knows; writes
use the newest key (the last one listed). The empty string is stored as is (it says nothing about
a person), so fields that default to ``""`` stay cheap.

Keys come from ``SJ_ENCRYPTION_KEYS_FILE`` (a file of ``key_id:base64key`` lines, ``#`` comments
allowed) or ``SJ_ENCRYPTION_KEYS`` (the same text; ``;`` may separate entries). Without either,
development and test mode use ``<var>/encryption.keys`` (created on first use, mode 0600, never
committed: ``var/`` is git-ignored); production refuses to start (config.py).

The keyring re-reads its file when the file changes, so after ``sj keys add`` every worker writes
with the new key on its next request. Rotation: ``sj keys add`` (new newest key) -> deploy the file
to every worker -> ``sj keys rotate`` (re-encrypts in batches, compare-and-swap per value, so the
application keeps running) -> when ``sj keys status`` shows no value under the old key, retire it.
"""

from __future__ import annotations

import base64
import binascii
import os
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from survivors_justice.config import Config, Environment, get_config

PREFIX = "v2"
LEGACY_PREFIX = "v1"
NONCE_BYTES = 12
KEY_BYTES = 32
KEY_ID_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
DEV_KEYS_FILENAME = "encryption.keys"
ENV_SOURCE = "SJ_ENCRYPTION_KEYS"


class KeyConfigError(RuntimeError):
    """The encryption keys are missing or malformed."""


class UnknownKeyError(LookupError):
    """A stored value names a key id that the keyring does not have."""


class DecryptionError(ValueError):
    """A stored value is not a valid ciphertext for its key and place (tampered, truncated, or
    copied from another row or column)."""


class LegacyCiphertextError(DecryptionError):
    """A value in the unbound ``v1`` format outside the migration that re-encrypts it."""


@dataclass(frozen=True, slots=True)
class Keyring:
    keys: dict[str, bytes]  # key id -> 32-byte key, in file order
    newest: str
    source: str  # where the keys came from (for messages; never the keys)

    ciphers: dict[str, AESGCM] = field(default_factory=dict, repr=False, compare=False)

    def cipher(self, key_id: str) -> AESGCM:
        """The AES-GCM context of ``key_id`` (built once per keyring: it costs microseconds)."""
        found = self.ciphers.get(key_id)
        if found is None:
            found = self.ciphers[key_id] = AESGCM(self.key(key_id))
        return found

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnknownKeyError(
                f"a stored value is encrypted with key id {key_id!r}, which is not in the keyring "
                f"({self.source}: {', '.join(self.keys)}); add that key back to the keys file"
            ) from None


def parse_keys(text: str, *, source: str) -> Keyring:
    keys: dict[str, bytes] = {}
    # Lines; in SJ_ENCRYPTION_KEYS (one environment variable) `;` also separates entries.
    separators = r"\n" if source != ENV_SOURCE else r"[\n;]"
    for n, raw in enumerate(re.split(separators, text), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        key_id, sep, b64 = line.partition(":")
        key_id, b64 = key_id.strip(), b64.strip()
        if not sep or not KEY_ID_PATTERN.match(key_id):
            raise KeyConfigError(
                f"{source}, entry {n}: expected `key_id:base64key` with a key id of letters, "
                "digits, '.', '_' or '-' (at most 32); generate one with `sj keys generate`"
            )
        try:
            key = base64.b64decode(b64, validate=True)
        except binascii.Error:
            raise KeyConfigError(f"{source}: key {key_id!r} is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise KeyConfigError(
                f"{source}: key {key_id!r} is {len(key)} bytes; AES-256 needs {KEY_BYTES}"
            )
        if key_id in keys:
            raise KeyConfigError(f"{source}: key id {key_id!r} appears twice")
        keys[key_id] = key
    if not keys:
        raise KeyConfigError(f"{source} holds no key; generate one with `sj keys generate`")
    return Keyring(keys=keys, newest=list(keys)[-1], source=source)


def new_key_line(key_id: str | None = None) -> str:
    """A fresh ``key_id:base64key`` line (the key id defaults to ``k`` + 8 random hex digits)."""
    key_id = key_id or f"k{secrets.token_hex(4)}"
    if not KEY_ID_PATTERN.match(key_id):
        raise KeyConfigError(f"key id {key_id!r}: use letters, digits, '.', '_' or '-' (max 32)")
    return f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode('ascii')}"


def dev_keys_path(config: Config) -> Path:
    return config.var_dir / DEV_KEYS_FILENAME


def _create_dev_keys_file(path: Path) -> None:
    """Create the development key file atomically (two test workers may race to make it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write("# Development and test keys only, never used in production, never committed.\n")
        fh.write(new_key_line("dev1") + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        pass
    finally:
        tmp.unlink()


def keys_file(config: Config) -> Path | None:
    """The key file in use (None when the keys come from SJ_ENCRYPTION_KEYS)."""
    if config.encryption_keys_file is not None:
        return config.encryption_keys_file
    if config.encryption_keys:
        return None
    if config.env is Environment.PRODUCTION:
        raise KeyConfigError("production needs SJ_ENCRYPTION_KEYS_FILE or SJ_ENCRYPTION_KEYS")
    path = dev_keys_path(config)
    if not path.exists():
        _create_dev_keys_file(path)
    return path


_lock = threading.Lock()
_cache: dict[str, tuple[object, Keyring]] = {}


_RECHECK_SECONDS = 1.0
_last: tuple[int, float, Keyring] | None = None  # (id of config, monotonic time, ring)


def keyring(config: Config | None = None) -> Keyring:
    """The current keyring (the key file is checked for changes at most once a second)."""
    global _last
    config = config or get_config()
    now = time.monotonic()
    last = _last
    if last is not None and last[0] == id(config) and now - last[1] < _RECHECK_SECONDS:
        return last[2]
    ring = _load_keyring(config)
    _last = (id(config), now, ring)
    return ring


def forget_cached_keys() -> None:
    """Read the keys afresh on the next use (after this process changed the key file)."""
    global _last
    _last = None


def _load_keyring(config: Config) -> Keyring:
    path = keys_file(config)
    if path is None:
        stamp: object = config.encryption_keys
        cache_key = "env"
    else:
        try:
            st = path.stat()
        except FileNotFoundError:
            raise KeyConfigError(
                f"SJ_ENCRYPTION_KEYS_FILE={path} does not exist; create it with "
                "`sj keys generate > FILE` (mode 0600, outside the repository)"
            ) from None
        stamp = (st.st_mtime_ns, st.st_size)
        cache_key = str(path)
    with _lock:
        hit = _cache.get(cache_key)
        if hit is not None and hit[0] == stamp:
            return hit[1]
        if path is None:
            ring = parse_keys(config.encryption_keys or "", source=ENV_SOURCE)
        else:
            ring = parse_keys(path.read_text(encoding="utf-8"), source=str(path))
        _cache[cache_key] = (stamp, ring)
        return ring


def row_context(table: str, column: str, row_id: object) -> str:
    """Where a value lives: the associated data that binds its ciphertext to that place."""
    return f"{table}.{column}#{row_id}"


def _aad(key_id: str, context: str) -> bytes:
    return f"{PREFIX}:{key_id}:{context}".encode()


def _legacy_aad(key_id: str) -> bytes:
    return f"{LEGACY_PREFIX}:{key_id}".encode("ascii")


def is_ciphertext(value: str) -> bool:
    return value.startswith((PREFIX + ":", LEGACY_PREFIX + ":"))


def is_legacy(value: str) -> bool:
    return value.startswith(LEGACY_PREFIX + ":")


def key_id_of(value: str) -> str | None:
    """The key id a stored value is encrypted with (None for plaintext or empty)."""
    if not is_ciphertext(value):
        return None
    parts = value.split(":", 2)
    return parts[1] if len(parts) == 3 else None


def encrypt(plaintext: str, *, context: str = "", ring: Keyring | None = None) -> str:
    """``plaintext`` sealed under the newest key and bound to ``context`` (its place)."""
    if plaintext == "":
        return ""
    ring = ring or keyring()
    key_id = ring.newest
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = ring.cipher(key_id).encrypt(nonce, plaintext.encode("utf-8"), _aad(key_id, context))
    return f"{PREFIX}:{key_id}:{base64.b64encode(nonce + sealed).decode('ascii')}"


def decrypt(
    stored: str, *, context: str = "", ring: Keyring | None = None, legacy: bool = False
) -> str:
    """The plaintext of a stored value sealed for ``context``. A value without a format prefix
    is returned as is (written before encryption was enabled; ``sj keys rotate`` encrypts it).
    The unbound ``v1`` format is read only with ``legacy=True`` (the re-encrypting migration)."""
    if not is_ciphertext(stored):
        return stored
    parts = stored.split(":", 2)
    if len(parts) != 3:
        raise DecryptionError("a stored personal value is malformed (no key id); restore it")
    version, key_id, b64 = parts
    where = f" ({context})" if context else ""
    if version == LEGACY_PREFIX and not legacy:
        raise LegacyCiphertextError(
            f"a stored personal value{where} is in the old v1 format, bound to no row; run "
            "`sj db upgrade` to re-encrypt the store"
        )
    aad = _legacy_aad(key_id) if version == LEGACY_PREFIX else _aad(key_id, context)
    ring = ring or keyring()
    try:
        blob = base64.b64decode(b64, validate=True)
        nonce, sealed = blob[:NONCE_BYTES], blob[NONCE_BYTES:]
        return ring.cipher(key_id).decrypt(nonce, sealed, aad).decode("utf-8")
    except (binascii.Error, InvalidTag, ValueError) as exc:
        if isinstance(exc, UnknownKeyError):
            raise
        raise DecryptionError(
            f"a stored personal value{where} under key {key_id!r} fails authentication: it was "
            "changed, truncated, or copied from another row or column in the database; restore "
            "it from backup"
        ) from None


def needs_rotation(stored: str, *, ring: Keyring) -> bool:
    """True for a non-empty value that is plaintext, in the old format, or under a key other
    than the newest."""
    return stored != "" and (is_legacy(stored) or key_id_of(stored) != ring.newest)
