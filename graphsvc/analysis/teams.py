"""Who should sit at the table: a small team covering an initiative's required categories
(greedy weighted set cover), and reciprocal pairs (A offers what B needs and B what A needs).

Kretzmann & McKnight's second step, *koble ressursene*. See docs/analysis/teams.md.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graphsvc.analysis._cache import offer_index
from graphsvc.analysis.matching import FIT_SCORE
from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.i18n import join, register
from graphsvc.privacy import display_name
from graphsvc.taxonomy import load_taxonomy

MESSAGES = register(__name__, {
    "nb": {
        "covers": "Dekker {cats}",
        "here": "holder til i samme grend som initiativet ({d})",
        "kommune": "dekker hele kommunen",
        "elsewhere": "holder til i {d}",
        "already": "er allerede med i initiativet",
        "tied": "har bånd til {who}, som er med",
        "capacity": "kapasitet {c}",
        "uncovered": "Ingen i kommunen tilbyr {cat}",
        "limit": "{cat}: ikke dekket innenfor et team på {n}",
        "summary": "{n} {n:aktør dekker|aktører dekker} {covered} av {required} {required:kategori|kategorier}{gaps}",
        "gaps": "; mangler: {cats}",
        "pair": "{a} tilbyr {x}, som {b} trenger, og {b} tilbyr {y}, som {a} trenger",
        "same": " – begge i {d}",
    },
    "en": {
        "covers": "Covers {cats}",
        "here": "based in the initiative's district ({d})",
        "kommune": "covers the whole municipality",
        "elsewhere": "based in {d}",
        "already": "already takes part in the initiative",
        "tied": "has ties to {who}, who takes part",
        "capacity": "capacity {c}",
        "uncovered": "Nobody in the municipality offers {cat}",
        "limit": "{cat}: not covered within a team of {n}",
        "summary": "{n} {n:actor covers|actors cover} {covered} of {required} {required:category|categories}{gaps}",
        "gaps": "; missing: {cats}",
        "pair": "{a} offers {x}, which {b} needs, and {b} offers {y}, which {a} needs",
        "same": " – both in {d}",
    },
})


def build_team(
    G: nx.MultiDiGraph, initiative: str, *, categories: list[str] | None = None,
    max_size: int = 6, show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """A small team whose offers together cover an initiative's required categories.

    Greedy weighted set cover: each round takes the actor with the most still-uncovered
    categories per unit of cost, where cost is the inverse of quality (category fit, same
    district, already involved or tied to someone involved, capacity). Greedy is within a
    factor ln(k)+1 of the smallest team (Chvátal 1979).

    Parameters
    ----------
    G : the snapshot graph.
    initiative : initiative id (its ``required_categories`` and district are used).
    categories : cover these instead of the initiative's own list.
    max_size : the largest team to propose.

    Returns
    -------
    ``{"initiative", "required", "team": [...], "uncovered": [...], "explanation"}``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("i", node_type="initiative", kind="initiative", name="Sykling uten alder",
    ...            district="Nes", required_categories=["activity.cycling", "space.vehicle",
    ...                                                 "help.respite"], offers=[], needs=[])
    >>> G.add_node("a", kind="association", name="Nes sykkelgruppe", district="Nes", needs=[],
    ...            offers=[{"id": "o1", "category": "activity.cycling"}])
    >>> G.add_node("b", kind="business", name="Vik bilverksted", district="Vik", needs=[],
    ...            offers=[{"id": "o2", "category": "space.vehicle"},
    ...                    {"id": "o3", "category": "activity.cycling"}])
    >>> out = build_team(G, "i", show_names=True, lang="en")
    >>> [m["actor"]["name"] for m in out["team"]]
    ['Nes sykkelgruppe', 'Vik bilverksted']
    >>> out["uncovered"][0]["explanation"]
    'Nobody in the municipality offers respite for carers'
    """
    tax = load_taxonomy()
    msg = MESSAGES.bind(lang)
    if initiative not in G:
        raise NotFoundError("error.not_found.initiative", id=initiative)
    if max_size < 1:
        raise ValidationError("error.at_least_1", max_size=max_size, fill={"name": "max_size"})
    attrs = G.nodes[initiative]
    required = list(dict.fromkeys(categories or attrs.get("required_categories") or []))
    for c in required:
        if c not in tax:
            raise ValidationError("error.unknown_category", category=c)
    if not required:
        raise ValidationError("error.no_required_categories", id=initiative)
    home = attrs.get("district")
    involved = set(G.predecessors(initiative)) | set(G.successors(initiative))
    index = offer_index(G)

    # candidate → {category: (fit score, offer)}
    covers: dict[Any, dict[str, tuple[float, dict]]] = {}
    for cat in required:
        parent = tax.parent_of(cat)
        for code in {cat, parent} | {c.code for c in tax if c.parent == cat}:
            for node, res in index.get(code, ()):
                fit = tax.fit(res["category"], cat)
                if node == initiative or fit not in ("exact", "parent"):
                    continue
                held = covers.setdefault(node, {}).get(cat)
                if held is None or FIT_SCORE[fit] > held[0]:
                    covers[node][cat] = (FIT_SCORE[fit], res)

    def quality(node: Any) -> tuple[float, list[str]]:
        d = G.nodes[node]
        reasons = []
        where = d.get("district")
        if where is None:
            q = 0.6
            reasons.append(msg("kommune"))
        elif where == home:
            q = 1.0
            reasons.append(msg("here", d=where))
        else:
            q = 0.3
            reasons.append(msg("elsewhere", d=where))
        if node in involved:
            q += 0.5
            reasons.append(msg("already"))
        else:
            friends = sorted((set(G.predecessors(node)) | set(G.successors(node))) & involved)
            if friends:
                q += 0.25
                reasons.append(msg("tied", 
                    who=display_name(friends[0], G.nodes[friends[0]], show_names, lang)))
        caps = [res.get("capacity") for _f, res in covers[node].values() if res.get("capacity")]
        if caps:
            q += 0.1 * min(max(caps), 5) / 5
            reasons.append(msg("capacity", c=max(caps)))
        return q, reasons

    uncovered = set(required)
    team = []
    qualities = {n: quality(n) for n in covers}
    while uncovered and len(team) < max_size:
        best, best_value = None, 0.0
        for node, cats in covers.items():
            new = uncovered & cats.keys()
            if not new:
                continue
            value = sum(cats[c][0] for c in new) * qualities[node][0]
            if value > best_value or (value == best_value and best is not None
                                      and str(node) < str(best)):
                best, best_value = node, value
        if best is None:
            break
        gained = sorted(uncovered & covers[best].keys(), key=required.index)
        uncovered -= set(gained)
        q, reasons = qualities[best]
        names = join((tax.name(c, lang).lower() for c in gained), lang)
        team.append({
            "actor": {"id": best, "name": display_name(best, G.nodes[best], show_names, lang),
                      "kind": G.nodes[best].get("kind"),
                      "district": G.nodes[best].get("district")},
            "covers": [{"category": c, "category_name": tax.name(c, lang),
                        "offer": covers[best][c][1]["id"],
                        "fit": "exact" if covers[best][c][0] == 1.0 else "parent"}
                       for c in gained],
            "quality": round(q, 3),
            "explanation": [msg("covers", cats=names), *reasons]})
    offered = set(covers and {c for cats in covers.values() for c in cats})
    gaps = []
    for c in required:
        if c in uncovered:
            key = "limit" if c in offered else "uncovered"
            gaps.append({"category": c, "category_name": tax.name(c, lang),
                         "offered_by_anyone": c in offered,
                         "explanation": msg(key, cat=tax.name(c, lang).lower()
                                                         if key == "uncovered"
                                                         else tax.name(c, lang), n=max_size)})
    summary = msg("summary", 
        n=len(team), covered=len(required) - len(uncovered), required=len(required),
        gaps=msg("gaps", cats=join((g["category_name"] for g in gaps), lang)) if gaps else "")
    return {"initiative": {"id": initiative, "name": attrs.get("name"), "district": home},
            "required": [{"category": c, "category_name": tax.name(c, lang)} for c in required],
            "team": team, "uncovered": gaps, "explanation": summary}


def reciprocal_pairs(
    G: nx.MultiDiGraph, *, actor: str | None = None, district: str | None = None,
    limit: int = 20, show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """Pairs where each offers exactly what the other needs: a two-way exchange.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("lag", kind="association", name="Nes kor", district="Nes",
    ...            offers=[{"id": "o1", "category": "culture.music"}],
    ...            needs=[{"id": "n1", "category": "space.room"}])
    >>> G.add_node("hj", kind="institution", name="Nes sykehjem", district="Nes",
    ...            offers=[{"id": "o2", "category": "space.room"}],
    ...            needs=[{"id": "n2", "category": "culture.music"}])
    >>> out = reciprocal_pairs(G, lang="en")
    >>> out["pairs"][0]["explanation"]
    'Nes kor offers Music and song, which Nes sykehjem needs, and Nes sykehjem offers Room / venue, which Nes kor needs – both in Nes'
    """
    tax = load_taxonomy()
    msg = MESSAGES.bind(lang)
    if actor is not None and actor not in G:
        raise NotFoundError("error.not_found.actor", id=actor)
    index = offer_index(G)
    seekers = [actor] if actor is not None else [
        n for n, d in G.nodes(data=True) if d.get("needs")
        and (district is None or d.get("district") == district)]
    found: dict[tuple, dict[str, Any]] = {}
    for a in seekers:
        a_offers = {r["category"]: r for r in G.nodes[a].get("offers", ())}
        if not a_offers:
            continue
        for need in G.nodes[a].get("needs", ()):
            for b, res in index.get(need["category"], ()):
                if b == a or (actor is None and district is not None
                              and G.nodes[b].get("district") != district):
                    continue
                back = next((n for n in G.nodes[b].get("needs", ())
                             if n["category"] in a_offers), None)
                if back is None:
                    continue
                key = (a, b) if str(a) < str(b) else (b, a)
                if key in found:
                    continue
                same = G.nodes[a].get("district") and \
                    G.nodes[a].get("district") == G.nodes[b].get("district")
                la = display_name(a, G.nodes[a], show_names, lang)
                lb = display_name(b, G.nodes[b], show_names, lang)
                sentence = msg("pair", a=la, b=lb, x=tax.name(back["category"], lang),
                                               y=tax.name(need["category"], lang))
                if same:
                    sentence += msg("same", d=G.nodes[a]["district"])
                found[key] = {
                    "a": {"id": a, "name": la, "kind": G.nodes[a].get("kind"),
                          "offers": back["category"], "needs": need["category"]},
                    "b": {"id": b, "name": lb, "kind": G.nodes[b].get("kind"),
                          "offers": need["category"], "needs": back["category"]},
                    "same_district": bool(same), "linked": G.has_edge(a, b) or G.has_edge(b, a),
                    "explanation": sentence}
    pairs = sorted(found.values(), key=lambda p: (not p["same_district"], p["linked"],
                                                  str(p["a"]["id"]), str(p["b"]["id"])))
    return {"count": len(pairs), "pairs": pairs[:limit]}
