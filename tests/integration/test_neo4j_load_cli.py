"""``graphsvc load --store neo4j://…`` as a user runs it (a real process) into a real Neo4j."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphsvc.store.neo4j import Neo4jStore
from tests.fixtures import sources_registers as reg

SRC = reg.SOURCES
pytestmark = pytest.mark.parametrize("store", ["neo4j"], indirect=True)


def load(server, *args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env.update(GRAPHSVC_NEO4J_USER=server.user, GRAPHSVC_NEO4J_PASSWORD=server.password,
               GRAPHSVC_NEO4J_DATABASE=server.database)
    return subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", "load", *args, "--store", server.uri],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False,
    )


def test_two_registers_load_into_neo4j_and_again_change_nothing(
    store: Neo4jStore, neo4j_server, tmp_path: Path
) -> None:
    first = load(neo4j_server, str(SRC / "enheter.csv"), str(SRC / "frivillighet.json"),
                 "--kommune", "0399", "--json", cwd=tmp_path)
    assert first.returncode == 3, first.stderr  # loaded, but some rows were rejected
    assert json.loads(first.stdout)["actors"]["created"] == 6
    actors = sorted(a.id for a in store.actors())
    assert len(actors) == 6 and all(a.startswith("brreg:") for a in actors)

    again = load(neo4j_server, str(SRC / "enheter.csv"), str(SRC / "frivillighet.json"),
                 "--kommune", "0399", "--json", cwd=tmp_path)
    assert json.loads(again.stdout)["actors"] == {"created": 0, "updated": 0, "unchanged": 6}
    assert sorted(a.id for a in store.actors()) == actors
    assert not list(tmp_path.iterdir())  # nothing went to a SQLite file by mistake


def test_strict_writes_nothing_to_neo4j_when_a_row_is_rejected(
    store: Neo4jStore, neo4j_server, tmp_path: Path
) -> None:
    result = load(neo4j_server, str(SRC / "enheter.csv"), "--strict", "--lang", "en",
                  cwd=tmp_path)

    assert result.returncode == 1
    assert "enheter.csv:11 field 'organisasjonsnummer'" in result.stderr
    assert store.counts() == dict.fromkeys(store.counts(), 0)
