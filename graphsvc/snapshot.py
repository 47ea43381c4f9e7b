"""The in-memory networkx snapshot the service answers from (DESIGN 3.1), kept current by
applying each write's change set instead of rebuilding (issue 11.1).

A write through this process's store hands its change set to the snapshot (``store.on_write``),
which builds the graph of the new revision as a *new graph object that shares every unchanged
node's dicts* with the previous one (copy-on-write: only touched nodes' attribute and adjacency
dicts are copied, the outer dicts copied shallowly). A reader holding the previous graph keeps a
whole, unchanging graph; readers never take a lock unless the store's revision moved. Derived
structures that are cheap to update (trust graph, offer index, identities, introducers' search
trees) are carried to the new graph entry by entry (``analysis._cache.carry``); the rest are
built again when first asked for. Expensive answers (brokers, communities, gaps) are served from
the previous graph, marked with the revision they were computed for, while a background thread
computes them for the new one (:meth:`Snapshot.settled`).

A full rebuild happens at start, after a write of more than ``FULL_REBUILD_ABOVE`` rows, and
whenever the store's revision moved by more than this process wrote (another worker or process
wrote, a bulk import): correctness first. The functions below read the snapshot for the lists
the API and ``graphsvc list`` share (search, districts, initiatives' coverage).
"""

from __future__ import annotations

import gc
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable
from typing import Any

import networkx as nx

from graphsvc.analysis._cache import Delta, carry
from graphsvc.errors import ValidationError
from graphsvc.privacy import display_name
from graphsvc.store.base import DELETE, DOCUMENTS, ERASE, RECORD_TYPES, RETRACT, GraphStore

# Above this many changed rows a write is applied by a full rebuild (an import): the apply
# costs per row about what the rebuild costs per stored row, and a rebuild is simpler to trust.
FULL_REBUILD_ABOVE = 5_000
# A write of this process reports itself just before its commit and again, with its change
# set, just after. A reader that sees a revision it was not told about while such a write is in
# flight waits for that report (under load the writing thread can wait a second for the
# interpreter), but never on a write begun longer ago than this (one that failed): then the
# revision is another process's, and the graph is rebuilt.
IN_FLIGHT_MAX_S = 5.0


class _Rebuild(Exception):
    """The change set cannot be applied exactly (a case a full rebuild handles): rebuild."""


class Snapshot:
    """The graph of the store's current revision: ``snapshot.graph()``.

    ``rebuilds`` and ``applies`` count full rebuilds and incremental applies (tests and
    benchmarks read them).
    """

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._current: tuple[int, nx.MultiDiGraph] | None = None  # replaced whole, never edited
        self._apply_lock = threading.Lock()  # one rebuild or apply at a time
        self._pending: dict[int, dict[str, Any] | None] = {}  # revision → changes (None: clash)
        self._arrived = threading.Condition(threading.Lock())  # guards _pending, _applying
        self._applying: set[int] = set()  # revisions taken from _pending, being applied
        self._begun: list[float] = []  # when this process's writes in flight began
        self._index: _Index | None = None  # beside the current graph, for the next apply
        self._answers: dict[Any, tuple[int, nx.MultiDiGraph]] = {}  # see settled()
        self._answers_lock = threading.Lock()
        self._answers_from = 0  # no answer of an earlier graph is kept (an erasure came after)
        self._computing: set[Any] = set()
        self.rebuilds = 0
        self.applies = 0
        store.on_write(self._written)

    # ---- reading ------------------------------------------------------------------------
    def graph(self) -> nx.MultiDiGraph:
        """The graph of the store's revision (or a newer one). Never edited once returned."""
        revision = self.store.revision()
        while True:
            current = self._current
            if current is not None and current[0] >= revision:
                return current[1]
            with self._arrived:
                if current is not None and self._ours(current[0], revision):
                    # Writes of this process, applied by their own threads before they
                    # answer: the graph before them is what a read concurrent with those
                    # writes may see, and it is whole; waiting for the apply would make every
                    # reader wait on the writer.
                    return current[1]
                if current is None or not self._in_flight():
                    break
                self._arrived.wait(0.05)  # for the report of the write in flight
        with self._apply_lock:
            self._catch_up(revision)
            return self._current[1]  # type: ignore[index]

    def _ours(self, have: int, revision: int) -> bool:
        """Whether every revision after ``have`` up to ``revision`` is a write this process
        reported (``_arrived`` is held)."""
        return revision - have <= 1000 and all(
            r in self._pending or r in self._applying for r in range(have + 1, revision + 1))

    def _in_flight(self) -> bool:
        """Whether a write of this process began and has not reported (``_arrived`` held)."""
        while self._begun and time.monotonic() - self._begun[0] > IN_FLIGHT_MAX_S:
            self._begun.pop(0)  # a write that failed after it began
        return bool(self._begun)

    @property
    def revision(self) -> int | None:
        return None if self._current is None else self._current[0]

    def settled(self, key: Any, compute: Callable[[nx.MultiDiGraph], dict[str, Any]],
                G: nx.MultiDiGraph | None = None) -> dict[str, Any]:
        """``compute(G)`` for an expensive answer, with ``computed_for_revision`` and ``stale``.

        ``key`` names what ``compute`` builds (e.g. ``("brokers", by, resolution)``). The first
        time, it runs on the current graph. After a write, while nobody has computed it for the
        new revision, the answer comes from the last graph it was computed on (its derived
        structures are still there, so this is fast), marked ``stale``, and a background thread
        computes it for the new graph; the next request after that gets the new answer.
        ``G``: the graph the request reads (default: the current one).
        """
        G = self.graph() if G is None else G
        revision = G.graph["revision"]
        with self._answers_lock:
            last = self._answers.get(key)
            start = last is not None and last[0] < revision and key not in self._computing
            if start:
                self._computing.add(key)
        if last is None:
            answer = compute(G)
            self._settle(key, revision, G)
            return {**answer, "computed_for_revision": revision, "stale": False}
        if last[0] >= revision:
            return {**compute(last[1]), "computed_for_revision": last[0], "stale": False}
        if start:
            threading.Thread(target=self._recompute, args=(key, compute), daemon=True,
                             name=f"snapshot-recompute-{key}").start()
        answer = compute(last[1])
        return {**answer, "computed_for_revision": last[0], "stale": True}

    def _forget_answers(self, revision: int) -> None:
        """Serve no expensive answer from a graph before ``revision`` (and keep no such graph
        alive for one, not even in a background computation): the next request computes on
        the current graph."""
        from graphsvc.analysis.engine import cancel_later

        with self._answers_lock:
            self._answers.clear()
            self._answers_from = max(self._answers_from, revision)
        cancel_later()

    def _settle(self, key: Any, revision: int, G: nx.MultiDiGraph) -> None:
        with self._answers_lock:
            last = self._answers.get(key)
            if revision >= self._answers_from and (last is None or last[0] <= revision):
                self._answers[key] = (revision, G)

    def _recompute(self, key: Any, compute: Callable[[nx.MultiDiGraph], Any]) -> None:
        try:
            G = self.graph()
            compute(G)
            self._settle(key, G.graph["revision"], G)
        except Exception:  # noqa: BLE001 - the request that asks next computes it and says why
            pass
        finally:
            with self._answers_lock:
                self._computing.discard(key)

    # ---- writes reported by the store -----------------------------------------------------
    def _written(self, revision: int | None, changes: dict[str, Any]) -> None:
        if revision is None:  # about to commit
            with self._arrived:
                self._begun.append(time.monotonic())
            return
        with self._arrived:
            if self._begun and DELETE not in changes:  # delete_actor reports only after
                self._begun.pop(0)
        if DELETE in changes or ERASE in changes:
            self._forget_answers(revision)  # an erased person is in no answer, not a stale one
        if self._current is None:  # nothing built yet: the first read builds it all
            return
        with self._arrived:
            # Two writes claiming one revision (delete_actor reads it after the fact): neither
            # can be trusted, so that revision is rebuilt.
            self._pending[revision] = None if revision in self._pending else changes
            self._arrived.notify_all()
        with self._apply_lock:  # the write answers once its change is in the snapshot
            try:
                self._catch_up(revision)
            except Exception:  # noqa: BLE001 - the write is committed; a reader retries
                pass

    def _catch_up(self, revision: int) -> None:
        """Bring the graph to ``revision`` or later (the apply lock is held)."""
        while True:
            current = self._current
            if current is not None and current[0] >= revision:
                return
            if current is None:
                self._rebuild()
                return
            wanted = current[0] + 1
            with self._arrived:
                found = wanted in self._pending
                changes = self._pending.pop(wanted, None)
                self._applying.add(wanted)
            try:
                if not found or changes is None or _size(changes) > FULL_REBUILD_ABOVE:
                    self._rebuild()
                    return
                try:
                    G = self._apply(current[1], changes, wanted)
                except _Rebuild:
                    self._rebuild()
                    return
                self._current = (wanted, G)
                self.applies += 1
            finally:
                with self._arrived:
                    self._applying.discard(wanted)

    def _rebuild(self) -> None:
        for _attempt in range(3):  # a write between reading the revision and the rows
            revision = self.store.revision()
            G = graph_from_store(self.store)
            if self.store.revision() == revision:
                break
        G.graph["revision"] = revision
        G.graph["_snapshot"] = weakref.ref(self)  # for settled(G, ...); edits copy it on
        self._index = _Index(G)
        # What changed is unknown (another process wrote, or a bulk import): it may have erased
        # someone, so no answer of an earlier graph is served, even marked stale.
        self._forget_answers(revision)
        with self._arrived:
            for r in [r for r in self._pending if r <= revision]:
                del self._pending[r]
        self._current = (revision, G)
        self.rebuilds += 1

    def _apply(self, old: nx.MultiDiGraph, changes: dict[str, Any], revision: int
               ) -> nx.MultiDiGraph:
        edit = _Edit(old, self._index)  # type: ignore[arg-type]
        try:
            edit.apply(changes)
        except _Rebuild:
            raise
        except Exception as exc:  # noqa: BLE001 - never serve a half-applied graph
            raise _Rebuild() from exc
        G = edit.G
        G.graph["revision"] = revision
        try:
            carry(old, G, edit.delta)
        except Exception:  # noqa: BLE001 - an updater's slip costs a rebuild of the structures,
            G.graph["_cache"] = {}  # never a wrong one
        return G


def graph_from_store(store: GraphStore) -> nx.MultiDiGraph:
    """The graph ``store.to_networkx()`` gives (``build_graph``'s: same nodes, edges,
    attributes and order), built faster and smaller for the snapshot's start.

    The store's rows are streamed and each decoded row becomes the node's or edge's attribute
    dict itself (``build_graph`` copies every row and adds it through networkx's ``add_node``
    and ``add_edge``); the row dicts' keys and their repeated values (kinds, districts,
    kommune numbers, categories, provenance) are shared, so 100 000 actors with 300 000 ties
    take about half the memory; the cyclic garbage collector is held off meanwhile (each of the
    millions of new dicts would otherwise be scanned again and again, though none is garbage).
    Measured in benchmarks/bench_snapshot.py (``start``).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _graph_from_rows({kind: store._all(kind) for kind in RECORD_TYPES})
    finally:
        if enabled:
            gc.enable()


_SHARED_FIELDS = frozenset({"kind", "district", "kommunenummer", "category", "urgency",
                            "age_band", "background", "source", "level"})


def _graph_from_rows(rows: dict[str, Any]) -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    node, succ, pred = G._node, G._succ, G._pred
    keys: dict[str, str] = {}  # one str object per field name and per repeated value
    values: dict[Any, Any] = {}
    provenances: dict[tuple, dict] = {}

    def compact(row: dict[str, Any]) -> dict[str, Any]:
        out = {}
        for k, v in row.items():
            k = keys.setdefault(k, k)
            if k in _SHARED_FIELDS and type(v) is str:
                v = values.setdefault(v, v)
            elif k == "provenance" and type(v) is dict:
                try:  # the types too: {"row": 1} and {"row": True} are equal keys
                    shape = tuple((f, type(x), x) for f, x in v.items())
                    v = provenances.setdefault(shape, v)
                except TypeError:  # a value that cannot be a key: keep the row's own
                    pass
            out[k] = v
        return out

    def add_node(n: Any, attrs: dict[str, Any]) -> None:
        if n in succ:  # as networkx's add_node: the attributes are updated
            node[n].update(attrs)
        else:
            succ[n], pred[n], node[n] = {}, {}, attrs

    for row in rows["actors"]:
        row = compact(row)
        n = row.pop("id")
        add_node(n, {"node_type": "actor", "offers": [], "needs": [], **row})
    for row in rows["initiatives"]:
        row = compact(row)
        n = row.pop("id")
        add_node(n, {"node_type": "initiative", "kind": "initiative", "offers": [],
                     "needs": [], **row})
    for attr, kind in (("offers", "resources"), ("needs", "needs")):
        for row in sorted(map(compact, rows[kind]), key=lambda r: r["id"]):
            if row["holder"] in node:
                node[row["holder"]][attr].append(row)
    for row in rows["ties"]:
        row = compact(row)
        u, v = row.pop("source"), row.pop("target")
        for x in (u, v):
            if x not in succ:  # as add_edge: a bare node
                succ[x], pred[x], node[x] = {}, {}, {}
        key = row["kind"]
        keydict = succ[u].get(v)
        if keydict is None:
            keydict = succ[u][v] = {key: row}
            pred[v][u] = keydict
        elif key in keydict:
            keydict[key].update(row)
        else:
            keydict[key] = row
    return G


def settled(G: nx.MultiDiGraph, key: Any, compute: Callable[[nx.MultiDiGraph], dict[str, Any]]
            ) -> dict[str, Any]:
    """``compute(G)`` with ``computed_for_revision`` and ``stale``: through the snapshot ``G``
    came from (:meth:`Snapshot.settled`), so an expensive answer need not wait for a
    recompute after a write; a graph from elsewhere is simply computed."""
    ref = G.graph.get("_snapshot")
    snapshot = ref() if ref is not None else None
    if snapshot is None:
        return {**compute(G), "computed_for_revision": G.graph.get("revision"), "stale": False}
    return snapshot.settled(key, compute, G)


def _size(changes: dict[str, Any]) -> int:
    return sum(len(rows) for kind, rows in changes.items() if kind != DOCUMENTS)


class _Index:
    """What the snapshot keeps beside its graph to apply writes: who holds each offer and
    need, and each node's place in ``build_graph``'s order as a number (actors first, then
    initiatives, then nodes only a tie made; each in the store's order, new ones last)."""

    STEP = 1 << 40

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self.holders: dict[tuple[str, str], Any] = {
            (attr, h["id"]): n for n, d in G.nodes(data=True)
            for attr in ("offers", "needs") for h in d.get(attr, ())}
        self.order: dict[Any, int] = {}
        for i, (n, d) in enumerate(G.nodes(data=True)):
            self.order[n] = i + self._band(d.get("node_type"))
        self._next = {t: len(G) + self._band(t) for t in ("actor", "initiative")}

    def _band(self, node_type: str | None) -> int:
        return {"actor": 0, "initiative": self.STEP}.get(node_type or "", 2 * self.STEP)

    def place(self, n: Any, node_type: str) -> None:
        self.order[n] = self._next[node_type]
        self._next[node_type] += 1


class _Edit:
    """The next revision's graph from ``old`` and a change set, sharing what did not change.

    Exactly the graph ``build_graph`` makes from the stored rows (same nodes, edges,
    attributes and iteration order: actors, then initiatives, each in the store's order; a
    node's offers and needs sorted by id), or ``_Rebuild`` for a case only a rebuild gets right.
    """

    def __init__(self, old: nx.MultiDiGraph, index: _Index) -> None:
        G = old.__class__()
        G.graph.update((k, v) for k, v in old.graph.items() if k != "_cache")
        G._node = dict(old._node)
        G._adj = dict(old._adj)  # also G._succ
        G._pred = dict(old._pred)
        self.G, self.old, self.index, self.holders = G, old, index, index.holders
        self._own_node: set[Any] = set()  # nodes whose dicts in G are copies of their own
        self._own_succ: set[Any] = set()
        self._own_pred: set[Any] = set()
        self._own_keys: set[tuple[Any, Any]] = set()
        self.delta = Delta(_pos=index.order)
        self._new_actor = False

    # ---- copy on write ------------------------------------------------------------------
    def _attrs(self, n: Any) -> dict[str, Any]:
        if n not in self._own_node:
            self.G._node[n] = dict(self.G._node[n])
            self._own_node.add(n)
        return self.G._node[n]

    def _succ(self, n: Any) -> dict[Any, Any]:
        if n not in self._own_succ:
            self.G._adj[n] = dict(self.G._adj[n])
            self._own_succ.add(n)
        return self.G._adj[n]

    def _pred(self, n: Any) -> dict[Any, Any]:
        if n not in self._own_pred:
            self.G._pred[n] = dict(self.G._pred[n])
            self._own_pred.add(n)
        return self.G._pred[n]

    def _keys(self, u: Any, v: Any) -> dict[str, Any]:
        """The writable key dict of ``u → v`` (one dict, in ``u``'s successors and ``v``'s
        predecessors alike, as networkx keeps it)."""
        succ = self._succ(u)
        keys = succ.get(v)
        if keys is None or (u, v) not in self._own_keys:
            keys = dict(keys or {})
            succ[v] = keys
            self._pred(v)[u] = keys
            self._own_keys.add((u, v))
        return keys

    # ---- the change set ---------------------------------------------------------------------
    def apply(self, changes: dict[str, Any]) -> None:
        G, d = self.G, self.delta
        for node_id, _ in changes.get(DELETE, ()):
            if node_id in G:
                if G._node[node_id].get("node_type") is None:
                    raise _Rebuild()
                self._remove_node(node_id)
        for node_id, _ in changes.get(ERASE, ()):  # as the store erases: actors go, an
            if node_id not in G:                   # initiative keeps its node
                continue
            if G._node[node_id].get("node_type") is None:  # a node only a tie made
                raise _Rebuild()
            if G._node[node_id].get("node_type") == "actor":
                self._remove_node(node_id)
            else:
                self._unlink(node_id)
                self._drop_holdings(node_id)
        for resource_id, _ in changes.get(RETRACT, ()):
            self._drop_holding("offers", resource_id)
        for kind in RECORD_TYPES:
            for _key, data in changes.get(kind, ()):
                getattr(self, f"_upsert_{kind}")(data)
        if self._new_actor:
            # build_graph adds every actor before any initiative: a new actor goes after the
            # last actor, not at the end (sorting what is sorted but for a tail is quick)
            order = sorted(G._node, key=self.index.order.__getitem__)
            if order != list(G._node):
                G._node = {n: G._node[n] for n in order}
                G._adj = {n: G._adj[n] for n in order}
                G._pred = {n: G._pred[n] for n in order}
                d.reordered = True
        d.graph = G

    def _remove_node(self, n: Any) -> None:
        G, d = self.G, self.delta
        self._unlink(n)
        self._drop_holdings(n)
        del G._node[n], G._adj[n], G._pred[n]
        self.index.order.pop(n, None)
        d.removed.add(n)

    def _unlink(self, n: Any) -> None:
        """Remove every tie of ``n`` (both directions)."""
        G, d = self.G, self.delta
        for v in list(G._adj[n]):
            d.pairs.add(frozenset((n, v)))
            if v != n:
                self._pred(v).pop(n, None)
        for u in list(G._pred[n]):
            d.pairs.add(frozenset((n, u)))
            if u != n:
                self._succ(u).pop(n, None)
        G._adj[n], G._pred[n] = {}, {}
        self._own_succ.add(n)
        self._own_pred.add(n)

    def _drop_holdings(self, n: Any) -> None:
        attrs = self.G._node[n]
        for attr in ("offers", "needs"):
            if attrs.get(attr):
                for h in attrs[attr]:
                    self.holders.pop((attr, h["id"]), None)
                self._attrs(n)[attr] = []
                self.delta.holdings.add(n)
                self.delta.nodes.add(n)

    def _drop_holding(self, attr: str, holding_id: str) -> None:
        holder = self.holders.pop((attr, holding_id), None)
        if holder is None or holder not in self.G:
            return
        attrs = self._attrs(holder)
        attrs[attr] = [h for h in attrs[attr] if h["id"] != holding_id]
        self.delta.holdings.add(holder)
        self.delta.nodes.add(holder)

    def _upsert_node(self, data: dict[str, Any], node_type: str, extra: dict[str, Any]) -> None:
        G, d = self.G, self.delta
        data = dict(data)
        n = data.pop("id")
        if n in G:
            attrs = G._node[n]
            if attrs.get("node_type") != node_type:  # an id both actor and initiative
                raise _Rebuild()
            G._node[n] = {"node_type": node_type, **extra, "offers": attrs["offers"],
                          "needs": attrs["needs"], **data}
            self._own_node.add(n)
        else:
            G._node[n] = {"node_type": node_type, **extra, "offers": [], "needs": [], **data}
            G._adj[n], G._pred[n] = {}, {}
            self._own_node.add(n)
            self._own_succ.add(n)
            self._own_pred.add(n)
            d.added.add(n)
            self.index.place(n, node_type)
            self._new_actor |= node_type == "actor"
        d.nodes.add(n)

    def _upsert_actors(self, data: dict[str, Any]) -> None:
        self._upsert_node(data, "actor", {})

    def _upsert_initiatives(self, data: dict[str, Any]) -> None:
        self._upsert_node(data, "initiative", {"kind": "initiative"})

    def _upsert_holding(self, attr: str, data: dict[str, Any]) -> None:
        holder = data["holder"]
        if holder not in self.G:  # a row build_graph would leave out: rare, let it decide
            raise _Rebuild()
        self._drop_holding(attr, data["id"])
        attrs = self._attrs(holder)
        attrs[attr] = sorted([*attrs[attr], dict(data)], key=lambda h: h["id"])
        self.holders[(attr, data["id"])] = holder
        self.delta.holdings.add(holder)
        self.delta.nodes.add(holder)

    def _upsert_resources(self, data: dict[str, Any]) -> None:
        self._upsert_holding("offers", data)

    def _upsert_needs(self, data: dict[str, Any]) -> None:
        self._upsert_holding("needs", data)

    def _upsert_ties(self, data: dict[str, Any]) -> None:
        data = dict(data)
        u, v = data.pop("source"), data.pop("target")
        if u not in self.G or v not in self.G:  # build_graph would add a bare node
            raise _Rebuild()
        self._keys(u, v)[data["kind"]] = data
        self.delta.pairs.add(frozenset((u, v)))


# ---- reading the snapshot: what the API's lists and ``graphsvc list`` share ----------------

# Letters NFKD does not take apart (ø, æ are letters of their own), folded so that "Tromoya"
# finds "Tromøya"; å, é, ü … lose their marks through NFKD.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l"})


def search_key(text: str) -> str:
    """``text`` folded for search: case- and diacritics-insensitive.

    >>> search_key("Tromøya FRIVILLIGSENTRAL") == search_key("tromoya frivilligsentral")
    True
    >>> search_key("Sørbø Ålesund")
    'sorbo alesund'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def known_district(G: nx.MultiDiGraph, district: str) -> str:
    """The district as the graph spells it (case-insensitive), or a ``ValidationError`` that
    lists the known ones: a misspelt district must not silently answer "nothing there"."""
    known = sorted({str(d["district"]) for _n, d in G.nodes(data=True) if d.get("district")})
    for name in known:
        if name.casefold() == district.casefold():
            return name
    shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
    raise ValidationError("error.unknown_district", district=district, fill={"known": shown})


def select_nodes(
    G: nx.MultiDiGraph, node_type: str, *, kind: str | None = None,
    district: str | None = None, q: str | None = None, show_names: bool = False,
) -> list[str]:
    """Ids of the actors or initiatives (``node_type``) matching every filter given, sorted.
    ``q`` is part of the name as shown: an individual is found by name only when names are
    shown, else by pseudonym."""
    wanted = search_key(q) if q else None
    found = []
    for n, d in G.nodes(data=True):
        if d.get("node_type") != node_type or (kind and d.get("kind") != kind):
            continue
        if district and d.get("district") != district:
            continue
        if wanted and wanted not in search_key(display_name(n, d, show_names)):
            continue
        found.append(n)
    return sorted(found)


def participants(G: nx.MultiDiGraph, initiative: str) -> list[str]:
    """Actors with a ``PARTICIPATES_IN`` tie to the initiative, sorted."""
    return sorted({u for u, _v, k in G.in_edges(initiative, keys=True)
                   if k == "PARTICIPATES_IN" and G.nodes[u].get("node_type") == "actor"})


def coverage(G: nx.MultiDiGraph, initiative: str) -> tuple[dict[str, list[str]], list[str]]:
    """Which of the initiative's required categories its participants offer (category → who
    offers it), and which none of them does, in the initiative's order."""
    offered: dict[str, list[str]] = {}
    for actor in participants(G, initiative):
        for held in G.nodes[actor].get("offers", ()):
            offered.setdefault(held["category"], []).append(actor)
    required = list(G.nodes[initiative].get("required_categories", []))
    covered = {c: sorted(set(offered[c])) for c in required if c in offered}
    return covered, [c for c in required if c not in offered]
