"""Derived structures memoised on a snapshot graph (``G.graph``), built once per revision.

Snapshots are never mutated after they are built, so caching on the graph object is safe; a
graph that is mutated must drop the cache with ``G.graph.pop("_cache", None)``.

When the snapshot applies a write (graphsvc/snapshot.py) it makes a new graph and ``carry``
hands each structure of the old graph's cache to the updater registered for its name
(``@updates("name")``, keyed by the part before the first ``:``), which returns the structure
for the new graph (sharing what did not change, never editing the old one) or ``None``;
structures without an updater (communities, brokers, the igraph conversion, ...) are built
again for the new graph when first asked for.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import networkx as nx

T = TypeVar("T")
_LOCK = threading.RLock()
Updater = Callable[[Any, str, nx.MultiDiGraph, nx.MultiDiGraph, "Delta"], Any]
_UPDATERS: OrderedDict[str, Updater] = OrderedDict()  # in the order they run


@dataclass
class Delta:
    """What one applied write changed, in the terms updaters need."""

    nodes: set = field(default_factory=set)  # added or with changed attributes/holdings
    added: set = field(default_factory=set)
    removed: set = field(default_factory=set)
    pairs: set = field(default_factory=set)  # frozensets of two nodes whose ties changed
    holdings: set = field(default_factory=set)  # nodes whose offers or needs changed
    reordered: bool = False  # the node order changed (a new actor before the initiatives)
    graph: Any = None  # the new graph
    _pos: dict | None = None

    def pos(self) -> dict[Any, int]:
        """Numbers that sort the new graph's nodes in its node order."""
        if self._pos is None:
            self._pos = {n: i for i, n in enumerate(self.graph)}
        return self._pos

    def pairs_nodes(self) -> set:
        """Nodes (of either graph) at either end of a changed tie."""
        return {n for p in self.pairs for n in p}

    def touched(self) -> set:
        """Nodes of the new graph whose attributes or ties changed."""
        out = {n for n in self.nodes if n in self.graph}
        out.update(n for p in self.pairs for n in p if n in self.graph)
        return out


def updates(name: str) -> Callable[[Updater], Updater]:
    """Register how the structure memoised as ``name`` (or ``name:...``) follows a write."""

    def register(fn: Updater) -> Updater:
        _UPDATERS[name] = fn
        return fn

    return register


def carry(old: nx.MultiDiGraph, new: nx.MultiDiGraph, delta: Delta) -> None:
    """Give ``new`` the structures of ``old``'s cache that their updaters can carry over."""
    before = dict(old.graph.get("_cache", {}))
    into: dict[str, Any] = new.graph.setdefault("_cache", {})
    if not (delta.nodes or delta.removed or delta.pairs or delta.holdings or delta.reordered):
        into.update(before)  # nothing in the graph changed (documents only): all still holds
        return
    for prefix, fn in _UPDATERS.items():  # trust graph first: the others read it
        for name, value in before.items():
            if name.split(":", 1)[0] == prefix:
                carried = fn(value, name, old, new, delta)
                if carried is not None:
                    into[name] = carried


def cached(G: nx.Graph, name: str, build: Callable[[], T]) -> T:
    store: dict[str, Any] = G.graph.setdefault("_cache", {})
    if name in store:
        return store[name]
    with _LOCK:  # API routes run in a thread pool: build each structure once
        if name not in store:
            with paused_gc():
                store[name] = build()
    return store[name]


# One pause of the cyclic collector for the whole process (the store and the models pause it
# for large batches too; two counters would let one resume it while the other still builds).
from graphsvc.model import paused_gc  # noqa: E402


def trust_graph(G: nx.MultiDiGraph) -> nx.Graph:
    """Undirected simple graph of all ties, ``weight = 1 / strength`` of the strongest tie
    between two nodes (so shortest paths prefer strong ties), with that ``strength`` and
    ``kind``."""

    def build() -> nx.Graph:
        # What ``H.add_edge(u, v, weight=1/s, strength=s, kind=..., source=u)`` for each tie in
        # ``G.edges`` order, kept when stronger, makes (same dicts, same orders), written
        # into the adjacency directly: networkx's add_edge costs 3 s at 100 000 actors.
        H = nx.Graph()
        H._node.update((n, {}) for n in G._node)
        adj = H._adj
        adj.update((n, {}) for n in G._node)
        for u, nbrs in G._adj.items():
            mine = adj[u]
            for v, keys in nbrs.items():
                for data in keys.values():
                    s = float(data.get("strength", 0.5))
                    edge = mine.get(v)
                    if edge is None:
                        mine[v] = adj[v][u] = {"weight": 1.0 / s, "strength": s,
                                               "kind": data.get("kind"), "source": u}
                    elif edge["strength"] < s:
                        edge.update(weight=1.0 / s, strength=s, kind=data.get("kind"), source=u)
        return H

    return cached(G, "trust_graph", build)


def _strongest(G: nx.MultiDiGraph, a: Any, b: Any, pos: dict[Any, int]) -> dict | None:
    """The trust-graph edge ``build`` makes for ``a``–``b``: the first tie of the greatest
    strength in networkx's edge order (the source earlier in the node order first)."""
    if pos[b] < pos[a]:
        a, b = b, a
    best: dict | None = None
    for u, v in ((a, b), (b, a)) if a != b else ((a, a),):
        for data in G._adj[u].get(v, {}).values():
            s = float(data.get("strength", 0.5))
            if best is None or best["strength"] < s:
                best = {"weight": 1.0 / s, "strength": s, "kind": data.get("kind"), "source": u}
    return best


def _adjacency_order(G: nx.MultiDiGraph, u: Any, nbrs: dict, pos: dict[Any, int]) -> dict:
    """``u``'s trust-graph neighbours in the order ``build`` adds them: by the first tie of
    each pair in networkx's edge order."""
    mine = {w: i for i, w in enumerate(G._adj[u])}

    def first(w: Any) -> tuple[int, int]:
        here = (pos[u], mine[w]) if w in mine else None
        if u in G._adj[w]:
            there = (pos[w], list(G._adj[w]).index(u))
            here = there if here is None or there < here else here
        return here  # type: ignore[return-value]

    return {w: nbrs[w] for w in sorted(nbrs, key=first)}


@updates("trust_graph")
def _carry_trust_graph(H: nx.Graph, _name: str, _old, G: nx.MultiDiGraph, d: Delta) -> nx.Graph:
    """The trust graph of ``G``, sharing every untouched node's adjacency with ``H``."""
    H2 = nx.Graph()
    H2._node = dict(H._node)
    H2._adj = dict(H._adj)
    own: set = set()

    def adj(n: Any) -> dict:
        if n not in own:
            H2._adj[n] = dict(H2._adj[n])
            own.add(n)
        return H2._adj[n]

    for x in d.removed:
        if x in H2._adj:
            for w in list(H2._adj[x]):
                if w != x:
                    adj(w).pop(x, None)
            del H2._node[x], H2._adj[x]
    for x in d.added:
        if x in G and x not in H2._adj:
            H2._node[x], H2._adj[x] = {}, {}
            own.add(x)
    if d.reordered:
        H2._node = {n: H2._node[n] for n in G}
        H2._adj = {n: H2._adj[n] for n in G}
    if d.pairs:
        pos = d.pos()
        resort: set = set()
        for pair in d.pairs:
            a, b = tuple(pair) if len(pair) == 2 else (*pair, *pair)
            if a not in G or b not in G:
                continue
            best = _strongest(G, a, b, pos)
            if best is None:
                if b in H2._adj[a]:
                    adj(a).pop(b)
                    adj(b).pop(a, None)
                continue
            adj(a)[b] = best
            adj(b)[a] = best
            resort.update((a, b))
        for n in resort:
            H2._adj[n] = _adjacency_order(G, n, H2._adj[n], pos)
    return H2


def offer_index(G: nx.MultiDiGraph) -> dict[str, list[tuple[Any, dict[str, Any]]]]:
    """Category → ``[(holder, offer), ...]``: so a query reads only the offers that can fit."""

    def build():
        index: dict[str, list[tuple[Any, dict[str, Any]]]] = {}
        for node, attrs in G.nodes(data=True):
            for res in attrs.get("offers", ()):
                index.setdefault(res["category"], []).append((node, res))
        return index

    return cached(G, "offer_index", build)


@updates("offer_index")
def _carry_offer_index(index: dict, _name: str, old: nx.MultiDiGraph, G: nx.MultiDiGraph,
                       d: Delta) -> dict:
    changed = {n for n in d.holdings | d.removed}
    if not changed:
        return index
    cats = {res["category"] for n in changed for g in (old, G) if n in g
            for res in g._node[n].get("offers", ())}
    out = dict(index)
    pos = d.pos()
    for cat in cats:
        kept = [e for e in index.get(cat, ()) if e[0] not in changed]
        kept += [(n, res) for n in changed if n in G
                 for res in G._node[n].get("offers", ()) if res["category"] == cat]
        kept.sort(key=lambda e: pos[e[0]])  # stable: a holder's offers keep their order
        if kept:
            out[cat] = kept
        else:
            out.pop(cat, None)

    def first(item: tuple[str, list]) -> tuple[int, int]:
        # build() meets the categories in node order, then each node's offers in order
        holder, res = item[1][0]
        return pos[holder], next(i for i, r in enumerate(G._node[holder]["offers"]) if r is res)

    return dict(sorted(out.items(), key=first))


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
