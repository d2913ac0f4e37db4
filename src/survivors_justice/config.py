"""Typed settings read from the environment and validated at start-up.

Every value comes from an ``SJ_*`` variable. Production mode refuses the development secret and
refuses to start without an encryption key.
"""

from __future__ import annotations

from enum import StrEnum
from functools import lru_cache
from pathlib import Path

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[2]
DEVELOPMENT_SECRET = "development-only-secret-never-use-in-production"  # noqa: S105 (refused in production)


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
    debug: bool = False
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
