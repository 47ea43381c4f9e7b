"""Social-capital profiles: an actor's bonding, bridging and linking ties and Burt's measures,
and a group's reach to authority (e.g. seniors in one district). See docs/analysis/profiles.md.
"""

from __future__ import annotations

import math
from typing import Any

import networkx as nx

from graphsvc.analysis._cache import authority_distance
from graphsvc.analysis.brokers import structural_holes
from graphsvc.analysis.classify import explain_tie, tie_classes
from graphsvc.analysis.gaps import group_ties
from graphsvc.analysis.rules import CLASSES, Rules, load_rules
from graphsvc.errors import NotFoundError
from graphsvc.i18n import class_name, kind_name, register
from graphsvc.privacy import display_name

MESSAGES = register(__name__, {
    "nb": {
        "ties": "{n} bånd: {mix}",
        "none": "Ingen bånd til noen – en kartlagt, men isolert aktør",
        "reach": "Når kommunen eller en institusjon på {d} ledd",
        "no_reach": "Ingen vei til kommunen eller en institusjon innen {k} ledd",
        "constraint": "Burts begrensning {c} og effektiv nettverksstørrelse {e}: {how}",
        "broker": "kontaktene er lite bundet til hverandre (en brobyggers posisjon)",
        "closed": "kontaktene henger tett sammen (et tett, lukket nettverk)",
        "no_linking": "Ingen forbindende bånd: ingen direkte kontakt oppover i systemet",
        "no_bridging": "Ingen brobyggende bånd: alle kontakter er i egen gruppe eller over/under",
    },
    "en": {
        "ties": "{n} {n:tie|ties}: {mix}",
        "none": "No ties to anyone – mapped, but isolated",
        "reach": "Reaches the municipality or an institution in {d} {d:step|steps}",
        "no_reach": "No path to the municipality or an institution within {k} {k:step|steps}",
        "constraint": "Burt's constraint {c} and effective network size {e}: {how}",
        "broker": "the contacts are barely tied to each other (a bridge builder's position)",
        "closed": "the contacts are closely knit (a dense, closed network)",
        "no_linking": "No linking ties: no direct contact up the system",
        "no_bridging": "No bridging ties: every contact is in one's own group or above/below",
    },
})


def social_capital_profile(
    G: nx.MultiDiGraph, actor: Any, *, k: int | None = None, ties: bool = True,
    rules: Rules | None = None, show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """An actor's social capital: counts and summed strength of bonding, bridging and linking
    ties, Burt's constraint and effective size, and hops to authority.

    Parameters
    ----------
    G : the snapshot graph.
    actor : actor id.
    k : hops within which the actor counts as linked to authority (default rules ``reach_hops``).
    ties : list every tie with its class and reason.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", kind="individual", name="P", district="Nes", age_band="80+")
    >>> G.add_node("q", kind="individual", name="Q", district="Nes", age_band="80+")
    >>> G.add_node("k", kind="municipality", name="Fjordvik kommune")
    >>> _ = G.add_edge("p", "q", key="KNOWS", kind="KNOWS", strength=0.8)
    >>> _ = G.add_edge("p", "k", key="KNOWS", kind="KNOWS", strength=0.4)
    >>> out = social_capital_profile(G, "p", lang="en")
    >>> out["counts"], out["strength"]["linking"], out["authority_hops"]
    ({'bonding': 1, 'bridging': 0, 'linking': 1}, 0.4, 1)
    """
    rules = rules or load_rules()
    if actor not in G:
        raise NotFoundError("error.not_found.actor", id=actor)
    k = rules.reach_hops if k is None else k
    msg = MESSAGES.bind(lang)
    classes = tie_classes(G, rules=rules)
    counts = dict.fromkeys(CLASSES, 0)
    strength = dict.fromkeys(CLASSES, 0.0)
    listed = []
    edges = [(u, v, kk, d) for u, v, kk, d in G.out_edges(actor, keys=True, data=True)]
    edges += [(u, v, kk, d) for u, v, kk, d in G.in_edges(actor, keys=True, data=True)]
    for u, v, kind, d in edges:
        cls = classes[(u, v, kind)][0]
        counts[cls] += 1
        strength[cls] += float(d.get("strength", 0.5))
        if ties:
            tie = explain_tie(G, u, v, kind, rules=rules, show_names=show_names, lang=lang)
            other = v if u == actor else u
            tie.update(strength=d.get("strength"), direction="out" if u == actor else "in",
                       other={"id": other, "name": display_name(other, G.nodes[other],
                                                                show_names, lang),
                              "kind": G.nodes[other].get("kind"),
                              "kind_name": kind_name(G.nodes[other].get("kind"), lang)})
            listed.append(tie)
    constraint, effective = structural_holes(G)
    c, e = constraint.get(actor, float("nan")), effective.get(actor, float("nan"))
    hops = authority_distance(G, rules.authority_kinds, k).get(actor)
    total = sum(counts.values())
    lines = [msg("ties", n=total, mix=", ".join(f"{counts[x]} {class_name(x, lang)}"
                                                        for x in CLASSES))
             if total else msg("none")]
    lines.append(msg("reach", d=hops) if hops is not None else msg("no_reach", k=k))
    if not math.isnan(c):
        lines.append(msg("constraint", c=round(c, 3), e=round(e, 1),
                                               how=msg("broker" if c < 0.3 else "closed")))
    if total and not counts["linking"]:
        lines.append(msg("no_linking"))
    if total and not counts["bridging"]:
        lines.append(msg("no_bridging"))
    attrs = G.nodes[actor]
    return {"actor": {"id": actor, "name": display_name(actor, attrs, show_names, lang),
                      "kind": attrs.get("kind"), "kind_name": kind_name(attrs.get("kind"), lang),
                      "district": attrs.get("district")},
            "counts": counts, "strength": {x: round(s, 3) for x, s in strength.items()},
            "constraint": None if math.isnan(c) else round(c, 4),
            "effective_size": None if math.isnan(e) else round(e, 3),
            "authority_hops": hops, "k": k, "linked": hops is not None,
            "ties": listed if ties else None, "explanation": lines}


def group_profile(
    G: nx.MultiDiGraph, *, by: tuple[str, ...] | None = None, k: int | None = None,
    district: str | None = None, age_band: str | None = None, rules: Rules | None = None,
    lang: str = "nb",
) -> dict[str, Any]:
    """Per group of individuals (default by district and age band): members, bridging ties and
    the share with a linking path to a municipal service or institution within ``k`` hops.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("k", kind="municipality")
    >>> for i in range(4):
    ...     G.add_node(i, kind="individual", district="Nes", age_band="80+")
    >>> _ = G.add_edge(0, "k", key="KNOWS", kind="KNOWS")
    >>> out = group_profile(G, k=1, lang="en")
    >>> out["groups"][0]["linked_share"]
    0.25
    """
    rules = rules or load_rules()
    groups = group_ties(G, by=by, k=k, district=district, rules=rules, lang=lang)
    if age_band is not None:
        groups = [g for g in groups if g["group"].get("age_band") == age_band]
    return {"by": list(by or rules.group_by), "k": groups[0]["k"] if groups else k,
            "count": len(groups), "groups": groups}
