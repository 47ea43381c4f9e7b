"""The overview of a very large community: one cluster per district and actor kind, laid out
district by district, with each district's own layout for drilling down (vis-network freezes
long before 20 000 nodes are readable anyway)."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Hashable

import networkx as nx

from visualisations import encoding as enc
from visualisations.layout import cached, layout_positions

AGGREGATE_FROM = 12_000  # nodes; below this the full map stays interactive


def district_of(G: nx.Graph, node: Hashable) -> str:
    """A node's district, or "" for actors of the whole municipality."""
    return str(G.nodes[node].get("district") or "")


def clusters(G: nx.MultiDiGraph) -> tuple[dict[tuple[str, str], int], Counter]:
    """Actors counted per ``(district, kind)``, and ties counted per pair of clusters.

    >>> G = nx.MultiDiGraph([("a", "b"), ("a", "c")])
    >>> nx.set_node_attributes(G, {"a": "Holmen", "b": "Holmen", "c": "Bakkeli"}, "district")
    >>> nx.set_node_attributes(G, {"a": "individual", "b": "association", "c": "association"},
    ...                        "kind")
    >>> sizes, ties = clusters(G)
    >>> sizes[("Holmen", "association")], ties[(("Bakkeli", "association"),
    ...                                          ("Holmen", "individual"))]
    (1, 1)
    """
    of = {n: (district_of(G, n), str(d.get("kind") or "")) for n, d in G.nodes(data=True)}
    sizes = Counter(of.values())
    ties: Counter = Counter()
    for u, v in G.edges():
        a, b = of[u], of[v]
        if a != b:
            ties[(min(a, b), max(a, b))] += 1
    return dict(sizes), ties


def cluster_positions(
    G: nx.MultiDiGraph, sizes: dict[tuple[str, str], int], ties: Counter, seed: int = 0
) -> dict[tuple[str, str], tuple[float, float]]:
    """Districts placed by a spring layout of the ties between them, each district's kinds in a
    small circle around its centre."""
    D = nx.Graph()
    D.add_nodes_from({d for d, _ in sizes})
    for (a, b), count in ties.items():
        if a[0] != b[0]:
            w = D[a[0]][b[0]]["weight"] + count if D.has_edge(a[0], b[0]) else count
            D.add_edge(a[0], b[0], weight=w)
    centre = layout_positions(D, seed=seed)
    by_district: dict[str, list[str]] = defaultdict(list)
    for d, k in sizes:
        by_district[d].append(k)
    spread = 0.9 / math.sqrt(max(len(by_district), 1))
    pos = {}
    for d, kinds in by_district.items():
        kinds.sort(key=lambda k: enc.KINDS.index(k) if k in enc.KINDS else 99)
        cx, cy = centre[d]
        for i, k in enumerate(kinds):
            a = 2 * math.pi * i / len(kinds)
            r = spread * 0.45 if len(kinds) > 1 else 0.0
            pos[(d, k)] = (cx + r * math.cos(a), cy + r * math.sin(a))
    return pos


def district_layouts(G: nx.MultiDiGraph, seed: int = 0) -> dict[Hashable, tuple[float, float]]:
    """Every node placed within its own district's layout (each district fills [-1, 1]²)."""
    return cached(G, ("districts", seed), lambda: _district_layouts(G, seed))


def _district_layouts(G: nx.MultiDiGraph, seed: int) -> dict[Hashable, tuple[float, float]]:
    members: dict[str, list[Hashable]] = defaultdict(list)
    for n in G:
        members[district_of(G, n)].append(n)
    pos: dict[Hashable, tuple[float, float]] = {}
    for nodes in members.values():
        pos.update(layout_positions(G.subgraph(nodes), seed=seed, iterations=30))
    return pos


def wants_islands(G: nx.MultiDiGraph) -> bool:
    """Whether an overview should group actors by district: they have districts (two or more),
    and too few ties for a force layout to say anything (a map loaded from registers)."""
    named = {district_of(G, n) for n in G} - {""}
    return len(named) >= 2 and G.number_of_edges() < G.number_of_nodes() / 2


def district_islands(G: nx.MultiDiGraph, no_district: str, seed: int = 0,
                     ) -> tuple[dict[Hashable, tuple[float, float]], list[dict[str, object]]]:
    """Every node placed on its district's island (in pixels, y down), islands in a grid by
    name with the actors without a district last; and the islands to draw (centre, radius,
    label)."""
    members: dict[str, list[Hashable]] = defaultdict(list)
    for n in G:
        members[district_of(G, n)].append(n)
    order = sorted(members, key=lambda d: (d == "", d.casefold()))
    step = 85.0  # px between neighbouring actors: room for a label under each
    spread = {d: step * math.sqrt(len(members[d])) * 0.62 for d in order}
    radius = {d: spread[d] + 60.0 for d in order}
    cols = math.ceil(math.sqrt(len(order)))
    cell = 2 * max(radius.values()) + 70
    pos: dict[Hashable, tuple[float, float]] = {}
    islands: list[dict[str, object]] = []
    for i, d in enumerate(order):
        cx, cy = (i % cols) * cell, (i // cols) * cell
        # Sunflower order (golden angle): evenly spread whatever the ties, the organisations
        # of one kind next to each other, the same place on every render.
        nodes = sorted(members[d], key=lambda n: (
            enc.KINDS.index(G.nodes[n].get("kind")) if G.nodes[n].get("kind") in enc.KINDS
            else 99, str(G.nodes[n].get("name") or n)))
        for k, n in enumerate(nodes):
            r = step * math.sqrt(k + 0.5) * 0.62 if len(nodes) > 1 else 0.0
            a = k * 2.399963229728653
            pos[n] = (cx + r * math.cos(a), cy + r * math.sin(a))
        islands.append({"x": round(cx, 1), "y": round(cy, 1), "r": round(radius[d], 1),
                        "label": f"{d or no_district} ({len(members[d])})"})
    return pos, islands
