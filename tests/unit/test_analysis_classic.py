"""Acceptance on the classic social networks shipped with networkx, loaded through our model."""

from __future__ import annotations

from collections import Counter

import networkx as nx

from graphsvc.analysis import brokers, communities, partition
from tests.fixtures.classic import (
    davis_southern_women,
    florentine_families,
    karate_club,
)

# One Louvain resolution for all three (the default 1.0 splits each into 3–4 finer groups).
RESOLUTION = 0.6

# Davis, Gardner & Gardner's own assignment: women 1–9 and women 10–18.
DAVIS_GROUPS = (
    {"evelyn-jefferson", "laura-mandeville", "theresa-anderson", "brenda-rogers",
     "charlotte-mcdowd", "frances-anderson", "eleanor-nye", "pearl-oglethorpe", "ruth-desand"},
    {"verne-sanderson", "myra-liddel", "katherina-rogers", "sylvia-avondale", "nora-fayette",
     "helen-lloyd", "dorothy-murchison", "olivia-carleton", "flora-price"},
)


def test_davis_the_two_known_groups_emerge_as_communities():
    G = davis_southern_women()
    part = partition(G, resolution=RESOLUTION)
    assert len(set(part.values())) == 2
    found = [{w for w in group if part[f"davis:{w}"] == c} for group in DAVIS_GROUPS
             for c in {part[f"davis:{w}"] for w in group}]
    assert found == [DAVIS_GROUPS[0], DAVIS_GROUPS[1]]   # each group lies in one community


def test_davis_women_attending_both_groups_events_rank_as_bridging_brokers():
    G = davis_southern_women()
    part = partition(G, resolution=RESOLUTION)
    both = {w for w in G if G.nodes[w]["kind"] == "individual"
            and len({part[e] for e in G.successors(w)}) == 2}
    out = brokers(G, by="community", resolution=RESOLUTION, kinds=("individual",), top=18)
    ranked = [r["actor"]["id"] for r in out["results"]]
    assert set(ranked[:6]) <= both                       # the top six all attend both sides
    mean_rank = lambda xs: sum(ranked.index(x) for x in xs) / len(xs)
    assert mean_rank(both) < mean_rank(set(ranked) - both)
    assert all(r["groups_reached"] == 2 for r in out["results"][:6])
    assert out["exact"] is True


def test_florentine_medici_rank_first_by_betweenness():
    G = florentine_families()
    for by in ("none", "community"):
        out = brokers(G, by=by, top=3, show_names=True)
        assert out["results"][0]["actor"]["name"] == "Medici"
    plain = brokers(G, by="none", top=1)["results"][0]
    expected = nx.betweenness_centrality(nx.florentine_families_graph())["Medici"]
    assert abs(plain["betweenness"] - expected) < 1e-6


def test_karate_club_the_two_factions():
    G, factions = karate_club()
    part = partition(G, resolution=RESOLUTION)
    assert len(set(part.values())) == 2
    counts = Counter((part[n], factions[n]) for n in G)
    # Each community is one faction; Zachary's known exception (member 8) is the only one.
    agree = sum(max(counts[(c, f)] for f in ("Mr. Hi", "Officer")) for c in set(part.values()))
    assert agree >= 33
    out = communities(G, resolution=RESOLUTION, lang="en")
    assert out["count"] == 2 and [c["size"] for c in out["communities"]] == [18, 16]
