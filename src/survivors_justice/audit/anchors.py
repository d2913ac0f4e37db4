"""Anchors: the audit chain head, signed, written outside the database.

The hash chain shows any change to a record *relative to the records after it*, but a forger who
owns the database can drop the triggers, rewrite or cut the log and recompute every hash after the
change: the chain is then intact again. An anchor is what the database cannot rewrite: the head's
position and hash at a moment, signed with an Ed25519 key kept outside the database, appended to a
file outside it. `sj audit verify --anchors FILE` then checks that each anchored record is still
in the log with the anchored hash (so nothing up to it was rewritten) and that the log did not end
before it (truncation).

One anchor is one line of JSON::

    {"v": 1, "seq": 1234, "hash": "...", "at": "2026-12-01T00:00:00.000000Z", "key": "<key id>",
     "prev": "<sha256 of the previous line>", "sig": "<base64 Ed25519 signature>"}

``sig`` signs the canonical JSON of every other field; ``prev`` links the lines, so a line removed
from the middle, reordered or edited shows. The key file holds the private key (PEM, PKCS#8); the
verifier needs only its public half (``--public-key``), so an auditor can check anchors without
the power to write them. Framework-free: the caller passes the database's answers in.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from survivors_justice.audit.chain import canonical_json

VERSION = 1
FIRST_PREV = "0" * 64


class AnchorKeyError(RuntimeError):
    """The anchor key file is missing, unreadable, not an Ed25519 key, or readable by others."""


class AnchorFileError(RuntimeError):
    """The anchor file cannot be read, or one of its lines is forged, edited or out of place."""


@dataclass(frozen=True, slots=True)
class Anchor:
    line: int
    seq: int
    hash: str
    at: str
    key: str


def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def _private_open(path: Path, flags: int) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, flags, 0o600)


def create_key(path: Path) -> Ed25519PrivateKey:
    """A new key in a new file (mode 0600); refuses to replace an existing file."""
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    try:
        fd = _private_open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        raise AnchorKeyError(f"{path} already exists; it is not replaced") from None
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    return key


def load_key(path: Path, *, require_private_mode: bool) -> Ed25519PrivateKey:
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except OSError as exc:
        raise AnchorKeyError(
            f"cannot read the anchor key {path} ({exc.strerror}); set SJ_AUDIT_ANCHOR_KEY_FILE to "
            "the key file, or create one with `sj audit anchor --create-key`"
        ) from None
    if require_private_mode and mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise AnchorKeyError(
            f"the anchor key {path} is readable by others (mode {stat.S_IMODE(mode):o}); "
            f"run chmod 600 {path}"
        )
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as exc:
        raise AnchorKeyError(f"{path} is not a PEM private key ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise AnchorKeyError(f"{path} is not an Ed25519 key; create one with --create-key")
    return key


def load_public_key(path: Path) -> Ed25519PublicKey:
    """A public key file (PEM), or the key file itself (its public half)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise AnchorKeyError(f"cannot read the key {path} ({exc.strerror})") from None
    try:
        public = serialization.load_pem_public_key(data)
    except ValueError:
        try:
            private = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise AnchorKeyError(f"{path} is not a PEM public or private key ({exc})") from None
        if not isinstance(private, Ed25519PrivateKey):
            raise AnchorKeyError(f"{path} is not an Ed25519 key") from None
        return private.public_key()
    if not isinstance(public, Ed25519PublicKey):
        raise AnchorKeyError(f"{path} is not an Ed25519 public key")
    return public


def public_pem(key: Ed25519PrivateKey) -> str:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def _line_digest(line: str) -> str:
    return hashlib.sha256(line.rstrip("\n").encode("utf-8")).hexdigest()


def _signed_part(fields: dict[str, Any]) -> bytes:
    return canonical_json({k: v for k, v in fields.items() if k != "sig"}).encode("utf-8")


def append_anchor(path: Path, key: Ed25519PrivateKey, *, seq: int, head_hash: str,
                  at: datetime | None = None) -> dict[str, Any]:
    """Sign ``(seq, head_hash)`` and append it to ``path`` (created 0600; an exclusive lock keeps
    two writers from linking to the same previous line). Returns the line's fields."""
    fd = _private_open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT)
    with os.fdopen(fd, "r+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            mode = os.fstat(fh.fileno()).st_mode
            if mode & (stat.S_IRWXG | stat.S_IRWXO):
                os.fchmod(fh.fileno(), 0o600)
            fh.seek(0)
            last = ""
            for raw in fh:
                if raw.strip():
                    last = raw.decode("utf-8")
            mine = key_id(key.public_key())
            if last:
                try:
                    theirs = str(json.loads(last)["key"])
                except (ValueError, KeyError, TypeError):
                    raise AnchorFileError(
                        f"the last line of {path} is not an anchor; the file was edited"
                    ) from None
                if theirs != mine:
                    raise AnchorFileError(
                        f"{path} was written with anchor key {theirs}, and this key is {mine}: "
                        "set SJ_AUDIT_ANCHOR_KEY_FILE to the key that wrote it, or start a new "
                        "anchor file with --file"
                    )
            when = (at or datetime.now(tz=UTC)).astimezone(UTC)
            fields: dict[str, Any] = {
                "v": VERSION, "seq": seq, "hash": head_hash,
                "at": when.strftime("%Y-%m-%dT%H:%M:%S.%fZ"), "key": mine,
                "prev": _line_digest(last) if last else FIRST_PREV,
            }
            fields["sig"] = base64.b64encode(key.sign(_signed_part(fields))).decode("ascii")
            fh.seek(0, os.SEEK_END)
            fh.write((canonical_json(fields) + "\n").encode("utf-8"))
            fh.flush()
            os.fsync(fh.fileno())
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    return fields


def read_anchors(path: Path, public: Ed25519PublicKey) -> list[Anchor]:
    """Every anchor of ``path``, each signature and link checked; :class:`AnchorFileError` names
    the first bad line."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise AnchorFileError(f"cannot read the anchor file {path} ({exc})") from None
    expected_key = key_id(public)
    prev = FIRST_PREV
    out: list[Anchor] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name} line {number}"
        try:
            fields = json.loads(line)
            sig = base64.b64decode(fields["sig"], validate=True)
            anchor = Anchor(number, int(fields["seq"]), str(fields["hash"]), str(fields["at"]),
                            str(fields["key"]))
            link = str(fields["prev"])
        except (ValueError, KeyError, TypeError) as exc:
            raise AnchorFileError(
                f"{where} is not an anchor ({exc}); the file was edited"
            ) from None
        if anchor.key != expected_key:
            raise AnchorFileError(
                f"{where} names key {anchor.key}, not this key ({expected_key}): written with "
                "another key, or forged"
            )
        try:
            public.verify(sig, _signed_part(fields))
        except InvalidSignature:
            raise AnchorFileError(
                f"{where}: the signature does not match its content; the anchor was forged or "
                "edited"
            ) from None
        if link != prev:
            raise AnchorFileError(
                f"{where} does not follow the line before it: a line was removed, reordered or "
                "inserted"
            )
        if out and anchor.seq < out[-1].seq:
            raise AnchorFileError(f"{where} anchors #{anchor.seq}, before the previous anchor")
        prev = _line_digest(line)
        out.append(anchor)
    return out


@dataclass(frozen=True, slots=True)
class AnchorCheck:
    ok: bool
    anchors: int
    last: Anchor | None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "anchors": self.anchors, "problem": self.problem,
            "last_anchor": None if self.last is None else {
                "seq": self.last.seq, "hash": self.last.hash, "at": self.last.at,
                "line": self.last.line,
            },
        }


def check_anchors(
    anchors: Iterable[Anchor], *, head_seq: int, hash_of: Callable[[int], str | None]
) -> AnchorCheck:
    """Each anchored record must still be in the log with its anchored hash, and the log must
    reach at least the last anchor. ``hash_of(seq)`` is the stored record's hash, or None."""
    seen = list(anchors)
    last = seen[-1] if seen else None
    for anchor in seen:
        if anchor.seq == 0:
            continue
        stored = hash_of(anchor.seq)
        if stored is None or head_seq < anchor.seq:
            return AnchorCheck(False, len(seen), last, (
                f"the log was truncated: it ends at record #{head_seq}, but record "
                f"#{anchor.seq} was anchored on {anchor.at} (anchor line {anchor.line})"
            ))
        if stored != anchor.hash:
            return AnchorCheck(False, len(seen), last, (
                f"the log was rewritten: record #{anchor.seq} now has hash {stored[:16]}..., "
                f"but {anchor.hash[:16]}... was anchored on {anchor.at} (anchor line "
                f"{anchor.line}); records up to #{anchor.seq} were changed and re-hashed"
            ))
    return AnchorCheck(True, len(seen), last)
