"""All configuration, from the environment with the prefix ``GRAPHSVC_`` (or a ``.env`` file)."""

from __future__ import annotations

from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GRAPHSVC_", env_file=".env", extra="ignore")

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
    proxy, e.g. the docker-compose setup, which publishes the port on 127.0.0.1)."""
