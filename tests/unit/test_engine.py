"""The compiled engine (igraph) under the analyses gives networkx's answers on the classic
social networks: betweenness, cross-group betweenness, constraint, effective size and
components to 1e-9, communities of at least networkx Louvain's modularity; and the answer says
when betweenness is sampled, with a bound the sample keeps."""

from __future__ import annotations

import importlib
import math

import networkx as nx
import pytest

from graphsvc.analysis import (
    brokers,
    cross_group_betweenness,
    engine,
    partition,
    structural_holes,
)
from graphsvc.analysis._cache import trust_graph

brokers_module = importlib.import_module("graphsvc.analysis.brokers")  # not the function


def _ours(H: nx.Graph, scale: float) -> nx.MultiDiGraph:
    """A classic graph as a snapshot: one KNOWS tie per edge, its weight as strength."""
    G = nx.MultiDiGraph()
    G.add_nodes_from(H)
    for u, v, d in H.edges(data=True):
        G.add_edge(u, v, key="KNOWS", kind="KNOWS", strength=d.get("weight", 1.0) / scale)
    return G


def _classics() -> dict[str, nx.Graph]:
    return {"davis": nx.davis_southern_women_graph(),
            "florentine": nx.florentine_families_graph(),
            "karate": nx.karate_club_graph(),
            "les_miserables": nx.les_miserables_graph()}


CLASSICS = list(_classics())


def _weighted(name: str) -> tuple[nx.Graph, nx.MultiDiGraph]:
    H = _classics()[name]
    scale = max((d.get("weight", 1.0) for *_e, d in H.edges(data=True)), default=1.0)
    for _u, _v, d in H.edges(data=True):
        d["strength"] = d.get("weight", 1.0) / scale
    return H, _ours(H, scale)


def _close(ours: dict, theirs: dict) -> None:
    assert set(ours) == set(theirs)
    worst = max(abs(ours[n] - theirs[n]) for n in theirs)
    assert worst < 1e-9, worst


@pytest.mark.parametrize("name", CLASSICS)
def test_betweenness_equals_networkx(name):
    H, G = _weighted(name)
    ours, approximation = engine.betweenness(G)
    assert approximation is None
    _close(ours, nx.betweenness_centrality(H))  # in hops: the ties' strengths do not count
    _close(cross_group_betweenness(G), nx.betweenness_centrality(H))


def _groups_of(name: str, H: nx.Graph) -> dict:
    if name == "davis":
        return {n: d["bipartite"] for n, d in H.nodes(data=True)}
    if name == "karate":
        return {n: d["club"] for n, d in H.nodes(data=True)}
    # Florentine, Les Misérables: three groups by the name's first letter, some left out
    return {n: ord(str(n)[0]) % 3 for n in H if str(n)[0] not in "AB"}


@pytest.mark.parametrize("name", CLASSICS)
def test_cross_group_betweenness_equals_networkx_subset_betweenness(name):
    """Only paths between different groups count: networkx's subset betweenness from each
    group to the nodes of every other group, summed, normalised by the (n-1)(n-2)/2 pairs."""
    H, G = _weighted(name)
    groups = _groups_of(name, H)
    n = len(H)
    theirs = dict.fromkeys(H, 0.0)
    for g in set(groups.values()):
        inside = [x for x in H if groups.get(x) == g]
        others = [x for x in H if groups.get(x) is not None and groups[x] != g]
        part = nx.betweenness_centrality_subset(H, inside, others, normalized=False)
        for x, b in part.items():
            theirs[x] += b * 2 / ((n - 1) * (n - 2))
    _close(cross_group_betweenness(G, groups), theirs)
    assert max(theirs.values()) > 0.01  # the comparison compares something


@pytest.mark.parametrize("name", CLASSICS)
def test_constraint_and_effective_size_equal_networkx(name):
    H, G = _weighted(name)
    constraint, effective = structural_holes(G)
    _close(constraint, nx.constraint(H, weight="strength"))
    _close(effective, nx.effective_size(H, weight="strength"))


def test_a_node_without_ties_has_no_constraint_nor_effective_size():
    G = _ours(nx.florentine_families_graph(), 1.0)
    G.add_node("alone")
    constraint, effective = structural_holes(G)
    assert math.isnan(constraint["alone"]) and math.isnan(effective["alone"])
    assert not math.isnan(constraint["Medici"])


def test_components_equal_networkx():
    H = nx.disjoint_union_all([nx.karate_club_graph(), nx.florentine_families_graph(),
                               nx.path_graph(3)])
    H = nx.relabel_nodes(H, {n: f"actor-{n}" for n in H})  # ids are not igraph's indices
    H.add_node("alone")
    found = engine.components(_ours(H, 1.0))
    theirs = sorted(nx.connected_components(H), key=lambda c: (-len(c), min(map(str, c))))
    assert found == theirs
    assert [len(c) for c in found] == [34, 15, 3, 1]


@pytest.mark.parametrize("name", CLASSICS)
@pytest.mark.parametrize("resolution", [0.6, 1.0])
def test_communities_reach_networkx_louvain_modularity(name, resolution):
    H, G = _weighted(name)
    theirs = nx.community.louvain_communities(H, weight="strength", resolution=resolution,
                                              seed=0)
    part = partition(G, resolution=resolution, seed=0)
    ours: dict[int, set] = {}
    for node, c in part.items():
        ours.setdefault(c, set()).add(node)
    q = lambda found: nx.community.modularity(H, found, weight="strength",  # noqa: E731
                                              resolution=resolution)
    assert q(list(ours.values())) >= q(theirs) - 0.01
    again = partition(_weighted(name)[1], resolution=resolution, seed=0)
    assert again == part  # deterministic for one seed, on a fresh snapshot


def test_one_conversion_per_snapshot():
    G = _ours(nx.karate_club_graph(), 1.0)
    first = engine.engine(G)
    assert engine.engine(G) is first
    assert first.graph.vcount() == 34 and first.graph.ecount() == 78
    assert [first.nodes[first.index[n]] for n in G] == list(G)
    rebuilt = _ours(nx.karate_club_graph(), 1.0)  # what the snapshot builds after a write
    rebuilt.add_edge(0, 9, key="KNOWS", kind="KNOWS", strength=1.0)
    assert engine.engine(rebuilt).graph.ecount() == 79
    assert trust_graph(rebuilt).number_of_edges() == 79


def test_sampled_betweenness_keeps_its_stated_bound_and_is_unbiased():
    H, G = _weighted("les_miserables")
    exact, _ = engine.betweenness(G)
    n, k = len(H), 25
    runs = [engine.betweenness(G, k=k, seed=seed) for seed in range(40)]
    for estimate, approximation in runs:
        assert approximation["samples"] == k and approximation["delta"] == engine.DELTA
        assert approximation["epsilon"] == pytest.approx(engine.sample_bound(n, k), abs=1e-6)
        assert max(abs(estimate[x] - exact[x]) for x in exact) <= approximation["epsilon"]
    mean = {x: sum(r[0][x] for r in runs) / len(runs) for x in exact}
    assert abs(mean["Valjean"] - exact["Valjean"]) < 0.05 * exact["Valjean"]
    assert engine.betweenness(G, k=n)[1] is None  # every source: exact


def test_sample_size_and_bound_are_inverse():
    for n, eps in [(1000, 0.05), (10_000, 0.1), (100_000, 0.02)]:
        k = engine.sample_size(n, eps)
        assert engine.sample_bound(n, k) <= eps < engine.sample_bound(n, k - 1)


def test_brokers_say_when_they_are_approximate(monkeypatch):
    H, G = _weighted("les_miserables")
    exact = brokers(G, by="none", top=5)
    assert exact["exact"] is True and exact["approximation"] is None
    assert exact["sources"] == len(H)
    monkeypatch.setattr(brokers_module, "default_sources", lambda n, ties: 30)  # a big graph
    G.graph.pop("_cache", None)
    sampled = brokers(G, by="none", top=5)
    assert sampled["exact"] is False and sampled["sources"] == 30
    assert sampled["approximation"]["samples"] == 30
    assert 0 < sampled["approximation"]["epsilon"] < 1
    assert {"by", "exact", "sources", "nodes", "count", "results"} <= set(sampled)
    assert sampled["results"][0]["actor"]["id"] == exact["results"][0]["actor"]["id"]


def test_communities_follow_the_seed_and_only_the_seed():
    from tests.fixtures.graphs import sized_community

    first = partition(sized_community(1500, seed=0), seed=0)
    assert partition(sized_community(1500, seed=0), seed=0) == first  # a fresh snapshot
    assert partition(sized_community(1500, seed=0), seed=1) != first  # the seed is used


def test_an_empty_store_has_no_communities_and_no_bridge_builders():
    """A municipality's first look before any import: answers, not a crash."""
    from graphsvc.analysis import brokers, communities

    empty = nx.MultiDiGraph()
    assert engine.louvain(empty) == []
    assert communities(empty)["count"] == 0
    assert brokers(empty)["results"] == []
