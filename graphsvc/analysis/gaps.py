"""The gaps report: where nobody covers a need, who is cut off, what a district lacks.

Unmet needs (no provider in reach), demand against supply per category and district, isolated
actors, groups without bridging ties or without a linking path to authority, districts without a
frivilligsentral or a meeting place, and mapped volunteering against the national rates.
See docs/analysis/gaps.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

import networkx as nx

from graphsvc.analysis._cache import (
    authority_distance,
    cached,
    offer_index,
    trust_graph,
)
from graphsvc.analysis.classify import tie_classes
from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.analysis.volunteering import volunteering_by_sector
from graphsvc.i18n import join, register
from graphsvc.privacy import display_name
from graphsvc.taxonomy import load_taxonomy

MIN_GROUP = 3  # smaller groups are not reported (too few to say anything, and identifiable)

MESSAGES = register(__name__, {
    "nb": {
        "unmet": "{n} behov har ingen tilbyder i nærheten (samme grend eller hele kommunen)",
        "unmet_item": "{who} trenger {cat} i {where}: ingen tilbyr det her{elsewhere}",
        "elsewhere": " ({n} tilbyr det i andre grender)",
        "nowhere": " eller noe annet sted i kommunen",
        "shortfall": "{n} par av kategori og grend der behovene er flere enn tilbudene",
        "shortfall_item": "{cat} i {where}: {demand} behov, {supply} tilbud",
        "isolated": "{n} {n:aktør|aktører} har ingen bånd til noen",
        "no_bridging": "{n} {n:gruppe|grupper} har ingen brobyggende bånd ut av gruppen",
        "no_linking": "{n} {n:gruppe|grupper} har ingen vei til kommunen eller en institusjon "
                      "innen {k} ledd",
        "group": "{label}: {members} {members:enkeltperson|enkeltpersoner}, {bridging} "
                 "brobyggende bånd, {share} % når kommunen eller en institusjon innen {k} ledd",
        "no_centre": "{n} {n:grend|grender} har ingen frivilligsentral",
        "no_meeting": "{n} {n:grend|grender} har ingen møteplass",
        "served": "betjenes av {names} ({ties} bånd inn i grenda)",
        "unserved": "ingen frivilligsentral har bånd hit",
        "whole_kommune": "hele kommunen",
    },
    "en": {
        "unmet": "{n} {n:need has|needs have} no provider in reach (same district or the whole "
                 "municipality)",
        "unmet_item": "{who} needs {cat} in {where}: nobody offers it here{elsewhere}",
        "elsewhere": " ({n} {n:provider offers|providers offer} it in other districts)",
        "nowhere": " or anywhere else in the municipality",
        "shortfall": "{n} category/district {n:pair|pairs} where needs outnumber offers",
        "shortfall_item": "{cat} in {where}: {demand} {demand:need|needs}, {supply} "
                          "{supply:offer|offers}",
        "isolated": "{n} {n:actor has|actors have} no ties to anyone",
        "no_bridging": "{n} {n:group has|groups have} no bridging tie out of the group",
        "no_linking": "{n} {n:group has|groups have} no path to the municipality or an "
                      "institution within {k} {k:step|steps}",
        "group": "{label}: {members} {members:individual|individuals}, {bridging} bridging "
                 "{bridging:tie|ties}, {share} % reach the municipality or an institution within "
                 "{k} {k:step|steps}",
        "no_centre": "{n} {n:district has|districts have} no volunteer centre",
        "no_meeting": "{n} {n:district has|districts have} no meeting place",
        "served": "served by {names} ({ties} {ties:tie|ties} into the district)",
        "unserved": "no volunteer centre has ties here",
        "whole_kommune": "the whole municipality",
    },
})


def _offer_places(G: nx.MultiDiGraph) -> dict[str, dict[Any, set]]:
    """Category → place (district, or None for kommune-wide) → holders; memoised."""

    def build():
        places: dict[str, dict[Any, set]] = {}
        for code, offers in offer_index(G).items():
            by_place = places.setdefault(code, {})
            for node, res in offers:
                at = res.get("district") or G.nodes[node].get("district")
                by_place.setdefault(at, set()).add(node)
        return places

    return cached(G, "offer_places", build)


def _reachable_providers(G, tax, category, where, holder):
    """Who offers an exact or parent fit for a need: ``(in reach, elsewhere)``, where in reach
    is the need's district or kommune-wide. "Elsewhere" is only counted when nobody is in
    reach (it is the costly part on large graphs)."""
    places = _offer_places(G)
    codes = [c for c in {category, tax.parent_of(category)}
             | {c.code for c in tax if c.parent == category}
             if tax.fit(c, category) in ("exact", "parent")]
    near: set = set()
    for code in codes:
        by_place = places.get(code, {})
        if where is None:
            for holders in by_place.values():
                near |= holders
        else:
            near |= by_place.get(where, set()) | by_place.get(None, set())
    near.discard(holder)
    if near:
        return near, set()
    far: set = set()
    for code in codes:
        for holders in places.get(code, {}).values():
            far |= holders
    far.discard(holder)
    return near, far


def unmet_needs(
    G: nx.MultiDiGraph, *, district: str | None = None, limit: int = 50,
    show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """Needs that no other actor in the same district, or kommune-wide, can meet.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", kind="individual", district="Nes",
    ...            needs=[{"id": "n1", "category": "help.transport"}], offers=[])
    >>> G.add_node("q", kind="individual", district="Vik", needs=[],
    ...            offers=[{"id": "o1", "category": "help.transport"}])
    >>> out = unmet_needs(G, lang="en")
    >>> out["count"], out["items"][0]["providers_elsewhere"]
    (1, 1)
    """
    tax = load_taxonomy()
    msg = MESSAGES.bind(lang)
    items = []
    for node, attrs in G.nodes(data=True):
        for need in attrs.get("needs", ()):
            where = need.get("district") or attrs.get("district")
            if district is not None and where != district:
                continue
            near, far = _reachable_providers(G, tax, need["category"], where, node)
            if near:
                continue
            who = display_name(node, attrs, show_names, lang)
            extra = (msg("elsewhere", n=len(far)) if far else msg("nowhere"))
            items.append({
                "need": need["id"], "category": need["category"],
                "category_name": tax.name(need["category"], lang), "district": where,
                "urgency": need.get("urgency", "normal"),
                "holder": {"id": node, "name": who, "kind": attrs.get("kind")},
                "providers_elsewhere": len(far),
                "explanation": msg("unmet_item", 
                    who=who, cat=tax.name(need["category"], lang).lower(),
                    where=where or msg("whole_kommune"), elsewhere=extra)})
    order = {"high": 0, "normal": 1, "low": 2}
    items.sort(key=lambda i: (order.get(i["urgency"], 1), i["providers_elsewhere"] > 0,
                              i["category"], str(i["district"]), i["need"]))
    return {"count": len(items), "items": items[:limit],
            "explanation": msg("unmet", n=len(items))}


def demand_supply(
    G: nx.MultiDiGraph, *, district: str | None = None, limit: int = 50, lang: str = "nb",
) -> dict[str, Any]:
    """Per category and district: needs against offers (kommune-wide offers count everywhere).

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", district="Nes", offers=[],
    ...            needs=[{"id": "a", "category": "social.visit"},
    ...                   {"id": "b", "category": "social.visit", "district": "Nes"}])
    >>> G.add_node("q", district="Nes", needs=[],
    ...            offers=[{"id": "c", "category": "social.visit"}])
    >>> demand_supply(G, lang="en")["items"][0]["explanation"]
    'Visiting friend in Nes: 2 needs, 1 offer'
    """
    tax = load_taxonomy()
    msg = MESSAGES.bind(lang)
    demand: Counter = Counter()
    supply: Counter = Counter()
    everywhere: Counter = Counter()
    for _node, attrs in G.nodes(data=True):
        for need in attrs.get("needs", ()):
            demand[(need["category"], need.get("district") or attrs.get("district"))] += 1
        for res in attrs.get("offers", ()):
            at = res.get("district") or attrs.get("district")
            if at is None:
                everywhere[res["category"]] += 1
            else:
                supply[(res["category"], at)] += 1
    rows = []
    for (cat, where), n in demand.items():
        if where is None or (district is not None and where != district):
            continue
        s = supply.get((cat, where), 0) + everywhere.get(cat, 0)
        if n > s:
            rows.append({"category": cat, "category_name": tax.name(cat, lang), "district": where,
                         "demand": n, "supply": s, "shortfall": n - s,
                         "explanation": msg("shortfall_item", 
                             cat=tax.name(cat, lang), where=where, demand=n, supply=s)})
    rows.sort(key=lambda r: (-r["shortfall"], r["category"], r["district"]))
    return {"count": len(rows), "items": rows[:limit],
            "explanation": msg("shortfall", n=len(rows))}


def isolated_actors(
    G: nx.MultiDiGraph, *, district: str | None = None, limit: int = 50,
    show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """Actors with no tie to anyone.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", kind="individual", node_type="actor", name="P")
    >>> isolated_actors(G, lang="en")["explanation"]
    '1 actor has no ties to anyone'
    """
    msg = MESSAGES.bind(lang)
    found = sorted(n for n, d in G.nodes(data=True)
                   if d.get("node_type", "actor") == "actor" and G.degree(n) == 0
                   and (district is None or d.get("district") == district))
    kinds = Counter(G.nodes[n].get("kind") for n in found)
    return {"count": len(found), "by_kind": dict(kinds),
            "items": [{"id": n, "name": display_name(n, G.nodes[n], show_names, lang),
                       "kind": G.nodes[n].get("kind"), "district": G.nodes[n].get("district")}
                      for n in found[:limit]],
            "explanation": msg("isolated", n=len(found))}


def group_ties(
    G: nx.MultiDiGraph, *, by: tuple[str, ...] | None = None, k: int | None = None,
    district: str | None = None, min_size: int = MIN_GROUP, rules: Rules | None = None,
    lang: str = "nb",
) -> list[dict[str, Any]]:
    """Groups of individuals (by ``rules.group_by``, e.g. district and age band) with their
    bridging ties and the share with a path to authority within ``k`` hops."""
    rules = rules or load_rules()
    by = tuple(by or rules.group_by)
    k = rules.reach_hops if k is None else k
    msg = MESSAGES.bind(lang)
    reach = authority_distance(G, rules.authority_kinds, k)
    classes = tie_classes(G, rules=rules)
    bridging: Counter = Counter()
    for (u, v, _kind), (cls, _rule, _shared) in classes.items():
        if cls == "bridging":
            bridging[u] += 1
            bridging[v] += 1
    groups: dict[tuple, list[Any]] = {}
    for n, d in G.nodes(data=True):
        if d.get("kind") != "individual" or (district is not None and d.get("district") != district):
            continue
        key = tuple(d.get(a) for a in by)
        if None in key:
            continue
        groups.setdefault(key, []).append(n)
    out = []
    for key, members in sorted(groups.items()):
        if len(members) < min_size:
            continue
        n_bridging = sum(bridging[m] for m in members)
        linked = sum(1 for m in members if m in reach)
        share = linked / len(members)
        label = ", ".join(str(v) for v in key)
        out.append({"group": dict(zip(by, key)), "label": label, "members": len(members),
                    "bridging_ties": n_bridging, "linked": linked,
                    "linked_share": round(share, 3), "k": k,
                    "explanation": msg("group", label=label, members=len(members),
                                                        bridging=n_bridging,
                                                        share=round(100 * share), k=k)})
    return out


def district_gaps(
    G: nx.MultiDiGraph, *, rules: Rules | None = None, show_names: bool = False,
    lang: str = "nb",
) -> dict[str, Any]:
    """Districts without a frivilligsentral, and without a meeting place.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("fs", kind="frivilligsentral", name="Nes frivilligsentral", district="Nes",
    ...            offers=[{"id": "o", "category": "social.meetingplace"}])
    >>> G.add_node("p", kind="individual", district="Vik", offers=[])
    >>> _ = G.add_edge("p", "fs", key="VOLUNTEERS_AT", kind="VOLUNTEERS_AT")
    >>> out = district_gaps(G, lang="en")
    >>> [d["district"] for d in out["without_frivilligsentral"]]
    ['Vik']
    >>> out["without_frivilligsentral"][0]["explanation"]
    'served by Nes frivilligsentral (1 tie into the district)'
    """
    rules = rules or load_rules()
    msg = MESSAGES.bind(lang)
    districts: set[str] = set()
    centres: dict[str, list[Any]] = {}
    meeting: set[str] = set()
    for n, d in G.nodes(data=True):
        where = d.get("district")
        if where:
            districts.add(where)
        if d.get("kind") == "frivilligsentral" and where:
            centres.setdefault(where, []).append(n)
        for res in d.get("offers", ()):
            if res["category"] in rules.meeting_place_categories:
                at = res.get("district") or where
                if at:
                    meeting.add(at)
    H = trust_graph(G)
    all_centres = [n for n, d in G.nodes(data=True) if d.get("kind") == "frivilligsentral"]
    reach = {c: Counter(G.nodes[m].get("district") for m in H[c]) for c in all_centres}
    without_centre = []
    for dist in sorted(districts - set(centres)):
        ties = Counter({c: reach[c][dist] for c in all_centres if reach[c][dist]})
        served = [c for c, _ in ties.most_common()]
        names = join((display_name(c, G.nodes[c], show_names, lang) for c in served[:3]), lang)
        without_centre.append({
            "district": dist,
            "served_by": [{"id": c, "name": display_name(c, G.nodes[c], show_names, lang),
                           "ties": ties[c]} for c in served],
            "explanation": msg("served", names=names, ties=sum(ties.values()))
            if served else msg("unserved")})
    return {"districts": len(districts), "without_frivilligsentral": without_centre,
            "without_meeting_place": sorted(districts - meeting),
            "explanation": [msg("no_centre", n=len(without_centre)),
                            msg("no_meeting", n=len(districts - meeting))]}


def gaps_report(
    G: nx.MultiDiGraph, *, district: str | None = None, k: int | None = None,
    population: Mapping[str, int] | None = None, limit: int = 50, rules: Rules | None = None,
    show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """Every kind of gap in one report, each part with its items and a sentence.

    Parameters
    ----------
    G : the snapshot graph.
    district : only this district.
    k : hops within which a group counts as linked to authority (default rules ``reach_hops``).
    population : district → population, for the volunteering comparison (else assumed).
    limit : items per list.
    rules, show_names, lang : as everywhere.

    Returns
    -------
    ``{"summary", "explanation", "unmet_needs", "demand_supply", "isolated", "groups",
    "districts", "volunteering"}``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("k", kind="municipality", name="Fjordvik kommune", offers=[], needs=[])
    >>> G.add_node("p", kind="individual", node_type="actor", district="Nes", offers=[],
    ...            needs=[{"id": "n1", "category": "help.digital"}])
    >>> out = gaps_report(G, lang="en")
    >>> out["summary"]["unmet_needs"], out["summary"]["isolated"]
    (1, 2)
    """
    rules = rules or load_rules()
    msg = MESSAGES.bind(lang)
    k = rules.reach_hops if k is None else k
    unmet = unmet_needs(G, district=district, limit=limit, show_names=show_names, lang=lang)
    shortage = demand_supply(G, district=district, limit=limit, lang=lang)
    alone = isolated_actors(G, district=district, limit=limit, show_names=show_names, lang=lang)
    groups = group_ties(G, k=k, district=district, rules=rules, lang=lang)
    no_bridge = [g for g in groups if g["bridging_ties"] == 0]
    no_link = [g for g in groups if g["linked"] == 0]
    places = district_gaps(G, rules=rules, show_names=show_names, lang=lang)
    if district is not None:
        places["without_frivilligsentral"] = [d for d in places["without_frivilligsentral"]
                                              if d["district"] == district]
        places["without_meeting_place"] = [d for d in places["without_meeting_place"]
                                           if d == district]
    volunteering = volunteering_by_sector(G, population=population, district=district,
                                          rules=rules, lang=lang)
    summary = {"unmet_needs": unmet["count"], "shortfalls": shortage["count"],
               "isolated": alone["count"], "groups": len(groups),
               "groups_without_bridging": len(no_bridge), "groups_without_linking": len(no_link),
               "districts_without_frivilligsentral": len(places["without_frivilligsentral"]),
               "districts_without_meeting_place": len(places["without_meeting_place"])}
    explanation = [unmet["explanation"], shortage["explanation"], alone["explanation"],
                   msg("no_bridging", n=len(no_bridge)),
                   msg("no_linking", n=len(no_link), k=k),
                   msg("no_centre", n=summary["districts_without_frivilligsentral"]),
                   msg("no_meeting", n=summary["districts_without_meeting_place"])]
    return {"district": district, "summary": summary, "explanation": explanation,
            "unmet_needs": unmet, "demand_supply": shortage, "isolated": alone,
            "groups": {"k": k, "without_bridging": no_bridge[:limit],
                       "without_linking": no_link[:limit],
                       "weakest": sorted(groups, key=lambda g: (g["linked_share"],
                                                                g["bridging_ties"]))[:limit]},
            "districts": places, "volunteering": volunteering}
