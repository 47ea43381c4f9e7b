"""The in-memory networkx snapshot the service answers from (DESIGN 3.1).

Rebuilt only when the store's revision has moved, so queries between writes cost no database
round trip. Thread-safe: API routes run in a thread pool.
"""

from __future__ import annotations

import threading

import networkx as nx

from graphsvc.store.base import GraphStore


class Snapshot:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._graph: nx.MultiDiGraph | None = None
        self._revision: int | None = None
        self._lock = threading.Lock()
        self.rebuilds = 0

    def graph(self) -> nx.MultiDiGraph:
        revision = self.store.revision()
        if self._graph is not None and revision == self._revision:
            return self._graph
        with self._lock:
            if self._graph is None or revision != self._revision:
                graph = self.store.to_networkx()
                graph.graph["revision"] = revision
                self._graph, self._revision = graph, revision
                self.rebuilds += 1
            return self._graph
