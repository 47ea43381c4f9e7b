"""Complementary matching: who can meet this need, and who could introduce them (DESIGN 3.3).

Offers are ranked by category fit (exact > parent > same group), proximity (same district >
the whole kommune > elsewhere, or by distance when both ends have coordinates), capacity and
availability, and social distance along existing trusted ties. Every result explains itself in
words a planner reads, in bokmål or English. Offers are read from a category index memoised on
the snapshot, and one hop-bounded search finds every introduction path (an introducing
organisation's search tree is memoised too), so a query costs milliseconds.
"""

from __future__ import annotations

import difflib

import heapq
import math
import threading
from collections import OrderedDict
from typing import Any

import networkx as nx

from graphsvc.analysis._cache import Delta, cached, offer_index, trust_graph, updates
from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.i18n import register
from graphsvc.privacy import display_name
from graphsvc.taxonomy import load_taxonomy

FIT_SCORE = {"exact": 1.0, "parent": 0.6, "sibling": 0.3}
WEIGHTS = {"fit": 0.45, "proximity": 0.25, "capacity": 0.1, "availability": 0.05, "social": 0.15}
MAX_HOPS = 4
NEAR_KM = 5.0  # an offer this far away scores half of one next door
# An offer a rule derived from a register (confirmed False) until a workshop states it: it
# ranks below a confirmed one that is otherwise the same (fit, place, capacity, ties).
DERIVED_PENALTY = 0.2
# Search trees of introducing organisations kept per snapshot, in tree entries (one per node
# reached, ~50 bytes each): every frivilligsentral of a 100k-actor kommune fits.
TREE_BUDGET = 6_000_000
_TREES_LOCK = threading.Lock()

MESSAGES = register(__name__, {
    "nb": {
        "exact": "Tilbyr nøyaktig det som trengs: {cat}",
        "parent": "Tilbyr beslektet hjelp: {cat} (overordnet/underordnet kategori av {need})",
        "sibling": "Tilbyr noe i samme gruppe: {cat} (behovet er {need})",
        "same_district": "Holder til i samme grend: {district}",
        "other_district": "Holder til i en annen grend i kommunen: {district}",
        "in_district": "Holder til i {district}",
        "whole_kommune": "Dekker hele kommunen",
        "capacity": "Kapasitet: {capacity}",
        "capacity_short": "Kapasitet {capacity} er mindre enn behovet ({needed})",
        "distance": "Omtrent {km} km unna",
        "available_match": "Tilgjengelig når det trengs: {availability}",
        "availability": "Tilgjengelig: {availability}",
        "path": "Kan introduseres via: {chain} ({hops} ledd)",
        "direct": "{intro} kjenner dem direkte",
        "self": "Er selv kontaktpunktet for formidlingen",
        "no_path": "Ingen kjent vei innen {max} ledd – ta direkte kontakt",
        "derived": "Tilbudet er fra registeret (ikke bekreftet), så det rangeres lavere; "
                   "bekreft det på et verksted",
    },
    "en": {
        "exact": "Offers exactly what is needed: {cat}",
        "parent": "Offers related help: {cat} (broader/narrower category of {need})",
        "sibling": "Offers something in the same group: {cat} (the need is {need})",
        "same_district": "Based in the same district: {district}",
        "other_district": "Based in another district of the municipality: {district}",
        "in_district": "Based in {district}",
        "whole_kommune": "Covers the whole municipality",
        "capacity": "Capacity: {capacity}",
        "capacity_short": "Capacity {capacity} is less than needed ({needed})",
        "distance": "About {km} km away",
        "available_match": "Available when needed: {availability}",
        "availability": "Available: {availability}",
        "path": "Can be introduced through: {chain} ({hops} {hops:step|steps})",
        "direct": "{intro} knows them directly",
        "self": "Is itself the contact point for the introduction",
        "no_path": "No known path within {max} steps – make direct contact",
        "derived": "The offer is from the register (not confirmed), so it ranks lower; "
                   "confirm it at a workshop",
    },
})


def default_introducer(G: nx.MultiDiGraph, district: str | None = None) -> str | None:
    """Who introduces when the asker is not named: the district's frivilligsentral (the
    *bindeledd*), else any frivilligsentral, else the municipality."""
    centres = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "frivilligsentral")
    if district:
        for n in centres:
            if G.nodes[n].get("district") == district:
                return n
    if centres:
        return centres[0]
    towns = sorted(n for n, d in G.nodes(data=True) if d.get("kind") == "municipality")
    return towns[0] if towns else None


def _known_district(G: nx.MultiDiGraph, district: str) -> str:
    """The district as the graph spells it (case-insensitive), or a ValidationError that
    lists the known ones: a misspelt district must not silently rank as 'elsewhere'."""
    known = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    for name in known:
        if name.casefold() == district.casefold():
            return name
    shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
    raise ValidationError("error.unknown_district", district=district, fill={"known": shown})


def match_need(
    G: nx.MultiDiGraph,
    category: str,
    *,
    district: str | None = None,
    seeker: str | None = None,
    limit: int = 10,
    lat: float | None = None,
    lon: float | None = None,
    capacity: int | None = None,
    availability: str | None = None,
    show_names: bool = False,
    lang: str = "nb",
) -> dict[str, Any]:
    """Rank the offers that could meet a need for ``category``.

    Parameters
    ----------
    G : the snapshot graph (``graphsvc.store.base.build_graph``).
    category : taxonomy code of the need, e.g. ``"help.transport"``.
    district : where the need is; offers there rank higher.
    seeker : the actor with the need; introductions are traced from them. Defaults to the
        district's frivilligsentral, which is who brokers such contacts in practice.
    limit : how many results.
    lat, lon : where the need is; offers with coordinates are then ranked by distance too.
        Default: the seeker's coordinates.
    capacity : how much is needed (people or hours per month); offers with less rank lower.
    availability : when it is needed (e.g. ``"kveld"``); offers available then rank higher.
    show_names : show individuals' names (else a pseudonym).
    lang : ``"nb"`` or ``"en"`` for the explanations.

    Returns
    -------
    ``{"query": {...}, "introducer": {...} | None, "count": int, "results": [...]}``; each result
    has ``actor``, ``resource``, ``score`` in [0, 1], ``fit``, ``social_distance`` (hops or
    None), ``introducers`` (the actors between) and ``explanation`` (sentences).

    Examples
    --------
    >>> from graphsvc.store.base import build_graph
    >>> G = build_graph(
    ...     actors=[{"id": "t:fs", "kind": "frivilligsentral", "name": "Nes frivilligsentral",
    ...              "district": "Nes"},
    ...             {"id": "t:lag", "kind": "association", "name": "Nes turlag", "district": "Nes"},
    ...             {"id": "t:bil", "kind": "business", "name": "Vik bilverksted", "district": "Vik"}],
    ...     initiatives=[], needs=[],
    ...     resources=[{"id": "r1", "holder": "t:lag", "category": "help.transport"},
    ...                {"id": "r2", "holder": "t:bil", "category": "space.vehicle"}],
    ...     ties=[{"source": "t:lag", "target": "t:fs", "kind": "PARTNERS_WITH", "strength": 0.8}])
    >>> out = match_need(G, "help.transport", district="Nes", lang="en")
    >>> [r["actor"]["name"] for r in out["results"]]
    ['Nes turlag']
    >>> out["results"][0]["explanation"][0]
    'Offers exactly what is needed: Transport and escort'
    >>> out["results"][0]["explanation"][-1]
    'Nes frivilligsentral knows them directly'
    >>> G.nodes["t:bil"]["offers"].append({"id": "r3", "holder": "t:bil",
    ...                                    "category": "help.transport", "capacity": 9})
    >>> G.graph.pop("_cache", None)  # the graph was changed: drop what was derived from it
    {...}
    >>> [r["actor"]["name"] for r in match_need(G, "help.transport", district="Nes")["results"]]
    ['Nes turlag', 'Vik bilverksted']
    >>> match_need(G, "help.transport", district="Nes", capacity=12, lang="en")["results"][1][
    ...     "explanation"][2]
    'Capacity 9 is less than needed (12)'
    """
    tax = load_taxonomy()
    msg = MESSAGES.bind(lang)
    if category not in tax:
        close = difflib.get_close_matches(category, [c.code for c in tax], n=1)
        if close:
            raise ValidationError("error.unknown_category.hint", category=category,
                                  fill={"hint": f"'{close[0]}'"})
        raise ValidationError("error.unknown_category", category=category)
    if district is not None:
        district = _known_district(G, district)
    if seeker is not None and seeker not in G:
        raise NotFoundError("error.not_found.actor", id=seeker)
    if limit < 1:
        raise ValidationError("error.at_least_1", limit=limit, fill={"name": "limit"})
    if (lat is None) != (lon is None):
        raise ValidationError("error.lat_lon")
    if seeker is not None and lat is None:
        lat, lon = G.nodes[seeker].get("lat"), G.nodes[seeker].get("lon")
    introducer = seeker or default_introducer(G, district)
    want = availability.casefold() if availability else None

    best: dict[Any, tuple[dict[str, Any], str]] = {}
    index = offer_index(G)
    for code in _fitting_codes(tax, category):
        for node, res in index.get(code, ()):
            if node == seeker:
                continue
            fit = tax.fit(res["category"], category)
            if fit == "none":
                continue
            held = best.get(node)
            if held is None or FIT_SCORE[fit] > FIT_SCORE[held[1]] or (
                    fit == held[1] and (res.get("confirmed", True), res.get("capacity") or 0) >
                    (held[0].get("confirmed", True), held[0].get("capacity") or 0)):
                best[node] = (res, fit)

    candidates = []
    for node, (res, fit) in best.items():
        attrs = G.nodes[node]
        where = res.get("district") or attrs.get("district")
        if district is None:
            proximity = 0.5
        elif where == district:
            proximity = 1.0
        elif where is None:
            proximity = 0.6
        else:
            proximity = 0.3
        km = _km(lat, lon, attrs.get("lat"), attrs.get("lon"))
        if km is not None:
            proximity = max(proximity, 1.0 / (1.0 + km / NEAR_KM))
        cap = res.get("capacity")
        if cap is None:
            cap_score = 0.5
        elif capacity:
            cap_score = min(1.0, cap / capacity)
        else:
            cap_score = min(cap, 5) / 5
        offered = str(res.get("availability") or "").casefold()
        avail_score = 0.5 if want is None or not offered else float(want in offered)
        base = (WEIGHTS["fit"] * FIT_SCORE[fit] + WEIGHTS["proximity"] * proximity
                + WEIGHTS["capacity"] * cap_score + WEIGHTS["availability"] * avail_score)
        if res.get("confirmed", True) is False:
            base -= DERIVED_PENALTY
        candidates.append((base, node, attrs, res, fit, where, km))

    # Social distance only for the head of the list: it is the costly part.
    candidates.sort(key=lambda c: (-c[0], c[1]))
    head = candidates[: max(limit * 3, 30)]
    paths = (_introduction_paths(G, introducer, {c[1] for c in head})
             if introducer is not None else {})
    scored = []
    for base, node, attrs, res, fit, where, km in head:
        path = paths.get(node)
        hops = None if path is None else len(path) - 1
        social = 0.0 if hops is None else 1.0 / max(hops, 1)
        scored.append((round(base + WEIGHTS["social"] * social, 4), node, attrs, res, fit, where,
                       km, path, hops))
    scored.sort(key=lambda s: (-s[0], s[1]))

    results = []
    for rank, (score, node, attrs, res, fit, where, km, path, hops) in enumerate(scored[:limit], 1):
        label = lambda n: display_name(n, G.nodes[n], show_names, lang)
        explanation = [msg(fit, cat=tax.name(res["category"], lang),
                                        need=tax.name(category, lang))]
        if where is None:
            explanation.append(msg("whole_kommune"))
        elif district is None:
            explanation.append(msg("in_district", district=where))
        elif where == district:
            explanation.append(msg("same_district", district=where))
        else:
            explanation.append(msg("other_district", district=where))
        if km is not None:
            explanation.append(msg("distance", km=round(km, 1)))
        if res.get("capacity") is not None:
            if capacity and res["capacity"] < capacity:
                explanation.append(msg("capacity_short", capacity=res["capacity"],
                                                                 needed=capacity))
            else:
                explanation.append(msg("capacity", capacity=res["capacity"]))
        if res.get("availability"):
            key = "available_match" if want and want in res["availability"].casefold() \
                else "availability"
            explanation.append(msg(key, availability=res["availability"]))
        if res.get("confirmed", True) is False:
            explanation.append(msg("derived"))
        if hops is None:
            explanation.append(msg("no_path", max=MAX_HOPS))
        elif hops == 0:
            explanation.append(msg("self"))
        elif hops == 1:
            explanation.append(msg("direct", intro=label(introducer)))
        else:
            explanation.append(msg("path", chain=" → ".join(label(n) for n in path),
                                                   hops=hops))
        results.append({
            "rank": rank,
            "score": score,
            "fit": fit,
            "actor": {"id": node, "name": label(node), "kind": attrs.get("kind"),
                      "district": attrs.get("district")},
            "resource": {"id": res["id"], "category": res["category"],
                         "category_name": tax.name(res["category"], lang),
                         "description": res.get("description"),
                         "capacity": res.get("capacity"),
                         "availability": res.get("availability"),
                         "confirmed": res.get("confirmed", True),
                         "derived_by": res.get("derived_by")},
            "distance_km": None if km is None else round(km, 2),
            "social_distance": hops,
            "introducers": [{"id": n, "name": label(n), "kind": G.nodes[n].get("kind")}
                            for n in (path[1:-1] if path else [])],
            "explanation": explanation,
        })
    intro = None
    if introducer is not None:
        intro = {"id": introducer, "name": display_name(introducer, G.nodes[introducer],
                                                        show_names, lang),
                 "kind": G.nodes[introducer].get("kind")}
    return {
        "query": {"category": category, "category_name": tax.name(category, lang),
                  "district": district, "seeker": seeker, "capacity": capacity,
                  "availability": availability},
        "introducer": intro,
        "count": len(results),
        "candidates": len(candidates),
        "results": results,
    }


def _fitting_codes(tax, category: str) -> list[str]:
    """Every category whose offers can fit a need for ``category`` (itself, its group, the
    group's other members)."""
    parent = tax.parent_of(category)
    return sorted({category, parent} | {c.code for c in tax if c.parent == parent}
                  | {c.code for c in tax if c.parent == category})


def _km(lat1, lon1, lat2, lon2) -> float | None:
    """Great-circle distance in km, or None when a coordinate is missing.

    >>> round(_km(59.91, 10.75, 60.39, 5.32))  # Oslo – Bergen
    305
    """
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def _search(H: nx.Graph, source: Any, targets: set[Any] | None = None) -> dict[Any, Any]:
    """Strongest-tie paths of at most ``MAX_HOPS`` hops from ``source``: node → predecessor.

    One Dijkstra that never extends a path beyond ``MAX_HOPS`` hops and, given ``targets``,
    stops as soon as all of them are settled.
    """
    dist = {source: 0.0}
    pred: dict[Any, Any] = {source: None}
    hops = {source: 0}
    settled: dict[Any, Any] = {}
    heap = [(0.0, 0, source)]
    left = None if targets is None else len(targets)
    counter = 1
    while heap and (left is None or left > 0):
        d, _c, v = heapq.heappop(heap)
        if v in settled:
            continue
        settled[v] = pred[v]
        if targets is not None and v in targets:
            left -= 1
        if hops[v] >= MAX_HOPS:
            continue
        for w, data in H[v].items():
            nd = d + data["weight"]
            if w not in settled and nd < dist.get(w, math.inf):
                dist[w], pred[w], hops[w] = nd, v, hops[v] + 1
                heapq.heappush(heap, (nd, counter, w))
                counter += 1
    return settled


@updates("introducer_trees")
def _carry_trees(trees: OrderedDict, _name: str, _old, G: nx.MultiDiGraph, d: Delta
                 ) -> OrderedDict:
    """Search trees a write cannot have changed, kept: no changed tie touches them, or the only
    change is a new actor whose one tie hangs it below a node of the tree (it joins as a leaf)."""
    H = G.graph["_cache"].get("trust_graph")
    with _TREES_LOCK:
        before = list(trees.items())
    out: OrderedDict = OrderedDict()
    for root, tree in before:
        if root in d.removed or any(n in tree for n in d.removed):
            continue
        grown, ok = None, True
        for pair in d.pairs:
            inside = [n for n in pair if n in tree]
            if not inside:
                continue
            (a,) = inside if len(inside) == 1 and len(pair) == 2 else (None,)
            b = next(iter(pair - {a})) if a is not None else None
            depth, up = 0, a
            while a is not None and tree[up] is not None:
                depth, up = depth + 1, tree[up]
            if a is None or H is None or b not in H or list(H._adj[b]) != [a]:
                ok = False
                break
            if depth < MAX_HOPS:  # else the search does not go on from a: b stays out
                grown = {**(grown or tree), b: a}
        if ok:
            out[root] = tree if grown is None else grown
    return out


def _introduction_paths(G: nx.MultiDiGraph, source: Any, targets: set[Any]
                        ) -> dict[Any, list[Any]]:
    """Paths from ``source`` to each reachable target. Organisations introduce most contacts
    (the frivilligsentral when no asker is named), so their whole search tree is kept on the
    snapshot (the most recent, within ``TREE_BUDGET``); an individual's search stops at the targets."""
    H = trust_graph(G)
    if source not in H:
        return {}
    if G.nodes[source].get("kind") == "individual":
        wanted = {t for t in targets if t in H and H.degree(t) > 0}
        tree = _search(H, source, wanted) if wanted else {source: None}
    else:
        trees: OrderedDict = cached(G, "introducer_trees", OrderedDict)
        with _TREES_LOCK:  # API routes run in a thread pool
            tree = trees.get(source)
            if tree is not None:
                trees.move_to_end(source)
        if tree is None:
            tree = _search(H, source)
            with _TREES_LOCK:
                trees[source] = tree
                while len(trees) > 1 and sum(map(len, trees.values())) > TREE_BUDGET:
                    trees.popitem(last=False)
    out = {}
    for t in targets:
        if t in tree:
            path = [t]
            while tree[path[-1]] is not None:
                path.append(tree[path[-1]])
            out[t] = path[::-1]
    return out
