"""Graph stores: ``open_store(url)`` picks the implementation from the URL.

``sqlite:///path/graph.db`` (the embedded default) or ``neo4j://host:7687`` /
``bolt://…`` / ``neo4j+s://…`` (user, password and database from settings).
"""

from __future__ import annotations

from graphsvc.errors import ConfigError
from graphsvc.store.base import GraphStore
from graphsvc.store.sqlite import SQLiteStore

__all__ = ["GraphStore", "SQLiteStore", "open_store"]


def open_store(url: str, settings=None) -> GraphStore:
    if url.startswith("sqlite:///"):
        return SQLiteStore(url.removeprefix("sqlite:///") or "graphsvc.db")
    if url.startswith("sqlite://"):
        return SQLiteStore(url.removeprefix("sqlite://") or ":memory:")
    if url.split("://", 1)[0] in {"neo4j", "neo4j+s", "neo4j+ssc", "bolt", "bolt+s", "bolt+ssc"}:
        from graphsvc.settings import Settings
        from graphsvc.store.neo4j import Neo4jStore

        return Neo4jStore.connect(url, settings or Settings())
    raise ConfigError(
        f"unknown store URL '{url}': use sqlite:///path/graph.db or neo4j://host:7687", url=url
    )
