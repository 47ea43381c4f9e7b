"""The compiled engine under the analyses: the snapshot's trust graph as an igraph ``Graph``
(C core), built once per snapshot revision, and the heavy kernels run on it.

Analysis functions keep taking the networkx snapshot and returning plain data; they call the
kernels here, which convert igraph's answers to networkx's definitions (normalisation,
undirected pairs counted once), so results equal networkx's on the classic graphs to 1e-9.

- ``engine(G)``: the igraph graph of the trust graph (``_cache.trust_graph``: one edge per
  pair, its strongest tie) with the node mapping both ways, memoised on the snapshot like
  every derived structure (``_cache.cached``: one per graph object, which
  the snapshot rebuilds when the store's revision moves).
- ``betweenness``: exact or source-sampled cross-group betweenness (igraph's subset
  betweenness, ``sources``/``targets`` per group), with the Hoeffding error bound of the sample.
- ``louvain``: igraph's multilevel (Louvain) modularity optimisation, deterministic per seed.
- ``constraint``: Burt's constraint (igraph's, same definition as networkx's ``constraint``).
- ``components``: connected components.

See docs/analysis/brokers.md for the approximation bound.
"""

from __future__ import annotations

import math
import random
import threading
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import igraph as ig
import networkx as nx
import numpy as np

from graphsvc.analysis._cache import cached

REFINE_UP_TO = 20_000  # nodes; above, Leiden's refinement costs 2.5 s at 100k for +0.003
DELTA = 0.1  # the bound of sampled betweenness holds with probability 1 - DELTA
_RNG_LOCK = threading.Lock()  # igraph's random number generator is process-wide


@dataclass(frozen=True)
class Engine:
    """The trust graph in igraph: vertex ``i`` is ``nodes[i]``; ``index`` maps back.
    ``loops``: nodes with a tie to themselves (left out of ``graph``: it carries no path and
    no constraint; networkx's degree counts it twice)."""

    graph: ig.Graph
    nodes: list[Any]
    index: dict[Any, int]
    loops: frozenset = frozenset()
    # ``graph``'s edge list as an (ecount, 2) array, edge i = row i (igraph's
    # ``get_edgelist()`` builds Python tuples: 0.8 s at 100 000 actors)
    ends: np.ndarray | None = None

    def edges(self) -> np.ndarray:
        """The edge list as an (ecount, 2) int64 array, in edge order."""
        if self.ends is not None:
            return self.ends
        return np.asarray(self.graph.get_edgelist(), dtype=np.int64).reshape(-1, 2)

    def degree(self) -> np.ndarray:
        """Every node's degree in the trust graph, as networkx counts it (a loop twice)."""
        out = np.asarray(self.graph.degree(), dtype=np.int64)
        for x in self.loops:
            out[self.index[x]] += 2
        return out


def engine(G: nx.MultiDiGraph) -> Engine:
    """The snapshot's trust graph (undirected, simple, edge attributes ``strength`` of the
    strongest tie between two nodes and ``weight = 1 / strength``) as igraph, memoised on the
    snapshot.

    Built from ``G``'s adjacency with numpy, not through the networkx trust graph
    (``_cache.trust_graph``), which a cold ``/brokers`` or ``/communities`` then need not
    build at all: at 100 000 actors the two took 4 s together, this takes under 1 s
    (benchmarks/bench_analysis.py, ``igraph_conversion_s``). Edges are ordered by their
    (lower, higher) vertex.

    >>> G = nx.MultiDiGraph([("a", "b"), ("b", "a"), ("b", "c")])
    >>> e = engine(G)
    >>> e.graph.vcount(), e.graph.ecount(), e.nodes[e.index["c"]]
    (3, 2, 'c')
    """

    def build() -> Engine:
        nodes = list(G._node)
        n = len(nodes)
        index = {x: i for i, x in enumerate(nodes)}
        adj = G._adj
        counts = np.fromiter(map(len, adj.values()), dtype=np.int64, count=n)
        ends: list[Any] = []
        strengths: list[float] = []
        for nbrs in adj.values():
            ends.extend(nbrs)
            # a pair's strongest tie (most pairs have one: no max() for them)
            strengths.extend([next(iter(keys.values())).get("strength", 0.5) if len(keys) == 1
                              else max(d.get("strength", 0.5) for d in keys.values())
                              for keys in nbrs.values()])
        i = np.repeat(np.arange(n, dtype=np.int64), counts)
        j = np.fromiter(map(index.__getitem__, ends), dtype=np.int64, count=len(ends))
        s = np.asarray(strengths, dtype=float)
        loops = frozenset(nodes[x] for x in i[i == j].tolist())
        lo, hi = np.minimum(i, j), np.maximum(i, j)
        keep = lo != hi
        lo, hi, s = lo[keep], hi[keep], s[keep]
        code = lo * max(n, 1) + hi
        order = np.lexsort((-s, code))  # each pair's strongest tie (of both directions) first
        first = np.ones(len(order), dtype=bool)
        first[1:] = code[order][1:] != code[order][:-1]
        chosen = order[first]
        ends = np.column_stack((lo[chosen], hi[chosen])).astype(np.int64)
        g = ig.Graph(n=n, edges=ends.tolist(), directed=False)
        g.es["strength"] = s[chosen].tolist()
        g.es["weight"] = (1.0 / s[chosen]).tolist()
        return Engine(g, nodes, index, loops, ends)

    return cached(G, "igraph", build)


def sample_size(n: int, epsilon: float, delta: float = DELTA) -> int:
    """Sources to sample so that every node's betweenness is within ``epsilon`` of the exact
    value with probability ``1 - delta`` (Hoeffding's inequality and a union bound over the
    ``n`` nodes; each source contributes at most ``n / (n - 1)`` to a node's normalised
    estimate).

    >>> sample_size(10_000, 0.1)
    611
    """
    r = n / (n - 1) if n > 1 else 1.0
    return math.ceil(r * r * math.log(2 * n / delta) / (2 * epsilon * epsilon))


def sample_bound(n: int, k: int, delta: float = DELTA) -> float:
    """The ``epsilon`` that ``k`` uniformly sampled sources guarantee (inverse of
    ``sample_size``): ``|estimate - exact| <= epsilon`` for every node at once, with
    probability ``1 - delta``, betweenness normalised like networkx (in [0, 1]).

    >>> round(sample_bound(10_000, 611), 4)
    0.1
    """
    r = n / (n - 1) if n > 1 else 1.0
    return r * math.sqrt(math.log(2 * n / delta) / (2 * k))


def betweenness(
    G: nx.MultiDiGraph, groups: Mapping[Hashable, Hashable] | None = None, *,
    k: int | None = None, seed: int = 0,
) -> tuple[dict[Any, float], dict[str, Any] | None]:
    """Betweenness over shortest paths (in hops) whose two ends are in different groups.

    ``groups``: node → group; pairs in the same group or with an end without a group are not
    counted; ``None`` counts every pair (plain betweenness). ``k``: sampled sources (``None``
    or ``k >= n``: exact). Normalised like networkx (by the (n-1)(n-2)/2 pairs).

    Returns ``(node → betweenness, approximation)``; ``approximation`` is ``None`` when exact,
    else ``{"epsilon", "delta", "samples", "method"}``: with probability at least
    ``1 - delta`` every node's value is within ``epsilon`` of the exact one.

    >>> H = nx.florentine_families_graph()
    >>> ours, approx = betweenness(nx.MultiDiGraph(H))
    >>> theirs = nx.betweenness_centrality(H)
    >>> approx is None and all(abs(ours[n] - theirs[n]) < 1e-9 for n in theirs)
    True
    """
    e = engine(G)
    g, nodes = e.graph, e.nodes
    n = len(nodes)
    sources: Sequence[int] = range(n)
    approximation = None
    if k is not None and k < n:
        sources = sorted(random.Random(seed).sample(range(n), k))
        approximation = {"epsilon": round(sample_bound(n, k), 6), "delta": DELTA,
                         "samples": k, "method": "uniformly sampled sources, Hoeffding bound"}
    total = _sums(g, _labels(nodes, groups), sources, exact=approximation is None)
    return dict(zip(nodes, (total * _scale(n, k if approximation else None)).tolist(),
                    strict=True)), approximation


def _labels(nodes: list[Any], groups: Mapping[Hashable, Hashable] | None) -> np.ndarray | None:
    """Each vertex's group as a number (``-1``: none); ``None`` without groups."""
    if groups is None:
        return None
    codes: dict[Hashable, int] = {}
    return np.array([-1 if groups.get(x) is None else codes.setdefault(groups[x], len(codes))
                     for x in nodes], dtype=np.int64)


def _scale(n: int, k: int | None) -> float:
    """What ``_sums`` is multiplied by: networkx's normalisation, and n / k when ``k`` sources
    were sampled. (igraph counts an undirected pair once in the exact run and half of each
    (source, target) in a subset run, so both sums are over unordered pairs.)"""
    scale = 2.0 / ((n - 1) * (n - 2)) if n > 2 else 1.0
    return scale * n / k if k else scale


def _sums(g: ig.Graph, label: np.ndarray | None, sources: Sequence[int], *, exact: bool
          ) -> np.ndarray:
    """Unnormalised (cross-group) betweenness over shortest paths from ``sources``: plain when
    ``label`` is ``None``, else only paths between vertices of different labels (``-1``: no
    group, no path's end). ``exact``: ``sources`` are all vertices."""
    n = g.vcount()
    degree = g.degree()
    sources = [s for s in sources if degree[s]]  # an isolated source reaches no one
    total = np.zeros(n)
    if label is None:
        if exact:
            total += g.betweenness(directed=False)
        elif sources:
            total += g.betweenness(directed=False, sources=sources)
        return total
    grouped = np.flatnonzero((label >= 0) & (np.asarray(degree) > 0))
    by_group: dict[int, list[int]] = {}
    for s in sources:
        if label[s] >= 0:
            by_group.setdefault(int(label[s]), []).append(s)
    for code, members in by_group.items():
        targets = grouped[label[grouped] != code].tolist()
        if targets:
            total += g.betweenness(directed=False, sources=members, targets=targets)
    return total


# ---- exact betweenness in the background ------------------------------------------------------
# A sampled answer comes first; the exact one is computed in a child process (igraph holds the
# GIL: in a thread it would stall every request of this worker) and memoised on the snapshot
# graph it was asked for, under the key an exact answer has, so the next request gets it.
EXACT_LATER_WORK = 1_000_000_000  # nodes × ties: about 40 s here (10 000 actors: 3·10^8, 12 s)
EXACT_LATER_TIMEOUT_S = 600
CHILD = "from graphsvc.analysis.engine import _exact_child; _exact_child()"
_LATER_LOCK = threading.Lock()


@dataclass
class _Job:
    """The one background job of this process: for ``key`` of the graph whose cache is
    ``store`` (the only reference to that graph it keeps; dropped when cancelled)."""

    key: str
    revision: Any
    store: dict[str, Any] | None
    child: Any = None
    cancelled: bool = False


_JOB: _Job | None = None  # at most one per process: the machine has few cores


def _current_revision(G: nx.MultiDiGraph) -> Any:
    ref = G.graph.get("_snapshot")
    snapshot = ref() if ref is not None else None
    return None if snapshot is None else snapshot.revision


def exact_later(G: nx.MultiDiGraph, groups: Mapping[Hashable, Hashable] | None, key: str
                ) -> bool:
    """Start computing ``betweenness(G, groups)`` exactly in a child process, to be memoised
    on ``G`` under ``key`` (what ``_cache.cached`` reads); ``True`` if that is under way (or
    done). Not for a graph a newer revision has replaced (an answer served stale), not above
    ``EXACT_LATER_WORK`` (nodes × ties), and not while this process computes another answer
    of the same or a newer revision; a job for an older revision is stopped for this one. A
    failed or timed-out child leaves the sampled answer in place."""
    global _JOB
    store = G.graph.setdefault("_cache", {})
    if key in store:
        return True
    revision, current = G.graph.get("revision"), _current_revision(G)
    if revision is not None and current is not None and revision < current:
        return False
    e = engine(G)
    if len(e.nodes) * max(e.graph.ecount(), 1) > EXACT_LATER_WORK:
        return False
    with _LATER_LOCK:
        job = _JOB
        if job is not None and job.store is store and job.key == key:
            return True
        if job is not None:
            if job.revision is None or revision is None or job.revision >= revision:
                return False
            _cancel(job)  # an older revision's: this one is what will be asked for
        job = _JOB = _Job(key, revision, store)
    try:
        threading.Thread(target=_run_later, args=(job, e, _labels(e.nodes, groups)),
                         daemon=True, name=f"exact-betweenness-{key}").start()
    except RuntimeError:  # no thread to be had: no exact answer this time, and no stuck job
        with _LATER_LOCK:
            if _JOB is job:
                _JOB = None
        return False
    return True


def _cancel(job: _Job) -> None:
    """Stop ``job`` (``_LATER_LOCK`` held): its child is killed, its graph let go."""
    job.cancelled = True
    job.store = None
    if job.child is not None and job.child.poll() is None:
        job.child.kill()


def cancel_later() -> None:
    """Stop the background job, if any (the snapshot calls this when it drops its graphs: after
    an erasure no computation may keep the graph with the erased person alive)."""
    global _JOB
    with _LATER_LOCK:
        if _JOB is not None:
            _cancel(_JOB)
            _JOB = None


def _run_later(job: _Job, e: Engine, label: np.ndarray | None) -> None:
    import os
    import pickle
    import subprocess
    import sys

    global _JOB
    # A fresh interpreter on this module, the graph piped in: no fork of a process with
    # threads, no re-import of the caller's main module (multiprocessing's spawn does that),
    # and with -P no module from the working directory in the way
    child = None
    try:
        child = subprocess.Popen([sys.executable, "-P", "-c", CHILD], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        with _LATER_LOCK:
            job.child = child
            if job.cancelled:
                child.kill()
        payload = pickle.dumps((os.getpid(), len(e.nodes), e.edges(), label))
        out, _err = child.communicate(payload, timeout=EXACT_LATER_TIMEOUT_S)
        if child.returncode == 0:
            values = dict(zip(e.nodes, (pickle.loads(out) * _scale(len(e.nodes), None))
                              .tolist(), strict=True))
            with _LATER_LOCK:
                if not job.cancelled and job.store is not None:
                    job.store[job.key] = (values, None)
    except (OSError, EOFError, MemoryError, ValueError, pickle.UnpicklingError,
            subprocess.SubprocessError):
        pass  # no exact answer this time: the sampled one stays
    finally:
        if child is not None and child.poll() is None:
            child.kill()
            child.wait()
        with _LATER_LOCK:
            job.store = None
            if _JOB is job:
                _JOB = None


def _exact_child() -> None:
    """The child (``CHILD``): the exact sums of the graph pickled on stdin (``(parent pid, n,
    edge array, labels)``), pickled to stdout, at a lower priority than the server. It dies
    with its parent (Linux ``PR_SET_PDEATHSIG``) and after ``EXACT_LATER_TIMEOUT_S`` of CPU."""
    import os
    import pickle
    import resource
    import signal
    import sys

    parent, n, ends, label = pickle.loads(sys.stdin.buffer.read())
    try:
        import ctypes

        ctypes.CDLL(None).prctl(1, int(signal.SIGKILL))  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:
        return  # the parent is gone already
    try:
        resource.setrlimit(resource.RLIMIT_CPU, (EXACT_LATER_TIMEOUT_S, EXACT_LATER_TIMEOUT_S + 5))
    except (ValueError, OSError):
        pass
    try:
        os.nice(10)
    except OSError:
        pass
    g = ig.Graph(n=n, edges=ends.tolist(), directed=False)
    sys.stdout.buffer.write(pickle.dumps(_sums(g, label, range(n), exact=True)))


def later_running() -> bool:
    """Whether this process computes an exact betweenness in the background now."""
    return _JOB is not None


def louvain(
    G: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 0,
) -> list[set[Any]]:
    """Louvain communities of the trust graph weighted by tie strength, deterministic for one
    seed; isolated nodes are communities of their own.

    igraph's multilevel (Louvain) result is refined by Leiden until stable (up to
    ``REFINE_UP_TO`` nodes), from a few seeded restarts on small graphs (``restarts``), keeping
    the partition of highest modularity: one Louvain run on a small graph depends on its
    visiting order.

    >>> G = nx.MultiDiGraph([(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)])
    >>> sorted(sorted(c) for c in louvain(G))
    [[1, 2, 3], [4, 5, 6]]
    """
    e = engine(G)
    g = e.graph
    if not g.vcount():  # an empty store: no community (modularity is undefined there)
        return []
    weights = "strength" if g.ecount() else None
    best, best_q = None, -math.inf
    with _RNG_LOCK:
        try:
            for r in range(restarts(g.vcount())):
                ig.set_random_number_generator(random.Random(f"{seed}:{r}"))
                found = g.community_multilevel(weights=weights, resolution=resolution)
                if weights and g.vcount() <= REFINE_UP_TO:
                    found = g.community_leiden(
                        objective_function="modularity", weights=weights,
                        resolution=resolution, n_iterations=-1,
                        initial_membership=found.membership)
                q = g.modularity(found.membership, weights=weights, resolution=resolution)
                if q > best_q + 1e-12:
                    best, best_q = found, q
        finally:
            ig.set_random_number_generator(random)
    return [{e.nodes[i] for i in members} for members in best]


def restarts(n: int) -> int:
    """Seeded Louvain runs: 8 on a small graph, down to 1 from 20 000 nodes (each run at
    10 000 nodes takes about 0.1 s)."""
    return max(1, min(8, 20_000 // max(n, 1)))


def constraint(G: nx.MultiDiGraph) -> dict[Any, float]:
    """Burt's constraint weighted by tie strength, as networkx's ``constraint(weight=
    "strength")``; ``nan`` for a node without ties."""
    e = engine(G)
    if not e.graph.ecount():
        return dict.fromkeys(e.nodes, float("nan"))
    values = e.graph.constraint(weights="strength")
    degree = e.graph.degree()
    return {x: (values[i] if degree[i] else float("nan")) for i, x in enumerate(e.nodes)}


def effective_size(G: nx.MultiDiGraph) -> dict[Any, float]:
    """Burt's effective size weighted by tie strength, as networkx's ``effective_size(weight=
    "strength")``; ``nan`` for a node without ties. igraph has none: the redundancy
    Σ_j Σ_q p_iq m_jq only has terms where i, j, q form a triangle, so it is summed over
    igraph's triangles (C) with numpy.

    >>> H = nx.karate_club_graph()
    >>> G = nx.MultiDiGraph([(u, v, {"strength": d["weight"]}) for u, v, d in H.edges(data=True)])
    >>> ref = nx.effective_size(nx.Graph((u, v, {"s": d["weight"]})
    ...                                  for u, v, d in H.edges(data=True)), weight="s")
    >>> ours = effective_size(G)
    >>> max(abs(ours[n] - ref[n]) for n in ref) < 1e-9
    True
    """
    e = engine(G)
    g, n = e.graph, e.graph.vcount()
    degree = np.asarray(g.degree(), dtype=float)
    if not g.ecount():
        return dict.fromkeys(e.nodes, float("nan"))
    w = np.asarray(g.es["strength"], dtype=float)
    ends = e.edges()
    total = np.zeros(n)
    np.add.at(total, ends[:, 0], w)
    np.add.at(total, ends[:, 1], w)
    top = np.zeros(n)
    np.maximum.at(top, ends[:, 0], w)
    np.maximum.at(top, ends[:, 1], w)
    redundancy = np.zeros(n)
    triangles = np.asarray(g.list_triangles(), dtype=np.int64).reshape(-1, 3)
    if len(triangles):
        a, b, c = triangles.T
        eid = lambda x, y: np.asarray(g.get_eids(np.column_stack((x, y)).tolist()))  # noqa: E731
        ab, ac, bc = w[eid(a, b)], w[eid(a, c)], w[eid(b, c)]
        # ego i, contact j, shared contact q: p_iq * w_jq / top_j, each ordering of a triangle
        redundancy += np.bincount(a, ac * bc / top[b] + ab * bc / top[c], minlength=n)
        redundancy += np.bincount(b, bc * ac / top[a] + ab * ac / top[c], minlength=n)
        redundancy += np.bincount(c, bc * ab / top[a] + ac * ab / top[b], minlength=n)
    with np.errstate(divide="ignore", invalid="ignore"):
        values = np.where(degree > 0, degree - redundancy / total, np.nan)
    return dict(zip(e.nodes, values.tolist(), strict=True))


def components(G: nx.MultiDiGraph) -> list[set[Any]]:
    """Connected components of the trust graph, largest first."""
    e = engine(G)
    found = [{e.nodes[i] for i in c} for c in e.graph.connected_components()]
    return sorted(found, key=lambda c: (-len(c), min(map(str, c))))
