"""The snapshot's start (issue 11): the graph it builds from the stored rows is the graph
``store.to_networkx()`` builds (every node, edge, attribute and order a reader sees), however
the rows look, and a snapshot graph shares repeated values without a change to one row showing
in another."""

from __future__ import annotations

import networkx as nx
import pytest

from graphsvc.model import Actor, GraphBatch, Initiative, Need, Resource, Tie
from graphsvc.snapshot import Snapshot, graph_from_store
from graphsvc.store.sqlite import SQLiteStore
from loaders.demo import generate_community


def _structure(G: nx.MultiDiGraph):
    """Everything a reader can see of the graph, in iteration order."""
    return (list(G.nodes(data=True)), list(G.edges(keys=True, data=True)),
            [(n, list(G.pred[n])) for n in G], [(n, list(G.succ[n])) for n in G])


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "graph.db")
    yield s
    s.close()


def test_the_started_graph_is_the_stores_graph_on_the_demo(store):
    store.write(generate_community(400, seed=2))
    G = Snapshot(store).graph()
    assert G.number_of_nodes() > 400 and G.number_of_edges() > 800
    assert _structure(G) == _structure(store.to_networkx())


def test_the_started_graph_keeps_the_odd_rows_as_the_store_builds_them(store):
    prov = {"source": "test", "source_row": 1}
    store.write(GraphBatch(
        actors=[Actor(id="t:a", kind="individual", name="A", district="Nes", provenance=prov),
                Actor(id="t:b", kind="association", name="B", provenance={"source": "other"})],
        initiatives=[Initiative(id="t:i", name="Tiltak", required_categories=["help.transport"],
                                provenance=prov)],
        # offers out of id order, one held by an initiative
        resources=[Resource(id="t:r2", holder="t:a", category="help.transport", provenance=prov),
                   Resource(id="t:r1", holder="t:a", category="social.visit", provenance=prov),
                   Resource(id="t:r0", holder="t:i", category="social.visit", provenance=prov)],
        needs=[Need(id="t:n1", holder="t:b", category="help.transport", provenance=prov)],
        ties=[Tie(source="t:a", target="t:b", kind="MEMBER_OF", strength=0.5, provenance=prov),
              Tie(source="t:a", target="t:b", kind="KNOWS", strength=0.9, provenance=prov),
              Tie(source="t:b", target="t:a", kind="KNOWS", strength=0.2, provenance=prov),
              Tie(source="t:a", target="t:i", kind="PARTICIPATES_IN", provenance=prov)]))
    G = graph_from_store(store)
    assert _structure(G) == _structure(store.to_networkx())
    assert [h["id"] for h in G.nodes["t:a"]["offers"]] == ["t:r1", "t:r2"]


def test_shared_values_do_not_leak_between_rows(store):
    store.write(generate_community(150, seed=4))
    G = graph_from_store(store)
    people = [n for n, d in G.nodes(data=True) if d.get("kind") == "individual"]
    a, b = people[:2]
    assert G.nodes[a]["provenance"] == G.nodes[b]["provenance"]
    G.nodes[a]["district"] = "Et annet sted"  # an edit of one node's attribute dict ...
    assert G.nodes[b]["district"] != "Et annet sted"  # ... is not another's
