"""What the Neo4j store relies on the database engine for, checked on the real engines.

Uniqueness of every natural key, schema set-up that can run again, reads that cannot write,
two writers at once, and Cypher that Neo4j has nothing to warn about. Where the dialects differ
(constraints on Neo4j, indexes on FalkorDB: ``cypher.schema_statements``) both are tested.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator

import neo4j
import pytest

from graphsvc.errors import StoreError
from graphsvc.model import Actor, GraphBatch, Resource, Tie
from graphsvc.settings import Settings
from graphsvc.store import cypher
from graphsvc.store.neo4j import Neo4jStore
from graphsvc.store.runners import FalkorDBRunner, Neo4jRunner

on_neo4j = pytest.mark.parametrize("store", ["neo4j"], indirect=True)
on_both_engines = pytest.mark.parametrize("store", ["falkordb", "neo4j"], indirect=True)


def _schema(store: Neo4jStore) -> set[tuple[str, str]]:
    """(label, property) pairs the engine guards: constraints on Neo4j, indexes on FalkorDB."""
    rows = store.runner.run(cypher.existing_schema(store.runner.dialect))
    return {(r["label"], p) for r in rows for p in r["properties"]}


def _reopen(store: Neo4jStore, request: pytest.FixtureRequest) -> Neo4jStore:
    """A second store on the same database, with its own connection."""
    if store.runner.dialect == "neo4j":
        server = request.getfixturevalue("neo4j_server")
        settings = Settings(
            neo4j_user=server.user, neo4j_password=server.password, neo4j_database=server.database
        )
        return Neo4jStore.connect(server.uri, settings)
    from falkordb import FalkorDB

    host, port = request.getfixturevalue("falkordb_server")
    return Neo4jStore(FalkorDBRunner(FalkorDB(host=host, port=port).select_graph(store.runner.graph.name)))


@pytest.fixture
def second(store: Neo4jStore, request: pytest.FixtureRequest) -> Iterator[Neo4jStore]:
    other = _reopen(store, request)
    try:
        yield other
    finally:
        other.close()


# ---- schema ------------------------------------------------------------------------------------
@on_both_engines
def test_every_natural_key_is_guarded_and_opening_again_keeps_the_data(
    store: Neo4jStore, request: pytest.FixtureRequest
) -> None:
    store.write(GraphBatch(actors=[Actor(id="demo:lag", kind="association", name="Lag")]))
    guarded = _schema(store)

    again = _reopen(store, request)  # runs the schema set-up a second time
    try:
        assert guarded == set(cypher.KEYS)
        assert _schema(again) == guarded
        assert [a.id for a in again.actors()] == ["demo:lag"]
    finally:
        again.close()


@on_neo4j
def test_neo4j_refuses_a_second_node_for_a_natural_key(store: Neo4jStore) -> None:
    """The constraint holds even for a write that bypasses graphsvc's MERGE."""
    store.write(GraphBatch(actors=[Actor(id="brreg:971234567", kind="association", name="Lag")]))
    before = store.revision()

    with pytest.raises(StoreError, match="already exists with label `Actor` and property `id`"):
        store.runner.write("CREATE (:Actor {id: $id})", {"id": "brreg:971234567"})

    assert [a.id for a in store.actors()] == ["brreg:971234567"]
    assert store.revision() == before


@on_both_engines
def test_a_read_cannot_write(store: Neo4jStore) -> None:
    with pytest.raises(StoreError, match="read failed"):
        store.runner.run("CREATE (:Actor {id: $id, data: '{}'})", {"id": "demo:sneaky"})
    assert store.counts()["actors"] == 0


# ---- two writers at once -----------------------------------------------------------------------
def _batches(writer: str, overlap: range, own: range, rounds: int) -> list[GraphBatch]:
    """Each round writes the shared actors (identical in both writers) plus one actor, resource
    and tie only this writer and round have, so every write changes something."""
    shared = [Actor(id=f"shared:{i}", kind="association", name=f"Lag {i}") for i in overlap]
    ties = [Tie(source=a.id, target=b.id, kind="KNOWS", strength=0.5) for a, b in zip(shared, shared[1:])]
    batches = []
    for n in range(rounds):
        mine = [Actor(id=f"{writer}:{n}:{i}", kind="individual", name=f"{writer} {n} {i}") for i in own]
        batches.append(
            GraphBatch(
                actors=[*shared, *mine],
                resources=[Resource(id=f"{writer}:{n}:r", holder=shared[n].id, category="help.transport")],
                ties=[*ties, *(Tie(source=m.id, target=shared[0].id, kind="MEMBER_OF") for m in mine)],
            )
        )
    return batches


@on_neo4j
def test_two_writers_with_overlapping_batches_end_with_one_node_per_key(
    store: Neo4jStore, second: Neo4jStore
) -> None:
    rounds = 6
    work = {
        "a": (store, _batches("a", range(0, 300), range(20), rounds)),
        "b": (second, _batches("b", range(150, 450), range(20), rounds)),
    }
    start = store.revision()
    barrier = threading.Barrier(len(work))
    revisions: list[int] = []
    errors: list[BaseException] = []

    def run(target: Neo4jStore, batches: list[GraphBatch]) -> None:
        try:
            barrier.wait()
            for batch in batches:
                revisions.append(target.write(batch).revision)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=args) for args in work.values()]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)

    assert not errors, errors
    ids = Counter(r["id"] for r in store.runner.run("MATCH (n:Actor) RETURN n.id AS id"))
    assert max(ids.values()) == 1, [k for k, n in ids.items() if n > 1][:5]
    assert len(ids) == 450 + 2 * rounds * 20
    G = store.to_networkx()
    assert G.number_of_edges() == 449 + 2 * rounds * 20  # KNOWS chain 0..449 once, MEMBER_OF each
    assert store.counts()["resources"] == 2 * rounds
    # No lost update: every write got its own revision, and the revision counted all of them.
    assert sorted(revisions) == list(range(start + 1, start + 1 + 2 * rounds))
    assert store.revision() == start + 2 * rounds


# ---- Cypher Neo4j has nothing to say about -----------------------------------------------------
@on_neo4j
def test_neo4j_has_no_warning_or_hint_for_any_statement(
    store: Neo4jStore, neo4j_server, demo_batch: GraphBatch
) -> None:
    """The driver turns every server notification (deprecations, cartesian products, unknown
    labels, ...) into a Python warning here, and warnings fail the tests."""
    store.write(demo_batch)  # on an empty database Neo4j rightly notes unknown property keys
    driver = neo4j.GraphDatabase.driver(
        neo4j_server.uri,
        auth=(neo4j_server.user, neo4j_server.password),
        warn_notification_severity=neo4j.NotificationMinimumSeverity.INFORMATION,
    )
    with driver:
        watched = Neo4jStore(Neo4jRunner(driver, database=neo4j_server.database))
        person = next(a for a in demo_batch.actors if a.kind == "individual")
        watched.write(demo_batch)
        watched.write(GraphBatch(actors=[person.model_copy(update={"name": "Nytt navn"})]))
        watched.to_networkx()
        watched.get_actor(person.id)
        watched.delete_actor(person.id)
        watched.clear()
        assert watched.counts() == dict.fromkeys(watched.counts(), 0)
