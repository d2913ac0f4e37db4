"""Typed settings read from the environment and validated at start-up.

Every value comes from an ``SJ_*`` variable. Production mode refuses the development secret and
refuses to start without an encryption key.
"""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_SECRET = "development-only-secret-never-use-in-production"  # noqa: S105 (refused in production)


COUNTIES = ("B", "K", "M", "Q", "S")


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


class Environment(StrEnum):
    DEVELOPMENT = "development"
    PRODUCTION = "production"
    TEST = "test"


class Config(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="SJ_", extra="ignore")

    env: Environment = Environment.DEVELOPMENT
    secret_key: str = DEVELOPMENT_SECRET
    database_url: str | None = None
    data_dir: Path = REPO_ROOT / "data"
    var_dir: Path = REPO_ROOT / "var"
    allowed_hosts: list[str] = Field(default_factory=lambda: ["127.0.0.1", "localhost", "[::1]"])
    # Encryption keys for personal fields: a file of `key_id:base64key` lines, or the same text.
    encryption_keys_file: Path | None = None
    encryption_keys: str | None = None
    session_idle_seconds: int = 30 * 60
    # Sign-in lockout (CJIS AC-7): minutes an account stays locked; 0 = until an admin releases it.
    lockout_minutes: int = Field(default=30, ge=0, le=7 * 24 * 60)
    # Failed sign-ins from one address (any account) within 15 minutes before it is throttled.
    source_failure_limit: int = Field(default=20, ge=5, le=10_000)
    # Audit anchors (`sj audit anchor`): the Ed25519 key that signs them, kept outside the
    # database (default var/audit-anchor.key, created in development and tests), and the file.
    audit_anchor_key_file: Path | None = None
    audit_anchor_file: Path | None = None
    debug: bool = False
    # The office's county (NYPD ARREST_BORO letter: B, K, M, Q, S; "all" for every county) and
    # the first arrest date intake opens cases for (none: every date). Other arrests stay in the
    # store for analytics, simulation and record relief, without a case.
    office_county: str = "Q"
    intake_start: date | None = None

    @field_validator("office_county")
    @classmethod
    def _county(cls, value: str) -> str:
        text = value.strip()
        if text.lower() == "all":
            return "all"
        if text.upper() not in COUNTIES:
            raise ValueError(
                f"SJ_OFFICE_COUNTY={value!r} is not a county letter; give one of "
                f"{', '.join(COUNTIES)} (Bronx, Brooklyn, Manhattan, Queens, Staten Island) or all"
            )
        return text.upper()
    # Strict-Transport-Security, sent in production only: one year, the host and its own
    # subdomains, not on the browsers' preload list unless asked for.
    hsts_seconds: int = Field(default=365 * 24 * 3600, ge=0)
    hsts_include_subdomains: bool = True
    hsts_preload: bool = False
    # The header a TLS-terminating proxy sets to "https" (e.g. X-Forwarded-Proto); unset = none.
    proxy_https_header: str | None = None

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Config:
        if self.env is Environment.PRODUCTION:
            if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
                raise ConfigError(
                    "SJ_SECRET_KEY is the development default or shorter than 32 characters; "
                    "production needs a long random secret (python -c 'import secrets; "
                    "print(secrets.token_urlsafe(48))')."
                )
            if not (self.encryption_keys_file or self.encryption_keys):
                raise ConfigError(
                    "No encryption key: production needs SJ_ENCRYPTION_KEYS_FILE or "
                    "SJ_ENCRYPTION_KEYS (see `sj keys --help`)."
                )
            if self.debug:
                raise ConfigError("SJ_DEBUG=true is refused in production.")
            if self.encryption_keys_file is not None:
                check_private_file(self.encryption_keys_file, "SJ_ENCRYPTION_KEYS_FILE")
            if self.hsts_preload and self.hsts_seconds < 365 * 24 * 3600:
                raise ConfigError(
                    f"SJ_HSTS_PRELOAD=true needs SJ_HSTS_SECONDS of at least 31536000 (one "
                    f"year); it is {self.hsts_seconds}."
                )
        return self

    @property
    def sqlite_path(self) -> Path:
        return self.var_dir / "sj.sqlite3"

    @property
    def anchor_key_path(self) -> Path:
        return self.audit_anchor_key_file or self.var_dir / "audit-anchor.key"

    @property
    def anchor_path(self) -> Path:
        return self.audit_anchor_file or self.var_dir / "audit-anchors.jsonl"


def check_private_file(path: Path, what: str) -> None:
    """Refuse a secret file that the file's group or other users may read or write."""
    try:
        mode = path.stat().st_mode & 0o777
    except FileNotFoundError:
        return  # the key loader says it is missing, with how to create it
    if mode & 0o077:
        raise ConfigError(
            f"{what}={path} has mode {mode:04o}: other accounts on this machine could read the "
            f"keys. Make it private to the service account: chmod 600 {path}"
        )


@lru_cache(maxsize=1)
def get_config() -> Config:
    return Config()
