"""The server store: the graph in Neo4j 5, through a Cypher runner it is given.

``Neo4jStore`` never creates its connection (``Neo4jStore(runner)``), so the same code runs on
Neo4j and on the FalkorDB engine; ``Neo4jStore.connect`` is the one place that builds a Neo4j
driver from settings. The Cypher itself lives in ``graphsvc.store.cypher``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import neo4j
from neo4j.exceptions import AuthError, ConfigurationError, DriverError, Neo4jError

from graphsvc.errors import ConfigError, StoreError
from graphsvc.settings import Settings
from graphsvc.store import cypher
from graphsvc.store.base import GraphStore
from graphsvc.store.runners import CypherRunner, Neo4jRunner


STAGE_ROWS = 2000  # rows per staging statement (FalkorDB's Bolt-less protocol sends them inline)


class Neo4jStore(GraphStore):
    """``Neo4jStore(runner, url=...)``; prepares the schema and the revision on creation."""

    def __init__(self, runner: CypherRunner, *, url: str = "") -> None:
        self.runner = runner
        self.url = url or f"{runner.dialect}://"
        self._types: dict[str, set[str]] = {}  # bulk write token → the row types it staged
        self._ensure_schema()

    @classmethod
    def connect(cls, url: str, settings: Settings) -> Neo4jStore:
        """Open a Neo4j driver from ``settings`` (``neo4j_user``, ``neo4j_password``,
        ``neo4j_database``), check the server answers, and wrap it in a store.

        Raises ``ConfigError`` for a missing password, a malformed URL or refused credentials,
        and ``StoreError`` if the server cannot be reached.
        """
        if settings.neo4j_password is None:
            raise ConfigError(
                "the Neo4j store needs a password: set GRAPHSVC_NEO4J_PASSWORD", url=url
            )
        parts = urlsplit(url)
        if parts.path.strip("/") or parts.query:
            raise ConfigError(
                f"a Neo4j URL takes no path or query ('{url}'): "
                "choose the database with GRAPHSVC_NEO4J_DATABASE",
                url=url,
            )
        auth = (settings.neo4j_user, settings.neo4j_password.get_secret_value())
        try:
            # "Property key does not exist" hints are expected on a new, empty database, and the
            # driver would log each one; the tests watch for them with a driver of their own.
            driver = neo4j.GraphDatabase.driver(
                url,
                auth=auth,
                notifications_disabled_classifications=[
                    neo4j.NotificationDisabledClassification.UNRECOGNIZED
                ],
            )
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(f"cannot use Neo4j URL '{url}': {exc}", url=url) from exc
        try:
            driver.verify_connectivity()  # keyword arguments are a warned-about preview
            return cls(Neo4jRunner(driver, database=settings.neo4j_database), url=url)
        except AuthError as exc:
            driver.close()
            raise ConfigError(
                f"Neo4j at {url} refused user '{settings.neo4j_user}': {exc.message}", url=url
            ) from exc
        except ValueError as exc:  # e.g. an address that does not resolve
            driver.close()
            raise ConfigError(f"cannot use Neo4j URL '{url}': {exc}", url=url) from exc
        except (Neo4jError, DriverError, OSError) as exc:
            driver.close()
            raise StoreError(f"cannot reach Neo4j at {url}: {exc}", url=url) from exc
        except BaseException:
            driver.close()
            raise

    # ---- primitives -----------------------------------------------------------------------
    def revision(self) -> int:
        rows = self.runner.run(cypher.REVISION)
        return int(rows[0]["revision"]) if rows else 0

    def _fetch(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        if not keys:
            return {}
        params: list[Any] = [cypher.split_tie_key(k) for k in keys] if kind == "ties" else keys
        rows = self.runner.run(cypher.fetch(kind), {"keys": params})
        return {row["key"]: json.loads(row["data"]) for row in rows}

    def _existing_nodes(self, ids: list[str]) -> set[str]:
        if not ids:
            return set()
        return {row["id"] for row in self.runner.run(cypher.EXISTING_NODES, {"ids": ids})}

    def _apply(self, changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> int:
        query, params = cypher.write_statement(changes)
        return self._bumped(self.runner.write(query, params))

    def _held(self, kind: str, holders: list[str]) -> list[dict[str, Any]]:
        if not holders:
            return []
        rows = self.runner.run(cypher.held(kind), {"holders": holders})
        return [json.loads(row["data"]) for row in rows]

    # ---- staging (GraphStore.bulk): :Staged nodes, committed by one statement -------------
    def _stage(self, token: str, changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        rows = cypher.stage_rows(token, time.time(), changes)
        self._types.setdefault(token, set()).update(r["type"] for r in rows)
        for start in range(0, len(rows), STAGE_ROWS):
            self.runner.write(cypher.STAGE, {"rows": rows[start : start + STAGE_ROWS]})

    def _fetch_staged(self, token: str, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        if kind == "ties":
            params = [cypher.staged_key(token, f"ties_{k['kind'].lower()}", k["key"])
                      for k in map(cypher.split_tie_key, keys)]
        else:
            params = [cypher.staged_key(token, kind, k) for k in keys]
        rows = self.runner.run(cypher.FETCH_STAGED, {"keys": params})
        return {row["key"].split("|", 2)[2]: json.loads(row["data"]) for row in rows}

    def _staged_nodes(self, token: str, ids: list[str]) -> set[str]:
        keys = [cypher.staged_key(token, kind, i) for kind in ("actors", "initiatives")
                for i in ids]
        rows = self.runner.run(cypher.FETCH_STAGED, {"keys": keys})
        return {row["key"].split("|", 2)[2] for row in rows}

    def _commit_staged(self, token: str) -> int:
        types = self._types.pop(token, set())
        return self._bumped(self.runner.write(cypher.commit_statement(types), {"token": token}))

    def _unstage(self, token: str | None = None, *, older_than: float | None = None) -> None:
        if token is not None:
            self._types.pop(token, None)
            self.runner.write(cypher.UNSTAGE, {"token": token})
        if older_than is not None:
            self.runner.write(cypher.UNSTAGE_OLD, {"before": older_than})

    def _all(self, kind: str) -> Iterable[dict[str, Any]]:
        params = {"kinds": list(cypher.TIE_KINDS)} if kind == "ties" else {}
        rows = self.runner.run(cypher.all_records(kind), params)
        return (json.loads(row["data"]) for row in rows)

    def _delete_node(self, node_id: str) -> int | None:
        rows = self.runner.write(cypher.DELETE_NODE, {"id": node_id})
        if not rows:
            return None
        self.runner.after_erasure()
        return self._bumped(rows)

    def clear(self) -> None:
        self._bumped(self.runner.write(cypher.CLEAR))
        self.runner.after_erasure()

    def _create_document(self, key: str, value: Any) -> Any:
        data = json.dumps({"id": key, "value": value}, ensure_ascii=False, sort_keys=True)
        rows = self.runner.write(cypher.CREATE_DOCUMENT, {"id": key, "data": data})
        return json.loads(rows[0]["data"])["value"]

    def close(self) -> None:
        self.runner.close()

    # ---- helpers --------------------------------------------------------------------------
    def _ensure_schema(self) -> None:
        # Constraints before the Meta node, so two stores starting at once on an empty Neo4j
        # cannot both create one. The listing goes through ``write`` because FalkorDB refuses
        # read-only queries on a graph that does not exist yet.
        existing = frozenset(
            (row["label"], prop)
            for row in self.runner.write(cypher.existing_schema(self.runner.dialect))
            for prop in row["properties"]
        )
        for statement in cypher.schema_statements(self.runner.dialect, existing):
            self.runner.write(statement)
        self.runner.write(cypher.INIT_META)

    def _bumped(self, rows: list[dict[str, Any]]) -> int:
        if not rows:
            raise StoreError("the write did not return a revision", url=self.url)
        return int(rows[0]["revision"])
