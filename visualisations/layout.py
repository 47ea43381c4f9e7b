"""Where nodes go: a force layout that scales without scipy (``layout_positions``) and the ABCD
ring layout of an ego or initiative map (``ring_layout``). Pure functions, no drawing."""

from __future__ import annotations

import math
import random
import threading
import weakref
from collections import Counter, deque
from collections.abc import Callable, Hashable
from typing import Any

import networkx as nx
import numpy as np

# ABCD layers around a focus: the community's own people and associations near, the
# institutions, volunteer centres, municipality and businesses outside.
RING_OF_KIND = {
    "individual": 1,
    "association": 1,
    "institution": 2,
    "frivilligsentral": 2,
    "municipality": 2,
    "business": 2,
    "initiative": 2,
}
_BANDS = {1: (0.30, 0.56), 2: (0.68, 1.0)}  # inner and outer radius of each layer


def abcd_ring(kind: str | None) -> int:
    """The ring of an actor kind around a focus: 1 (near) or 2 (outside).

    >>> abcd_ring("association"), abcd_ring("frivilligsentral"), abcd_ring("unknown")
    (1, 2, 2)
    """
    return RING_OF_KIND.get(str(kind), 2)


def ring_layout(
    G: nx.Graph, focus: Hashable, *, gap: float = 0.045
) -> tuple[dict[Hashable, tuple[float, float]], list[tuple[int, float]]]:
    """Positions for an ABCD ring map: ``focus`` in the centre, individuals and associations in
    the inner ring, institutions and frivilligsentraler in the outer ring; crowded rings split
    into concentric sub-rings at least ``gap`` apart. Inner nodes sit at the angle of the outer
    nodes they are tied to, so ties stay short. Returns the positions (within the unit disc) and
    the rings as ``(ring, radius)`` for drawing guides.

    >>> G = nx.Graph([("f", "a"), ("f", "i"), ("a", "i")])
    >>> nx.set_node_attributes(G, {"f": "initiative", "a": "association",
    ...                            "i": "institution"}, "kind")
    >>> pos, rings = ring_layout(G, "f")
    >>> pos["f"], round(math.hypot(*pos["a"]), 2) < round(math.hypot(*pos["i"]), 2)
    ((0.0, 0.0), True)
    """
    pos: dict[Hashable, tuple[float, float]] = {focus: (0.0, 0.0)}
    degree = dict(G.degree())
    layers: dict[int, list[Hashable]] = {1: [], 2: []}
    for n in G:
        if n != focus:
            layers[abcd_ring(G.nodes[n].get("kind"))].append(n)
    guides: list[tuple[int, float]] = []
    angle: dict[Hashable, float] = {}
    # Outer ring first, grouped by kind, the best connected in the middle of their group.
    outer = sorted(layers[2], key=lambda n: (str(G.nodes[n].get("kind")), -degree[n], str(n)))
    for ring, members in ((2, outer), (1, _by_anchor(G, layers[1], angle))):
        if not members:
            continue
        placed, radii = _place_band(members, _BANDS[ring], gap)
        pos.update(placed)
        angle.update({n: math.atan2(y, x) for n, (x, y) in placed.items()})
        guides.append((ring, sum(radii) / len(radii)))
    return pos, sorted(guides)


def _by_anchor(G: nx.Graph, members: list[Hashable], angle: dict[Hashable, float]) -> list:
    """Inner-ring nodes ordered by the mean angle of their already placed neighbours
    (associations first, so people can follow them), unanchored ones spread between."""
    want: dict[Hashable, float] = {}
    ordered = sorted(members, key=lambda n: (G.nodes[n].get("kind") != "association", str(n)))
    for n in ordered:
        known = {**angle, **want}
        xs = [math.cos(known[m]) for m in G[n] if m in known]
        ys = [math.sin(known[m]) for m in G[n] if m in known]
        if xs:
            want[n] = math.atan2(sum(ys), sum(xs))
    loose = [n for n in ordered if n not in want]
    for i, n in enumerate(loose):
        want[n] = -math.pi + 2 * math.pi * (i + 0.5) / len(loose)
    return sorted(members, key=lambda n: (want[n], str(n)))


def _place_band(
    members: list[Hashable], band: tuple[float, float], gap: float
) -> tuple[dict[Hashable, tuple[float, float]], list[float]]:
    """Members in order around one or more concentric circles within ``band``."""
    lo, hi = band
    k = 1
    while k < 8:
        radii = [lo + (hi - lo) * (i + 0.5) / k for i in range(k)] if k > 1 else [(lo + hi) / 2]
        if sum(2 * math.pi * r / gap for r in radii) >= len(members):
            break
        k += 1
    else:
        radii = [lo + (hi - lo) * (i + 0.5) / k for i in range(k)]
    n = len(members)
    out = {}
    for i, node in enumerate(members):
        r = radii[i % len(radii)]
        a = -math.pi / 2 + 2 * math.pi * i / n  # start at the top, clockwise on screen
        out[node] = (r * math.cos(a), r * math.sin(a))
    return out, radii


# ---- force layout ------------------------------------------------------------------------------


_DENSE_MAX = 450  # networkx's spring layout needs scipy from 500 nodes on; we do without it.
_GOLDEN_ANGLE = math.pi * (3 - math.sqrt(5))


_CACHE: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def cached(G: nx.Graph, key: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()`` once per graph object and ``key``: the service hands every request the same
    snapshot graph until the store changes, and a 20 000-node layout takes seconds. The graph's
    size is part of the key, so a graph changed in place is laid out again."""
    full = (*key, G.number_of_nodes(), G.number_of_edges())
    with _CACHE_LOCK:
        hit = _CACHE.get(G, {}).get(full)
    if hit is None:
        hit = compute()
        with _CACHE_LOCK:
            _CACHE.setdefault(G, {})[full] = hit
    return hit


def layout_positions(
    G: nx.Graph, *, seed: int = 0, iterations: int = 80
) -> dict[Hashable, tuple[float, float]]:
    """Deterministic 2-D positions: the main component fills [-1, 1]², smaller components and
    isolated actors go in rows below it.

    Up to a few hundred nodes this is networkx's spring layout. Beyond, the best connected
    nodes get a spring layout and the rest fan out around the neighbour that reached them, which
    keeps big graphs linear in time and memory.

    >>> pos = layout_positions(nx.path_graph(5), seed=1)
    >>> pos == layout_positions(nx.path_graph(5), seed=1)
    True
    >>> all(-1 <= x <= 1 and y <= 1 for x, y in pos.values())
    True
    """
    if G.number_of_nodes() > _DENSE_MAX:
        return cached(G, ("layout", seed, iterations),
                      lambda: _layout_positions(G, seed, iterations))
    return _layout_positions(G, seed, iterations)


def _layout_positions(G: nx.Graph, seed: int, iterations: int) -> dict:
    H = nx.Graph()
    H.add_nodes_from(G)
    for u, v, d in G.edges(data=True):
        if u != v:
            w = float(d.get("strength", 0.5) or 0.5)
            if not H.has_edge(u, v) or H[u][v]["weight"] < w:
                H.add_edge(u, v, weight=w)
    if len(H) == 0:
        return {}
    comps = sorted(
        (sorted(c, key=str) for c in nx.connected_components(H)), key=lambda c: (-len(c), str(c[0]))
    )
    main = _component_layout(H.subgraph(comps[0]), seed, iterations)
    rest = [c for c in comps[1:] if len(c) > 1]
    isolates = [c[0] for c in comps[1:] if len(c) == 1]
    return _pack(main, [_component_layout(H.subgraph(c), seed, iterations) for c in rest], isolates)


def _component_layout(
    H: nx.Graph, seed: int, iterations: int = 80
) -> dict[Hashable, tuple[float, float]]:
    if len(H) == 1:
        return {next(iter(H)): (0.0, 0.0)}
    if len(H) <= _DENSE_MAX:
        pos = nx.spring_layout(H, seed=seed, iterations=iterations, weight="weight")
    else:
        pos = _skeleton_layout(H, seed)
    return _normalise({n: (float(p[0]), float(p[1])) for n, p in pos.items()})


def _skeleton_layout(H: nx.Graph, seed: int) -> dict[Hashable, Any]:
    """Spring-lay the best connected nodes, fan the rest out around the node that reached them,
    then let every node settle a little (``_refine``)."""
    degree = dict(H.degree())
    core = sorted(H, key=lambda n: (-degree[n], str(n)))[:_DENSE_MAX]
    # Every node joins the cell of its nearest core node; core nodes whose cells touch are
    # linked, so the core is as connected as the graph and lays out like it.
    cell = {n: n for n in core}
    parent: dict[Hashable, Hashable] = {}
    reached: list[Hashable] = []
    queue = deque(core)
    while queue:
        u = queue.popleft()
        for v in sorted(H[u], key=str):
            if v not in cell:
                cell[v], parent[v] = cell[u], u
                reached.append(v)
                queue.append(v)
    C = nx.Graph()
    C.add_nodes_from(core)
    C.add_edges_from((cell[u], cell[v]) for u, v in H.edges() if cell[u] != cell[v])
    pos = {
        n: (float(p[0]), float(p[1]))
        for n, p in nx.spring_layout(C, seed=seed, iterations=100).items()
    }
    step = 0.25 * 2 / math.sqrt(len(H))
    rng = random.Random(seed)
    fans: Counter[Hashable] = Counter()
    for child in reached:
        p = parent[child]
        i = fans[p]
        fans[p] += 1
        angle = i * _GOLDEN_ANGLE + rng.random() * 0.3
        r = step * math.sqrt(i + 1)
        pos[child] = (pos[p][0] + r * math.cos(angle), pos[p][1] + r * math.sin(angle))
    return _refine(H, _normalise(pos), seed)


def _refine(
    H: nx.Graph, pos: dict[Hashable, tuple[float, float]], seed: int, iterations: int = 40,
    sample: int = 40,
) -> dict[Hashable, tuple[float, float]]:
    """Fruchterman–Reingold steps in numpy where each node feels the repulsion of a random
    sample of nodes instead of all of them: linear in the number of nodes, so it scales where
    networkx's layouts need scipy (which graphsvc does not depend on)."""
    nodes = list(pos)
    index = {n: i for i, n in enumerate(nodes)}
    P = np.array([pos[n] for n in nodes], dtype=float)
    E = np.array([(index[u], index[v]) for u, v in H.edges()], dtype=int).reshape(-1, 2)
    n = len(nodes)
    k = 2 / math.sqrt(n)
    rng = np.random.default_rng(seed)
    heat = 0.05
    for _ in range(iterations):
        disp = np.zeros_like(P)
        for lo in range(0, n, 20_000):  # bounded memory on very big graphs
            rows = slice(lo, min(n, lo + 20_000))
            delta = P[rows, None, :] - P[rng.integers(0, n, size=(P[rows].shape[0], sample))]
            d2 = np.maximum(np.einsum("ijk,ijk->ij", delta, delta), (0.01 * k) ** 2)
            disp[rows] = (delta * (k * k / d2)[..., None]).sum(axis=1) * ((n - 1) / sample)
        if len(E):
            ev = P[E[:, 0]] - P[E[:, 1]]
            pull = ev * (np.sqrt(np.einsum("ij,ij->i", ev, ev)) / k)[:, None]
            np.add.at(disp, E[:, 0], -pull)
            np.add.at(disp, E[:, 1], pull)
        length = np.maximum(np.sqrt(np.einsum("ij,ij->i", disp, disp)), 1e-12)
        P += disp * (np.minimum(length, heat) / length)[:, None]
        heat *= 0.93
    return {n: (float(P[i, 0]), float(P[i, 1])) for i, n in enumerate(nodes)}


def _normalise(pos: dict[Hashable, tuple[float, float]]) -> dict[Hashable, tuple[float, float]]:
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    cx, cy = (max(xs) + min(xs)) / 2, (max(ys) + min(ys)) / 2
    span = max(max(xs) - min(xs), max(ys) - min(ys)) / 2 or 1.0
    return {n: ((x - cx) / span, (y - cy) / span) for n, (x, y) in pos.items()}


def _pack(
    main: dict[Hashable, tuple[float, float]],
    others: list[dict[Hashable, tuple[float, float]]],
    isolates: list[Hashable],
) -> dict[Hashable, tuple[float, float]]:
    """Put smaller components (scaled by their size) and then isolated nodes in rows under the
    main component, left to right."""
    pos = dict(main)
    n_main = max(len(main), 1)
    x, y, row_h = -1.0, min(p[1] for p in main.values()) - 0.15, 0.0
    for comp in others:
        side = max(0.12, 2 * math.sqrt(len(comp) / n_main))
        if x + side > 1.0 and x > -1.0:
            x, y, row_h = -1.0, y - row_h - 0.08, 0.0
        for n, (px, py) in comp.items():
            pos[n] = (x + (px + 1) * side / 2, y - (1 - py) * side / 2)
        x += side + 0.08
        row_h = max(row_h, side)
    if isolates:
        y = y - row_h - 0.12 if others else y
        per_row = max(12, math.ceil(math.sqrt(len(isolates)) * 3))
        gap = 2.0 / per_row
        for i, n in enumerate(isolates):
            pos[n] = (-1.0 + gap * (i % per_row + 0.5), y - gap * (i // per_row))
    return pos
