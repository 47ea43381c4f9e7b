"""Paths of trust: the best route between two actors, and the linking path to authority.

Strong ties are preferred (each hop costs ``1 / strength``); every hop is labelled bonding,
bridging or linking with its reason; alternatives avoid the hops already shown where another
route exists. See docs/analysis/paths.md.
"""

from __future__ import annotations

import heapq
import math
from collections import Counter
from itertools import pairwise
from typing import Any

import networkx as nx

from graphsvc.analysis._cache import trust_graph
from graphsvc.analysis.classify import explain_tie
from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.i18n import class_name, register
from graphsvc.privacy import display_name

PENALTY = 8.0  # how much dearer a hop already shown is for the alternatives

MESSAGES = register(__name__, {
    "nb": {
        "summary": "{hops} ledd fra {a} til {b}: {mix}; svakeste ledd har styrke {weakest}",
        "none": "Ingen kjent vei mellom {a} og {b}",
        "no_authority": "{a} har ingen kjent vei til {b}",
        "alternative": "Alternativ {n}",
        "best": "Beste vei (sterkest tillit)",
        "self": "{a} er selv målet",
    },
    "en": {
        "summary": "{hops} {hops:step|steps} from {a} to {b}: {mix}; the weakest step has "
                   "strength {weakest}",
        "none": "No known path between {a} and {b}",
        "no_authority": "{a} has no known path to {b}",
        "alternative": "Alternative {n}",
        "best": "Best path (strongest trust)",
        "self": "{a} is itself the target",
    },
})


def _check(G: nx.MultiDiGraph, node: Any) -> None:
    if node not in G:
        raise NotFoundError("error.not_found.actor", id=node)


def describe_path(
    G: nx.MultiDiGraph, path: list[Any], *, rules: Rules | None = None,
    show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """A node path as labelled hops with a one-line summary."""
    rules = rules or load_rules()
    H = trust_graph(G)
    msg = MESSAGES.bind(lang)
    label = lambda n: display_name(n, G.nodes[n], show_names, lang)
    hops = []
    for a, b in pairwise(path):
        d = H[a][b]
        s, t = (a, b) if d["source"] == a else (b, a)
        tie = explain_tie(G, s, t, d["kind"], rules=rules, show_names=show_names, lang=lang)
        hops.append({"from": {"id": a, "name": label(a), "kind": G.nodes[a].get("kind")},
                     "to": {"id": b, "name": label(b), "kind": G.nodes[b].get("kind")},
                     "tie": d["kind"], "tie_name": tie["kind_name"],
                     "direction": "forward" if s == a else "backward",
                     "strength": d["strength"], "class": tie["class"],
                     "class_name": tie["class_name"], "explanation": tie["explanation"]})
    mix = Counter(h["class"] for h in hops)
    mix_words = ", ".join(f"{mix[c]} {class_name(c, lang)}" for c in ("bonding", "bridging", "linking")
                          if mix[c])
    weakest = min((h["strength"] for h in hops), default=1.0)
    summary = (msg("summary", hops=len(hops), a=label(path[0]), b=label(path[-1]),
                                      mix=mix_words, weakest=round(weakest, 2))
               if hops else msg("self", a=label(path[0])))
    return {"nodes": [{"id": n, "name": label(n), "kind": G.nodes[n].get("kind")} for n in path],
            "hops": hops, "length": len(hops), "weakest": weakest,
            "classes": {c: mix.get(c, 0) for c in ("bonding", "bridging", "linking")},
            "explanation": summary}


def _shortest(H: nx.Graph, sources: set[Any], target: Any,
              used: set[frozenset]) -> list[Any] | None:
    """Bidirectional Dijkstra from ``sources`` to ``target`` on ``weight``, hops in ``used``
    costing ``PENALTY`` times more. Hand-written because it runs per request: reading the
    weight straight from the adjacency is about twice as fast as a weight callback."""
    if target in sources:
        return [target]
    dist = ({s: 0.0 for s in sources}, {target: 0.0})
    pred: tuple[dict, dict] = ({s: None for s in sources}, {target: None})
    done: tuple[set, set] = (set(), set())
    heaps = ([(0.0, i, s) for i, s in enumerate(sources)], [(0.0, 0, target)])
    heapq.heapify(heaps[0])
    best, meet, counter = math.inf, None, len(sources) + 1
    while heaps[0] and heaps[1]:
        if heaps[0][0][0] + heaps[1][0][0] >= best:
            break
        side = 0 if heaps[0][0][0] <= heaps[1][0][0] else 1
        d, _c, v = heapq.heappop(heaps[side])
        if v in done[side]:
            continue
        done[side].add(v)
        for w, data in H[v].items():
            cost = data["weight"]
            if used and frozenset((v, w)) in used:
                cost *= PENALTY
            nd = d + cost
            if nd < dist[side].get(w, math.inf):
                dist[side][w] = nd
                pred[side][w] = v
                heapq.heappush(heaps[side], (nd, counter, w))
                counter += 1
            other = dist[1 - side].get(w)
            if other is not None and dist[side][w] + other < best:
                best, meet = dist[side][w] + other, w
    if meet is None:
        return None
    path = [meet]
    while pred[0][path[-1]] is not None:
        path.append(pred[0][path[-1]])
    path.reverse()
    node = meet
    while pred[1][node] is not None:
        node = pred[1][node]
        path.append(node)
    return path


def _routes(H: nx.Graph, sources: list[Any], target: Any, alternatives: int) -> list[list[Any]]:
    """The strongest route, then up to ``alternatives`` more that avoid hops already used."""
    used: set[frozenset] = set()
    routes: list[list[Any]] = []
    for _ in range(alternatives + 1):
        path = _shortest(H, set(sources), target, used)
        if path is None or path in routes:
            break
        routes.append(path)
        # A hop to an actor with one tie is unavoidable: penalising it only widens the search.
        used.update(frozenset((u, v)) for u, v in pairwise(path)
                    if H.degree(u) > 1 and H.degree(v) > 1)
    return routes


def path_between(
    G: nx.MultiDiGraph, source: Any, target: Any, *, alternatives: int = 2,
    rules: Rules | None = None, show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """The best path of trusted ties from ``source`` to ``target``, each hop labelled.

    Parameters
    ----------
    G : the snapshot graph.
    source, target : actor ids.
    alternatives : how many other routes to show, each avoiding hops already shown.
    rules : social-capital rules (default: the shipped ones).
    show_names : show individuals' names (else pseudonyms).
    lang : ``"nb"`` or ``"en"``.

    Returns
    -------
    ``{"source", "target", "found", "paths": [...], "explanation"}``; each path has ``nodes``,
    ``hops`` (tie kind, strength, class and the reason), ``classes`` and ``explanation``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for n, k in [("a", "individual"), ("b", "individual"), ("lag", "association"),
    ...              ("c", "individual")]:
    ...     G.add_node(n, kind=k, name=n.upper(), district="Nes", age_band="80+")
    >>> _ = G.add_edge("a", "lag", key="MEMBER_OF", kind="MEMBER_OF", strength=0.9)
    >>> _ = G.add_edge("c", "lag", key="MEMBER_OF", kind="MEMBER_OF", strength=0.9)
    >>> _ = G.add_edge("a", "b", key="KNOWS", kind="KNOWS", strength=0.2)
    >>> _ = G.add_edge("b", "c", key="KNOWS", kind="KNOWS", strength=0.2)
    >>> out = path_between(G, "a", "c", show_names=True, lang="en")
    >>> [n["id"] for n in out["paths"][0]["nodes"]]
    ['a', 'lag', 'c']
    >>> [n["id"] for n in out["paths"][1]["nodes"]]
    ['a', 'b', 'c']
    """
    _check(G, source)
    _check(G, target)
    if alternatives < 0:
        raise ValidationError("error.at_least_0", alternatives=alternatives,
                              fill={"name": "alternatives"})
    H = trust_graph(G)
    msg = MESSAGES.bind(lang)
    routes = [[source]] if source == target else _routes(H, [source], target, alternatives)
    paths = []
    for i, route in enumerate(routes):
        p = describe_path(G, route, rules=rules, show_names=show_names, lang=lang)
        p["label"] = msg("best") if i == 0 else msg("alternative", n=i)
        paths.append(p)
    label = lambda n: display_name(n, G.nodes[n], show_names, lang)
    return {"source": {"id": source, "name": label(source)},
            "target": {"id": target, "name": label(target)},
            "found": bool(paths), "paths": paths,
            "explanation": paths[0]["explanation"] if paths
            else msg("none", a=label(source), b=label(target))}


def resolve_service(G: nx.MultiDiGraph, service: str, *, rules: Rules | None = None) -> Any:
    """A service by id, or by (part of) its name among authority actors."""
    rules = rules or load_rules()
    if service in G:
        return service
    needle = service.casefold()
    hits = sorted(n for n, d in G.nodes(data=True) if d.get("kind") in rules.authority_kinds
                  and needle in str(d.get("name", "")).casefold())
    if not hits:
        raise NotFoundError("error.not_found.service", service=service)
    return hits[0]


def linking_path(
    G: nx.MultiDiGraph, source: Any, *, service: str | None = None, alternatives: int = 1,
    rules: Rules | None = None, show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """The path of trusted ties from ``source`` up to the municipality or a named service.

    ``service`` is an id or part of a name; without it the nearest actor of a municipality
    kind (rules ``municipality_kinds``) is the target.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", kind="individual", name="P")
    >>> G.add_node("fs", kind="frivilligsentral", name="Nes frivilligsentral")
    >>> G.add_node("k", kind="municipality", name="Fjordvik kommune")
    >>> _ = G.add_edge("p", "fs", key="VOLUNTEERS_AT", kind="VOLUNTEERS_AT", strength=0.8)
    >>> _ = G.add_edge("fs", "k", key="PARTNERS_WITH", kind="PARTNERS_WITH", strength=0.7)
    >>> out = linking_path(G, "p", lang="en", show_names=True)
    >>> [h["class"] for h in out["paths"][0]["hops"]]
    ['linking', 'linking']
    >>> out["target"]["name"]
    'Fjordvik kommune'
    """
    rules = rules or load_rules()
    _check(G, source)
    H = trust_graph(G)
    msg = MESSAGES.bind(lang)
    label = lambda n: display_name(n, G.nodes[n], show_names, lang)
    if service is not None:
        targets = [resolve_service(G, service, rules=rules)]
    else:
        targets = sorted(n for n, d in G.nodes(data=True)
                         if d.get("kind") in rules.municipality_kinds)
        if not targets:
            raise NotFoundError("error.not_found.municipality")
    if source in targets:
        routes = [[source]]
    else:
        # Search from the targets so one run finds the nearest; reverse to read source → target.
        routes = [list(reversed(r)) for r in _routes(H, targets, source, alternatives)]
    paths = []
    for i, route in enumerate(routes):
        p = describe_path(G, route, rules=rules, show_names=show_names, lang=lang)
        p["label"] = msg("best") if i == 0 else msg("alternative", n=i)
        paths.append(p)
    goal = routes[0][-1] if routes else targets[0]
    return {"source": {"id": source, "name": label(source)},
            "target": {"id": goal, "name": label(goal), "kind": G.nodes[goal].get("kind")},
            "found": bool(paths), "paths": paths,
            "explanation": paths[0]["explanation"] if paths
            else msg("no_authority", a=label(source), b=label(goal))}
