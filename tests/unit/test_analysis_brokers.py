"""Brokers and communities: agreement with networkx, sampling error, silos."""

from __future__ import annotations

import math

import networkx as nx
import pytest

from graphsvc.analysis import (
    brokers,
    communities,
    cross_group_betweenness,
    partition,
    structural_holes,
)
from graphsvc.analysis._cache import trust_graph
from graphsvc.errors import ValidationError
from graphsvc.store.base import RECORD_TYPES, build_graph, record_data


@pytest.fixture(scope="module")
def demo(demo_batch):
    rows = {kind: [record_data(r) for r in getattr(demo_batch, kind)] for kind in RECORD_TYPES}
    return build_graph(**rows)


def test_plain_betweenness_equals_networkx_on_the_demo(demo):
    ours = cross_group_betweenness(demo)
    theirs = nx.betweenness_centrality(nx.Graph(trust_graph(demo)))
    assert max(abs(ours[n] - theirs[n]) for n in theirs) < 1e-9


def test_cross_group_betweenness_counts_only_pairs_in_different_groups():
    # A path a – x – b: x carries the a–b pair only when a and b are in different groups.
    G = nx.MultiDiGraph([("a", "x", "KNOWS"), ("x", "b", "KNOWS")])
    split = cross_group_betweenness(G, {"a": 1, "b": 2, "x": 1})
    same = cross_group_betweenness(G, {"a": 1, "b": 1, "x": 2})
    assert split["x"] == 1.0 and same["x"] == 0.0


def test_sampled_betweenness_is_close_to_exact(demo):
    groups = partition(demo)
    exact = cross_group_betweenness(demo, groups)
    sampled = cross_group_betweenness(demo, groups, k=len(demo) // 3, seed=1)
    top = sorted(exact, key=exact.get, reverse=True)[:10]
    top_sampled = sorted(sampled, key=sampled.get, reverse=True)[:10]
    assert len(set(top) & set(top_sampled)) >= 6
    assert sum(abs(exact[n] - sampled[n]) for n in top) / sum(exact[n] for n in top) < 0.35


def test_constraint_and_effective_size_equal_networkx(demo):
    constraint, effective = structural_holes(demo)
    H = nx.Graph(trust_graph(demo))
    sample = sorted(H, key=str)[::7]
    ref_c = nx.constraint(H, nodes=sample, weight="strength")
    ref_e = nx.effective_size(H, nodes=sample, weight="strength")
    for n in sample:
        if math.isnan(ref_c[n]):
            assert math.isnan(constraint[n])
        else:
            assert math.isclose(constraint[n], ref_c[n], rel_tol=1e-9)
            assert math.isclose(effective[n], ref_e[n], rel_tol=1e-9)


def test_brokers_explain_themselves(demo):
    out = brokers(demo, by="district", top=5, lang="en")
    assert out["count"] == 5 and out["exact"] is True
    first = out["results"][0]
    assert first["explanation"][0].startswith("Betweenness: lies on ")
    assert first["explanation"][0].endswith(" of the shortest paths between different districts")
    assert first["explanation"][1].startswith("Has contacts in ")
    assert first["explanation"][2].startswith("Burt's constraint ")
    scores = [r["betweenness"] for r in out["results"]]
    assert scores == sorted(scores, reverse=True)
    people = brokers(demo, kinds=("individual",), top=3)
    assert all(r["actor"]["name"].startswith("Person ") for r in people["results"])
    with pytest.raises(ValidationError):
        brokers(demo, top=0)


def test_silos_are_communities_with_few_ties_out():
    G = nx.MultiDiGraph()
    # A closed clique (silo) and two open cliques joined by bridging ties.
    for grp in ("s", "a", "b"):
        for i in range(5):
            for j in range(i + 1, 5):
                G.add_edge(f"{grp}{i}", f"{grp}{j}", key="KNOWS", kind="KNOWS", strength=0.9)
    for i in range(3):
        G.add_edge(f"a{i}", f"b{i}", key="KNOWS", kind="KNOWS", strength=0.3)
    for n in G:
        G.nodes[n].update(kind="individual", district=n[0], name=n)
    out = communities(G, lang="en", silo_share=0.1)
    assert out["count"] == 3 and out["silos"] == 1
    silo = next(c for c in out["communities"] if c["silo"])
    assert {m["id"][0] for m in silo["members"]} == {"s"}
    assert silo["explanation"][1] == "Silo: only 0 of 10 ties (0.0 %) leave the community"
    assert silo["name"] == "individuals in s"
    nb = communities(G, silo_share=0.1)
    assert next(c for c in nb["communities"] if c["silo"])["explanation"][1] == (
        "Silo: bare 0 av 10 bånd (0,0 %) går ut av fellesskapet")
    open_ = next(c for c in out["communities"] if not c["silo"])
    assert open_["ties_out"]["bridging"] == 3


def test_an_unknown_grouping_is_refused(demo):
    with pytest.raises(ValidationError, match="unknown grouping 'colour'"):
        brokers(demo, by="colour")
