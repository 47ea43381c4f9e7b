"""All configuration, from the environment with the prefix ``GRAPHSVC_`` (or a ``.env`` file)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

ENV_PREFIX = "GRAPHSVC_"
ENV_FILE = ".env"
LOCAL_HOSTS = ("localhost", "127.0.0.1", "::1")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=ENV_FILE, extra="ignore")

    store: str = "sqlite:///graphsvc.db"
    """Where the graph lives: ``sqlite:///path.db`` or ``neo4j://host:7687``."""
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = None
    neo4j_database: str = "neo4j"
    host: str = "127.0.0.1"
    """Address ``graphsvc serve`` listens on."""
    port: int = 8000
    lang: str = "nb"
    """Language of text on maps and prints: ``nb`` (bokmål) or ``en``."""
    show_names: bool = False
    """Show individuals' names in API answers, maps and prints (else stable pseudonyms)."""
    social_capital_rules: str | None = None
    """Path of a JSON file overriding the bonding/bridging/linking rules (keys as in
    ``graphsvc/data/social_capital_rules.json``; keys left out keep the defaults)."""
    allow_remote_without_keys: bool = False
    """Let ``serve`` listen beyond localhost with no API keys (only behind an authenticating
    proxy, e.g. the docker-compose setup, which publishes the port on 127.0.0.1). Read from the
    environment or ``serve --allow-remote-without-keys`` only: ``serve`` refuses to start when
    a ``.env`` file sets it."""
    allowed_hosts: Annotated[list[str], NoDecode] = Field(default_factory=list)
    """Host names (``Host`` header) the API answers besides localhost, 127.0.0.1, ::1 and
    ``host``; comma-separated, ``*.example.org`` for subdomains, ``*`` for any (only behind a
    proxy that checks the host itself). Any other host gets 400: a page on another site cannot
    reach the API by DNS rebinding."""
    max_body_mb: int = Field(10, ge=1)
    """Largest JSON request body (``POST /actors``, ``/merges``, ...), in MB; checked while it
    arrives, larger is refused with 413 before it is read."""
    max_upload_mb: int = Field(50, ge=1)
    """Largest upload to ``/imports`` and ``/districts`` (all files of one request together),
    in MB; checked while it arrives, larger is refused with 413."""
    max_concurrent_imports: int = Field(1, ge=1)
    """Imports and district uploads that may run at once; one more is refused with 503 and
    ``Retry-After`` (it does not wait)."""
    auth_db: str | None = None
    """Path of the SQLite database of API keys, sessions, sign-in attempts and the audit log
    (graphsvc/auth/db.py): default beside a SQLite store (``graph.db`` → ``graph-auth.db``),
    else ``graphsvc-auth.db`` in the working directory. Shared by every worker process."""
    require_keys: bool = False
    """Every request needs an API key or a signed-in session even before the first key is
    created (then nobody gets in until ``graphsvc keys create``); ``serve`` may then listen
    beyond localhost. For a container or a server that must never fall back to open access
    (a lost or new auth database leaves it closed, not open)."""
    session_idle_hours: float = Field(8.0, gt=0)
    """A browser session ends after this long without a request."""
    session_max_hours: float = Field(24.0, gt=0)
    """A browser session ends this long after sign-in, however busy."""
    signin_attempts_per_minute: int = Field(10, ge=1)
    """Sign-ins (and first uses of a Bearer key) per client address per minute; more get 429
    ``too_many_attempts`` with ``Retry-After``."""
    signin_attempts_total_per_minute: int = Field(100, ge=1)
    """The same, from all addresses together (each check costs an Argon2 hash: 0.1 to 0.4 s of
    CPU, benchmarks/bench_auth.py)."""
    max_import_rows: int = Field(3_000_000, ge=1)
    """Rows (CSV/XLSX records, JSON records) one import may read, all its files together
    (``loaders.streams.Limits.max_rows``; the national register is about 1.1 million)."""
    max_import_records: int = Field(1_000_000, ge=1)
    """Records one import may keep to write (``Limits.max_records``); past 10 000 register
    actors an import writes in chunks, so this bounds the compact indexes, not every record."""
    max_decompressed_mb: int = Field(4096, ge=1)
    """Megabytes one file of an import may give after decompression (``Limits.max_bytes``)."""

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def _split_hosts(cls, value: object) -> object:
        if isinstance(value, str):
            return [h.strip() for h in value.split(",") if h.strip()]
        return value

    def trusted_hosts(self) -> list[str]:
        """Every host name the API answers: the local names, the address it binds to, and
        ``allowed_hosts``."""
        hosts = [*LOCAL_HOSTS, self.host, *self.allowed_hosts]
        return list(dict.fromkeys(h.strip("[]").lower() for h in hosts if h))


def setting_source(name: str, env_file: str | Path = ENV_FILE,
                   environ: Mapping[str, str] | None = None) -> tuple[str, str]:
    """Where setting ``name`` comes from, as :class:`Settings` reads it (the environment wins
    over the file): ``("env", "GRAPHSVC_X")``, ``("dotenv", "/abs/path/.env")``, or
    ``("default", "")``."""
    key = (ENV_PREFIX + name).lower()
    environ = os.environ if environ is None else environ
    if any(k.lower() == key for k in environ):
        return "env", key.upper()
    if dotenv_value(name, env_file) is not None:
        return "dotenv", str(Path(env_file).resolve())
    return "default", ""


def dotenv_value(name: str, env_file: str | Path = ENV_FILE) -> str | None:
    """The value a ``.env`` file gives setting ``name``, or None."""
    path = Path(env_file)
    if not path.is_file():
        return None
    from dotenv import dotenv_values

    key = (ENV_PREFIX + name).lower()
    for k, v in dotenv_values(path).items():
        if k.lower() == key:
            return v
    return None
