"""Derived structures memoised on a snapshot graph (``G.graph``), built once per revision.

Snapshots are never mutated after they are built, so caching on the graph object is safe; a
graph that is mutated must drop the cache with ``G.graph.pop("_cache", None)``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import networkx as nx

T = TypeVar("T")


def cached(G: nx.Graph, name: str, build: Callable[[], T]) -> T:
    store: dict[str, Any] = G.graph.setdefault("_cache", {})
    if name not in store:
        store[name] = build()
    return store[name]


def trust_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of all ties, ``weight = 1 / strength`` of the strongest tie
    between two nodes, so shortest paths prefer strong ties."""

    def build() -> nx.Graph:
        H = nx.Graph()
        H.add_nodes_from(G)
        for u, v, data in G.edges(data=True):
            w = 1.0 / float(data.get("strength", 0.5))
            if not H.has_edge(u, v) or H[u][v]["weight"] > w:
                H.add_edge(u, v, weight=w, kind=data.get("kind"))
        return H

    return cached(G, "trust_graph", build)
