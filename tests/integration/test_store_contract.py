"""The contract every graph store keeps, run against each real store (see ``conftest.store``).

What a user relies on: loading is idempotent and merges on natural keys, what is written is
read back exactly, erasure leaves nothing of a person behind, every change moves the revision,
and a batch that fails anywhere leaves the store exactly as it was.
"""

from __future__ import annotations

import json
import socket
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from graphsvc.errors import ConfigError, NotFoundError, StoreError, UnknownReferenceError
from graphsvc.model import Actor, GraphBatch, Initiative, Need, Provenance, Resource, Tie
from graphsvc.settings import Settings
from graphsvc.store import open_store
from graphsvc.store.base import RECORD_TYPES, GraphStore, build_graph, record_data
from graphsvc.store.sqlite import SQLiteStore

LOADED_AT = datetime(2024, 5, 17, 8, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
PERSON_NAME = "Gudbjørg Quistgaard-Ødegård"  # distinctive enough to search raw bytes for


def prov(row: int) -> Provenance:
    return Provenance(source="arendal.xlsx", source_row=row, loaded_at=LOADED_AT)


def community() -> GraphBatch:
    """A small Arendal-like community touching every field type the model has."""
    return GraphBatch(
        actors=[
            Actor(
                id="brreg:971234567", kind="frivilligsentral", name="Hisøy frivilligsentral",
                kommunenummer="4203", district="Hisøy", lat=58.4423, lon=8.7612,
                orgnr="971234567", categories=["social.visit", "help.transport"],
                provenance=prov(2),
            ),
            Actor(
                id="brreg:987654321", kind="association", name="Tromøya Røde Kors",
                kommunenummer="4203", district="Tromøya", categories=["activity.walk"],
            ),
            Actor(
                id="ws:kart:Åse Ærø", kind="individual", name="Åse Ærø «Østby»",
                district="Eydehavn", age_band="67-79", background="pensjonert sykepleier",
                consent_purpose="matching av frivillige", provenance=prov(7),
            ),
            Actor(id="demo:kommune", kind="municipality", name="Arendal kommune", kommunenummer="4203"),
        ],
        initiatives=[
            Initiative(
                id="demo:sua", name="Sykling uten alder", district="Hisøy",
                description='Rickshaw-turer for "seniorer"\nmed frivillige piloter',
                required_categories=["activity.cycling", "help.transport"], provenance=prov(11),
            )
        ],
        resources=[
            Resource(
                id="demo:r-bil", holder="ws:kart:Åse Ærø", category="help.transport",
                capacity=0, availability="tirsdager", description="Har bil, kjører gjerne",
            ),
            Resource(id="demo:r-rom", holder="brreg:971234567", category="social.meetingplace", capacity=40),
        ],
        needs=[
            Need(id="demo:n-pilot", holder="demo:sua", category="activity.cycling", urgency="high", capacity=3),
        ],
        ties=[
            Tie(source="ws:kart:Åse Ærø", target="brreg:971234567", kind="VOLUNTEERS_AT", strength=0.75),
            Tie(source="ws:kart:Åse Ærø", target="demo:sua", kind="PARTICIPATES_IN", strength=1.0),
            Tie(
                source="brreg:971234567", target="demo:kommune", kind="PARTNERS_WITH", strength=0.3,
                co_creation_level=2, written_agreement=False, provenance=prov(20),
            ),
            Tie(
                source="brreg:987654321", target="demo:kommune", kind="PARTNERS_WITH", strength=0.9,
                co_creation_level=3, written_agreement=True,
            ),
            Tie(source="demo:kommune", target="demo:sua", kind="FUNDS", strength=0.5),
        ],
    )


def snapshot(store: GraphStore) -> tuple[dict[str, Any], dict[tuple[str, str, str], Any]]:
    """Everything a reader of the store can see, as comparable plain data."""
    G = store.to_networkx()
    return dict(G.nodes(data=True)), {(u, v, k): d for u, v, k, d in G.edges(keys=True, data=True)}


def state(store: GraphStore) -> tuple[Any, int]:
    return snapshot(store), store.revision()


def actors(n: int, prefix: str = "bulk") -> list[Actor]:
    return [Actor(id=f"{prefix}:{i}", kind="association", name=f"Lag nr. {i}") for i in range(n)]


# ---- idempotent loading and natural keys -----------------------------------------------------
def test_loading_the_same_batch_twice_gives_the_same_graph(store: GraphStore) -> None:
    first = store.write(community())
    graph_after_first = snapshot(store)
    second = store.write(community())

    assert snapshot(store) == graph_after_first
    assert first.created == {"actors": 4, "initiatives": 1, "resources": 2, "needs": 1, "ties": 5}
    assert sum(second.created.values()) == sum(second.updated.values()) == 0
    assert second.unchanged == first.created
    assert second.revision > first.revision


def test_a_changed_record_is_updated_in_place(store: GraphStore) -> None:
    store.write(GraphBatch(actors=[Actor(id="brreg:987654321", kind="association", name="Røde Kors")]))
    report = store.write(
        GraphBatch(actors=[Actor(id="brreg:987654321", kind="association", name="Tromøya Røde Kors")])
    )

    assert report.updated["actors"] == 1 and report.created["actors"] == 0
    assert [a.name for a in store.actors()] == ["Tromøya Røde Kors"]
    assert store.to_networkx().number_of_nodes() == 1


def test_the_same_tie_key_twice_gives_one_edge(store: GraphStore) -> None:
    store.write(community())
    key = ("ws:kart:Åse Ærø", "brreg:971234567")
    report = store.write(
        GraphBatch(ties=[Tie(source=key[0], target=key[1], kind="VOLUNTEERS_AT", strength=0.2)])
    )
    # Within one batch the last row wins, too.
    store.write(
        GraphBatch(
            ties=[
                Tie(source=key[0], target=key[1], kind="KNOWS", strength=0.4),
                Tie(source=key[0], target=key[1], kind="KNOWS", strength=0.6),
            ]
        )
    )

    G = store.to_networkx()
    assert report.updated["ties"] == 1 and report.created["ties"] == 0
    assert sorted(G[key[0]][key[1]]) == ["KNOWS", "VOLUNTEERS_AT"]
    assert G[key[0]][key[1]]["VOLUNTEERS_AT"]["strength"] == 0.2
    assert G[key[0]][key[1]]["KNOWS"]["strength"] == 0.6


def test_a_resource_that_changes_holder_moves_with_it(store: GraphStore) -> None:
    store.write(community())
    moved = Resource(id="demo:r-bil", holder="brreg:987654321", category="help.transport")
    store.write(GraphBatch(resources=[moved]))
    # Erasing the former holder must not take the resource with it.
    store.delete_actor("ws:kart:Åse Ærø")

    G = store.to_networkx()
    assert [r["id"] for r in G.nodes["brreg:987654321"]["offers"]] == ["demo:r-bil"]
    assert store.counts()["resources"] == 2


# ---- reading back exactly what was written ---------------------------------------------------
def test_the_graph_reads_back_with_every_attribute(store: GraphStore) -> None:
    batch = community()
    store.write(batch)
    G = store.to_networkx()

    for actor in batch.actors:
        attrs = dict(G.nodes[actor.id])
        assert attrs.pop("node_type") == "actor"
        offers, needs = attrs.pop("offers"), attrs.pop("needs")
        assert Actor.model_validate({"id": actor.id, **attrs}) == actor
        assert [Resource.model_validate(r) for r in offers] == [
            r for r in batch.resources if r.holder == actor.id
        ]
        assert needs == []
    attrs = dict(G.nodes["demo:sua"])
    assert (attrs.pop("node_type"), attrs.pop("kind"), attrs.pop("offers")) == ("initiative", "initiative", [])
    assert [Need.model_validate(n) for n in attrs.pop("needs")] == batch.needs
    assert Initiative.model_validate({"id": "demo:sua", **attrs}) == batch.initiatives[0]
    for tie in batch.ties:
        attrs = G.edges[tie.source, tie.target, tie.kind]
        assert Tie.model_validate({"source": tie.source, "target": tie.target, **attrs}) == tie
    assert store.get_actor("brreg:971234567").provenance == prov(2)
    assert store.get_actor("brreg:971234567").provenance.loaded_at.utcoffset() == timedelta(hours=2)
    assert sorted(store.actors(), key=lambda a: a.id) == sorted(batch.actors, key=lambda a: a.id)


def test_the_demo_community_reads_back_as_built_in_memory(
    store: GraphStore, demo_batch: GraphBatch
) -> None:
    store.write(demo_batch)
    expected = build_graph(
        **{kind: [record_data(r) for r in getattr(demo_batch, kind)] for kind in RECORD_TYPES}
    )

    G = store.to_networkx()
    assert dict(G.nodes(data=True)) == dict(expected.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=str) == sorted(
        expected.edges(keys=True, data=True), key=str
    )


@pytest.mark.parametrize(
    "actor_id, name",
    [
        pytest.param("ws:kart:Bjørn Æsøy", "Bjørn Æsøy", id="norwegian-letters"),
        pytest.param("ws:kart:ÆØÅ-æøå", "ÆØÅ æøå Ærlighet Østerhus Ålesund", id="all-six"),
        pytest.param("demo:o'neil \"q\" \\ {x}", "O'Neil \"the\" \\ {n}", id="quotes-and-escapes"),
    ],
)
def test_text_round_trips_in_ids_and_values(store: GraphStore, actor_id: str, name: str) -> None:
    store.write(
        GraphBatch(
            actors=[
                Actor(id=actor_id, kind="individual", name=name, district="Søndre Æsøy"),
                Actor(id="demo:lag", kind="association", name="Lag"),
            ],
            needs=[Need(id=f"{actor_id}/n", holder=actor_id, category="help.digital", description=name)],
            ties=[Tie(source=actor_id, target="demo:lag", kind="MEMBER_OF")],
        )
    )

    actor = store.get_actor(actor_id)
    G = store.to_networkx()
    assert (actor.name, actor.district) == (name, "Søndre Æsøy")
    assert G.nodes[actor_id]["needs"][0]["description"] == name
    assert G.has_edge(actor_id, "demo:lag", "MEMBER_OF")
    assert store.write(GraphBatch(actors=[actor])).unchanged["actors"] == 1


def test_a_missing_actor_is_not_found(store: GraphStore) -> None:
    store.write(community())
    with pytest.raises(NotFoundError, match="no actor with id 'demo:nobody'"):
        store.get_actor("demo:nobody")
    with pytest.raises(NotFoundError):
        store.get_actor("demo:sua")  # an initiative, not an actor


# ---- erasure ---------------------------------------------------------------------------------
def _raw_bytes(path: Path) -> bytes:
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


def test_deleting_an_actor_leaves_nothing_of_them(store: GraphStore) -> None:
    batch = community()
    person = batch.actors[2].model_copy(update={"name": PERSON_NAME})
    batch.actors[2] = person
    batch.needs.append(Need(id="demo:n-følge", holder=person.id, category="help.shopping"))
    batch.ties.append(Tie(source="demo:kommune", target=person.id, kind="KNOWS"))
    store.write(batch)
    if isinstance(store, SQLiteStore):
        assert PERSON_NAME.encode() in _raw_bytes(Path(store.path))
    before = store.revision()

    store.delete_actor(person.id)

    G = store.to_networkx()
    everything = json.dumps(
        [list(store._all(kind)) for kind in RECORD_TYPES]
        + [list(G.nodes(data=True)), list(G.edges(keys=True, data=True))],
        ensure_ascii=False,
    )
    for trace in (person.id, PERSON_NAME, "pensjonert sykepleier", "demo:r-bil", "demo:n-følge"):
        assert trace not in everything
    assert G.number_of_nodes() == 4 and G.number_of_edges() == 3
    assert store.revision() > before
    with pytest.raises(NotFoundError):
        store.get_actor(person.id)
    if isinstance(store, SQLiteStore):
        assert PERSON_NAME.encode() not in _raw_bytes(Path(store.path))


def test_deleting_a_missing_actor_changes_nothing(store: GraphStore) -> None:
    store.write(community())
    before = state(store)
    with pytest.raises(NotFoundError, match="demo:nobody"):
        store.delete_actor("demo:nobody")
    assert state(store) == before


# ---- revision --------------------------------------------------------------------------------
def test_every_change_moves_the_revision(store: GraphStore) -> None:
    seen = [store.revision()]
    store.write(community())
    seen.append(store.revision())
    store.write(community())  # unchanged rows still count as a write
    seen.append(store.revision())
    store.write(GraphBatch())
    seen.append(store.revision())
    store.delete_actor("demo:kommune")
    seen.append(store.revision())
    store.clear()
    seen.append(store.revision())

    assert seen == sorted(set(seen)), f"revision did not strictly increase: {seen}"
    assert store.counts() == dict.fromkeys(RECORD_TYPES, 0)
    assert store.to_networkx().number_of_nodes() == 0


# ---- atomicity -------------------------------------------------------------------------------
def test_an_unknown_reference_rejects_the_whole_batch(store: GraphStore) -> None:
    store.write(community())
    before = state(store)
    bulk = actors(100)
    ties = [Tie(source=a.id, target="brreg:971234567", kind="MEMBER_OF") for a in bulk]
    ties[50] = Tie(source=bulk[50].id, target="brreg:000000000", kind="MEMBER_OF")

    with pytest.raises(UnknownReferenceError, match="brreg:000000000") as err:
        store.write(GraphBatch(actors=bulk, ties=ties))

    assert err.value.context["missing"] == ["brreg:000000000"]
    assert state(store) == before


@pytest.mark.parametrize(
    "kind, field",
    [
        pytest.param("resources", "holder", id="bad-resource-after-actors"),
        pytest.param("ties", "source", id="bad-tie-in-last-block"),
    ],
)
def test_a_batch_the_database_rejects_midway_leaves_the_store_as_it_was(
    store: GraphStore, monkeypatch: pytest.MonkeyPatch, kind: str, field: str
) -> None:
    """Validation passed, then the engine itself refuses one row in the middle (here: a null
    key the schema forbids), after earlier rows and record types were already applied."""
    store.write(community())
    before = state(store)
    bulk = actors(100, prefix="neu")
    batch = GraphBatch(
        actors=bulk,
        resources=[Resource(id=f"neu:r{i}", holder=a.id, category="help.practical") for i, a in enumerate(bulk)],
        ties=[Tie(source=a.id, target="demo:kommune", kind="PARTNERS_WITH") for a in bulk],
    )
    real_apply = store._apply

    def corrupting_apply(changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> int:
        key, data = changes[kind][50]
        changes[kind][50] = (key, {**data, field: None})
        return real_apply(changes)

    monkeypatch.setattr(store, "_apply", corrupting_apply)
    with pytest.raises(StoreError):
        store.write(batch)

    assert state(store) == before


# ---- scale -----------------------------------------------------------------------------------
def test_a_2000_actor_batch_writes_in_one_call(store: GraphStore) -> None:
    bulk = actors(2000)
    ties = [Tie(source=a.id, target=b.id, kind="KNOWS", strength=0.4) for a, b in zip(bulk, bulk[1:])]

    report = store.write(GraphBatch(actors=bulk, ties=ties))

    assert report.created["actors"] == 2000 and report.created["ties"] == 1999
    G = store.to_networkx()
    assert (G.number_of_nodes(), G.number_of_edges()) == (2000, 1999)
    assert store.get_actor("bulk:1999").name == "Lag nr. 1999"


# ---- opening the Neo4j store -----------------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    "url, password, error, message",
    [
        pytest.param(
            "neo4j://127.0.0.1:7687", None, ConfigError, "set GRAPHSVC_NEO4J_PASSWORD", id="no-password"
        ),
        pytest.param(
            "neo4j://127.0.0.1:7687/graphsvc", "pw", ConfigError, "GRAPHSVC_NEO4J_DATABASE", id="path"
        ),
        pytest.param("bolt://127.0.0.1:{port}", "pw", StoreError, "cannot reach Neo4j at", id="bolt-down"),
        pytest.param("neo4j://127.0.0.1:{port}", "pw", StoreError, "cannot reach Neo4j at", id="neo4j-down"),
    ],
)
def test_opening_neo4j_explains_what_is_wrong(
    url: str, password: str | None, error: type[Exception], message: str
) -> None:
    settings = Settings(neo4j_password=password)
    with pytest.raises(error, match=message):
        open_store(url.format(port=_closed_port()), settings)


# ---- documents beside the graph ---------------------------------------------------------------
def test_a_document_is_written_with_its_batch_and_read_back(store: GraphStore) -> None:
    definition = {"kommunenummer": "4203", "postnummer": {"4817": {"district": "Hisøy"}},
                  "polygons": [{"name": "Tromøya", "geometry": {"type": "Polygon",
                                "coordinates": [[[8.9, 58.4], [9.0, 58.4], [9.0, 58.5],
                                                 [8.9, 58.4]]]}}]}
    before = store.revision()
    store.write(community(), documents={"districts:4203": definition})

    assert store.documents(["districts:4203", "districts:0301"]) == {"districts:4203": definition}
    assert store.revision() > before
    assert "districts:4203" not in store.to_networkx()  # not part of the graph
    store.write(GraphBatch(), documents={"districts:4203": {"postnummer": {}}})
    assert store.documents(["districts:4203"]) == {"districts:4203": {"postnummer": {}}}
    with pytest.raises(UnknownReferenceError):  # a failed batch stores its document neither
        store.write(GraphBatch(ties=[Tie(source="demo:x", target="demo:y", kind="KNOWS")]),
                    documents={"districts:0301": {"postnummer": {}}})
    assert store.documents(["districts:0301"]) == {}
    store.clear()
    assert store.documents(["districts:4203"]) == {}


# ---- merging duplicates ----------------------------------------------------------------------
def test_an_actor_naming_an_alias_erases_it_and_takes_what_was_moved_in_one_write(
        store: GraphStore) -> None:
    """``graphsvc merge`` and the import's merge step: the kept actor, with the duplicate's id
    as an alias and its ties and holdings moved, replaces the duplicate in one write."""
    store.write(community())
    kept = Actor(id="brreg:940000001", kind="municipality", name="ARENDAL KOMMUNE",
                 kommunenummer="4203", orgnr="940000001", aliases=["demo:kommune"])
    moved = [Tie(source=t.source, target="brreg:940000001", kind=t.kind, strength=t.strength,
                 co_creation_level=t.co_creation_level, written_agreement=t.written_agreement)
             for t in community().ties if t.target == "demo:kommune"]
    store.write(GraphBatch(actors=[kept], ties=moved))

    G = store.to_networkx()
    assert "demo:kommune" not in G
    assert sorted(s for s, _ in G.in_edges("brreg:940000001")) == ["brreg:971234567",
                                                                   "brreg:987654321"]
    assert store.get_actor("brreg:940000001").aliases == ["demo:kommune"]
    revision = store.revision()
    store.write(GraphBatch(actors=[kept]))  # the alias is gone already: nothing else goes
    assert store.revision() == revision + 1 and len(store.actors()) == 4


# ---- bulk writes: many batches, one transaction (an import too large for memory) -------------
def chunks_of_community() -> list[GraphBatch]:
    """The community in three batches, each referring to what an earlier one holds."""
    whole = community()
    return [GraphBatch(actors=whole.actors[:2]),
            GraphBatch(actors=whole.actors[2:], initiatives=whole.initiatives,
                       resources=whole.resources),
            GraphBatch(needs=whole.needs, ties=whole.ties)]


def test_a_bulk_write_in_batches_reads_back_as_one_write(store: GraphStore,
                                                         tmp_path: Path) -> None:
    reference = SQLiteStore(tmp_path / "reference.db")
    reference.write(community())
    revision = store.revision()

    with store.bulk() as bulk:
        reports = [bulk.write(b) for b in chunks_of_community()]
        assert store.revision() == revision and store.counts()["actors"] == 0  # not yet seen

    assert store.revision() == bulk.revision == revision + 1  # one commit, one revision
    assert snapshot(store) == snapshot(reference)
    assert sum(r.created["actors"] for r in reports) == 4
    assert sum(r.created["ties"] for r in reports) == 5
    with store.bulk() as again:  # nothing changes: nothing is committed
        for b in chunks_of_community():
            assert not any(again.write(b).created.values())
    assert store.revision() == again.revision == revision + 1


def test_a_bulk_write_sees_what_it_staged_and_a_key_staged_twice_counts_once(
        store: GraphStore) -> None:
    with store.bulk() as bulk:
        bulk.write(GraphBatch(actors=actors(3)))
        assert bulk.fetch("actors", ["bulk:1"])["bulk:1"]["name"] == "Lag nr. 1"
        assert bulk.existing_nodes(["bulk:2", "bulk:9"]) == {"bulk:2"}
        report = bulk.write(GraphBatch(actors=[Actor(id="bulk:1", kind="association",
                                                     name="Lag nr. 1, nytt navn")]))
        assert report.updated["actors"] == 1  # against what was staged
    assert store.get_actor("bulk:1").name == "Lag nr. 1, nytt navn"
    assert store.counts()["actors"] == 3


@pytest.mark.parametrize("where", ["in-the-last-batch", "in-the-commit", "by-the-caller"])
def test_a_bulk_write_failing_late_leaves_the_store_as_it_was(
        store: GraphStore, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """After 20 batches were staged, the 21st is refused (an unknown reference), the commit
    itself fails in the database, or the caller raises: every batch is gone, nothing shows."""
    store.write(community())
    before = state(store)
    bulk_actors = actors(2100, prefix="neu")
    with pytest.raises((UnknownReferenceError, StoreError, RuntimeError)):
        with store.bulk() as bulk:
            for start in range(0, 2000, 100):
                part = bulk_actors[start : start + 100]
                bulk.write(GraphBatch(actors=part, resources=[
                    Resource(id=f"{a.id}:r", holder=a.id, category="help.practical")
                    for a in part], ties=[Tie(source=a.id, target="demo:kommune",
                                              kind="PARTNERS_WITH") for a in part]))
            last = GraphBatch(actors=bulk_actors[2000:],
                              ties=[Tie(source="neu:5", target="brreg:000000000", kind="KNOWS")]
                              if where == "in-the-last-batch" else [])
            if where == "in-the-commit":
                real = store._commit_staged

                def failing(token: str) -> int:
                    # the database refuses the commit statement halfway (a null key)
                    store._stage(token, {"ties": [("x|KNOWS|y", {"source": None, "target": "y",
                                                                  "kind": "KNOWS"})]})
                    return real(token)

                monkeypatch.setattr(store, "_commit_staged", failing)
            bulk.write(last)
            if where == "by-the-caller":
                raise RuntimeError("enrichment failed after the last batch")

    assert state(store) == before
    with store.bulk() as empty:  # and nothing staged is left behind to commit later
        pass
    assert state(store) == before and empty.revision == before[1]
    assert store.counts()["actors"] == 4
