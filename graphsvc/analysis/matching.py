"""Complementary matching: who can meet this need, and who could introduce them (DESIGN 3.3).

Offers are ranked by category fit (exact > parent > same group), proximity (same district >
elsewhere in the kommune), capacity, and social distance along existing trusted ties. Every
result explains itself in words a planner reads, in bokmål or English.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graphsvc.analysis._cache import trust_graph
from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.privacy import display_name
from graphsvc.taxonomy import load_taxonomy

FIT_SCORE = {"exact": 1.0, "parent": 0.6, "sibling": 0.3}
WEIGHTS = {"fit": 0.5, "proximity": 0.25, "capacity": 0.1, "social": 0.15}
MAX_HOPS = 4

_TEXT = {
    "nb": {
        "exact": "Tilbyr nøyaktig det som trengs: {cat}",
        "parent": "Tilbyr beslektet hjelp: {cat} (overordnet/underordnet kategori av {need})",
        "sibling": "Tilbyr noe i samme gruppe: {cat} (behovet er {need})",
        "same_district": "Holder til i samme grend: {district}",
        "other_district": "Holder til i en annen grend i kommunen: {district}",
        "whole_kommune": "Dekker hele kommunen",
        "capacity": "Kapasitet: {capacity}",
        "availability": "Tilgjengelig: {availability}",
        "path": "Kan introduseres via: {chain} ({hops} ledd)",
        "direct": "{intro} kjenner dem direkte",
        "self": "Er selv kontaktpunktet for formidlingen",
        "no_path": "Ingen kjent forbindelse innen {max} ledd – ta direkte kontakt",
    },
    "en": {
        "exact": "Offers exactly what is needed: {cat}",
        "parent": "Offers related help: {cat} (broader/narrower category of {need})",
        "sibling": "Offers something in the same group: {cat} (the need is {need})",
        "same_district": "Based in the same district: {district}",
        "other_district": "Based in another district of the municipality: {district}",
        "whole_kommune": "Covers the whole municipality",
        "capacity": "Capacity: {capacity}",
        "availability": "Available: {availability}",
        "path": "Can be introduced through: {chain} ({hops} steps)",
        "direct": "{intro} knows them directly",
        "self": "Is itself the contact point for the introduction",
        "no_path": "No known connection within {max} steps – make direct contact",
    },
}


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


def match_need(
    G: nx.MultiDiGraph,
    category: str,
    *,
    district: str | None = None,
    seeker: str | None = None,
    limit: int = 10,
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
    """
    tax = load_taxonomy()
    text = _TEXT.get(lang, _TEXT["nb"])
    if category not in tax:
        raise ValidationError(f"unknown category '{category}'", category=category)
    if seeker is not None and seeker not in G:
        raise NotFoundError(f"no actor with id '{seeker}'", id=seeker)
    if limit < 1:
        raise ValidationError("limit must be at least 1", limit=limit)
    introducer = seeker or default_introducer(G, district)

    candidates = []
    for node, attrs in G.nodes(data=True):
        if node == seeker:
            continue
        best = None
        for res in attrs.get("offers", ()):
            fit = tax.fit(res["category"], category)
            if fit == "none":
                continue
            if best is None or FIT_SCORE[fit] > FIT_SCORE[best[1]]:
                best = (res, fit)
        if best is None:
            continue
        res, fit = best
        where = res.get("district") or attrs.get("district")
        if district is None:
            proximity = 0.5
        elif where == district:
            proximity = 1.0
        elif where is None:
            proximity = 0.6
        else:
            proximity = 0.3
        capacity = res.get("capacity")
        cap_score = 0.5 if capacity is None else min(capacity, 5) / 5
        base = (WEIGHTS["fit"] * FIT_SCORE[fit] + WEIGHTS["proximity"] * proximity
                + WEIGHTS["capacity"] * cap_score)
        candidates.append((base, node, attrs, res, fit, where))

    # Social distance only for the head of the list: it is the costly part.
    candidates.sort(key=lambda c: (-c[0], c[1]))
    head = candidates[: max(limit * 3, 30)]
    H = trust_graph(G)
    scored = []
    for base, node, attrs, res, fit, where in head:
        path = _path(H, introducer, node)
        hops = None if path is None else len(path) - 1
        social = 0.0 if hops is None else 1.0 / max(hops, 1)
        scored.append((round(base + WEIGHTS["social"] * social, 4), node, attrs, res, fit, where,
                       path, hops))
    scored.sort(key=lambda s: (-s[0], s[1]))

    results = []
    for rank, (score, node, attrs, res, fit, where, path, hops) in enumerate(scored[:limit], 1):
        label = lambda n: display_name(n, G.nodes[n], show_names, lang)  # noqa: E731
        explanation = [text[fit].format(cat=tax.name(res["category"], lang),
                                        need=tax.name(category, lang))]
        if where is None:
            explanation.append(text["whole_kommune"])
        elif district is not None and where == district:
            explanation.append(text["same_district"].format(district=where))
        else:
            explanation.append(text["other_district"].format(district=where))
        if res.get("capacity") is not None:
            explanation.append(text["capacity"].format(capacity=res["capacity"]))
        if res.get("availability"):
            explanation.append(text["availability"].format(availability=res["availability"]))
        if hops is None:
            explanation.append(text["no_path"].format(max=MAX_HOPS))
        elif hops == 0:
            explanation.append(text["self"])
        elif hops == 1:
            explanation.append(text["direct"].format(intro=label(introducer)))
        else:
            explanation.append(text["path"].format(chain=" → ".join(label(n) for n in path),
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
                         "availability": res.get("availability")},
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
                  "district": district, "seeker": seeker},
        "introducer": intro,
        "count": len(results),
        "candidates": len(candidates),
        "results": results,
    }


def _path(H: nx.Graph, source: str | None, target: str) -> list[str] | None:
    """Strongest-tie path of at most ``MAX_HOPS`` hops, or None."""
    if source is None or source not in H or target not in H:
        return None
    if source == target:
        return [source]
    try:
        _length, path = nx.bidirectional_dijkstra(H, source, target, weight="weight")
    except nx.NetworkXNoPath:
        return None
    return path if len(path) - 1 <= MAX_HOPS else None
