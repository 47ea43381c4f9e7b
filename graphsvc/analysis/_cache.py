"""Derived structures memoised on a snapshot graph (``G.graph``), built once per revision.

Snapshots are never mutated after they are built, so caching on the graph object is safe; a
graph that is mutated must drop the cache with ``G.graph.pop("_cache", None)``.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

T = TypeVar("T")
_LOCK = threading.RLock()


def cached(G: nx.Graph, name: str, build: Callable[[], T]) -> T:
    store: dict[str, Any] = G.graph.setdefault("_cache", {})
    if name in store:
        return store[name]
    with _LOCK:  # API routes run in a thread pool: build each structure once
        if name not in store:
            store[name] = build()
    return store[name]


def trust_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of all ties, ``weight = 1 / strength`` of the strongest tie
    between two nodes (so shortest paths prefer strong ties), with that ``strength`` and
    ``kind``."""

    def build() -> nx.Graph:
        H = nx.Graph()
        H.add_nodes_from(G)
        for u, v, data in G.edges(data=True):
            s = float(data.get("strength", 0.5))
            if not H.has_edge(u, v) or H[u][v]["strength"] < s:
                H.add_edge(u, v, weight=1.0 / s, strength=s, kind=data.get("kind"), source=u)
        return H

    return cached(G, "trust_graph", build)


def offer_index(G: nx.MultiDiGraph) -> dict[str, list[tuple[Any, dict[str, Any]]]]:
    """Category → ``[(holder, offer), ...]``: so a query reads only the offers that can fit."""

    def build():
        index: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
        for node, attrs in G.nodes(data=True):
            for res in attrs.get("offers", ()):
                index.setdefault(res["category"], []).append((node, res))
        return index

    return cached(G, "offer_index", build)


def authority_distance(G: nx.MultiDiGraph, kinds: tuple[str, ...], cutoff: int) -> dict[Any, int]:
    """Hops from every node to its nearest actor of one of ``kinds`` (within ``cutoff``)."""

    def build():
        H = trust_graph(G)
        sources = [n for n, d in G.nodes(data=True) if d.get("kind") in kinds]
        dist = {n: 0 for n in sources}
        frontier = sources
        for hop in range(1, cutoff + 1):
            nxt = []
            for v in frontier:
                for w in H[v]:
                    if w not in dist:
                        dist[w] = hop
                        nxt.append(w)
            frontier = nxt
        return dist

    return cached(G, f"authority_distance:{','.join(kinds)}:{cutoff}", build)
