"""Bonding, bridging and linking: every tie classified by rules held as data, with its reason.

A tie is *linking* if it crosses levels of authority, *bonding* if it joins actors of one level
who share enough group identities, *bridging* otherwise (Putnam 2000; Szreter & Woolcock 2004;
DESIGN 3.3). Tie kinds may be fixed by the rules (membership of one's own association is
belonging: bonding). See docs/analysis/classification.md.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import networkx as nx

from graphsvc.analysis._cache import Delta, cached, trust_graph, updates
from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.i18n import LANGS, capital, class_name, register, tie_name
from graphsvc.privacy import display_name

# The kinds of social capital in the reader's words (one term per language: docs/glossary.md).
CLASS_NAMES = {lang: {c: class_name(c, lang) for c in ("bonding", "bridging", "linking")}
               for lang in LANGS}
MESSAGES = register(__name__, {
    "nb": {
        "override": "{tie} er tilhørighet i egen gruppe (regel for denne typen bånd)",
        "linking": "Krysser nivåer av makt og myndighet: {a} (nivå {la}) og {b} (nivå {lb})",
        "bonding": "Samme nivå og felles gruppe: {shared}",
        "bridging": "Samme nivå, men for lite felles til å være én gruppe ({shared})",
        "nothing": "ingenting felles",
        "membership": "begge med i {name}",
        "age_band": "samme aldersgruppe",
        "background": "samme bakgrunn",
        "district": "samme grend ({value})",
    },
    "en": {
        "override": "{tie} is belonging to one's own group (rule for this kind of tie)",
        "linking": "Crosses levels of power or authority: {a} (level {la}) and {b} (level {lb})",
        "bonding": "Same level and a shared group: {shared}",
        "bridging": "Same level, but too little in common to be one group ({shared})",
        "nothing": "nothing in common",
        "membership": "both part of {name}",
        "age_band": "same age band",
        "background": "same background",
        "district": "same district ({value})",
    },
})
_IDENTITIES = ("membership", "age_band", "background", "district")


def identities(G: nx.MultiDiGraph, *, rules: Rules | None = None) -> dict[Any, frozenset[str]]:
    """Group identities of every node: ``"membership:<group id>"`` for each group it belongs to
    (and for itself, if others belong to it), and ``"<attribute>:<value>"``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("p", kind="individual", district="Nes", age_band="80+")
    >>> G.add_node("lag", kind="association", district="Nes")
    >>> _ = G.add_edge("p", "lag", key="MEMBER_OF", kind="MEMBER_OF", strength=0.5)
    >>> sorted(identities(G)["p"])
    ['age_band:80+', 'district:Nes', 'membership:lag']
    """
    rules = rules or load_rules()
    _RULES[rules.key] = rules  # for _carry_identities: the cache is named by the key

    def build() -> dict[Any, frozenset[str]]:
        # over G's own dicts, not its node and edge views: a second less at 100 000 actors
        attrs = [a for a in rules.identities if a != "membership"]
        ids: dict[Any, set[str]] = {
            n: {f"{a}:{d[a]}" for a in attrs if d.get(a)} for n, d in G._node.items()}
        if "membership" in rules.identities:
            ties = frozenset(rules.membership_ties)
            for u, nbrs in G._adj.items():
                for v, keys in nbrs.items():
                    if not ties.isdisjoint(keys):
                        ids[u].add(f"membership:{v}")
                        ids[v].add(f"membership:{v}")
        return {n: frozenset(s) for n, s in ids.items()}

    return cached(G, f"identities:{rules.key}", build)


_RULES: dict[str, Rules] = {}


def _node_identities(G: nx.MultiDiGraph, n: Any, rules: Rules) -> frozenset[str]:
    """One node's identities, as ``identities`` finds them."""
    d = G._node[n]
    ids = {f"{a}:{d[a]}" for a in rules.identities if a != "membership" and d.get(a)}
    if "membership" in rules.identities:
        ties = rules.membership_ties
        ids.update(f"membership:{v}" for v, keys in G._adj[n].items()
                   if any(k in ties for k in keys))
        if any(k in ties for keys in G._pred[n].values() for k in keys):
            ids.add(f"membership:{n}")
    return frozenset(ids)


def _affected(old: nx.MultiDiGraph, G: nx.MultiDiGraph, d: Delta, rules: Rules) -> set:
    """Nodes whose ties' classes may have changed: ties, kind or identities changed."""
    ids = G.graph["_cache"].get(f"identities:{rules.key}")
    out = d.touched()
    if ids is None:
        return out
    before = old.graph.get("_cache", {}).get(f"identities:{rules.key}", {})
    return {n for n in out if n in d.pairs_nodes() or n not in old
            or ids.get(n) != before.get(n) or G._node[n].get("kind") != old._node[n].get("kind")}


@updates("identities")
def _carry_identities(ids: dict, name: str, _old, G: nx.MultiDiGraph, d: Delta) -> dict | None:
    rules = _RULES.get(name.split(":", 1)[1])
    if rules is None:
        return None
    out = dict(ids)
    for n in d.removed:
        out.pop(n, None)
    for n in d.touched():
        out[n] = _node_identities(G, n, rules)
    return out


@updates("tie_classes")
def _carry_tie_classes(classes: dict, name: str, old: nx.MultiDiGraph, G: nx.MultiDiGraph,
                       d: Delta) -> dict | None:
    """Existing ties keep their place in the dict, new ones come last (it is only counted and
    looked up)."""
    rules = _RULES.get(name.split(":", 1)[1])
    if rules is None:
        return None
    out = dict(classes)
    for x in d.removed | d.pairs_nodes():
        if x in old:
            for u, v, k in (*old.out_edges(x, keys=True), *old.in_edges(x, keys=True)):
                if u not in G or v not in G or k not in G._adj[u].get(v, {}):
                    out.pop((u, v, k), None)
    for x in _affected(old, G, d, rules):
        for u, v, k in (*G.out_edges(x, keys=True), *G.in_edges(x, keys=True)):
            out[(u, v, k)] = classify_pair(G, u, v, k, rules=rules)
    return out


@updates("pair_class")
def _carry_pair_class(classes: dict, name: str, old: nx.MultiDiGraph, G: nx.MultiDiGraph,
                      d: Delta) -> dict | None:
    rules = _RULES.get(name.split(":", 1)[1])
    if rules is None or f"tie_classes:{rules.key}" not in G.graph["_cache"]:
        return None
    H, ties = trust_graph(G), tie_classes(G, rules=rules)
    out = dict(classes)
    for x in d.removed | d.pairs_nodes():
        for w in old.graph["_cache"]["trust_graph"]._adj.get(x, ()):
            if x not in H or w not in H[x]:
                out.pop((x, w), None)
                out.pop((w, x), None)
    for u in _affected(old, G, d, rules):
        for v, e in H._adj[u].items():
            s = e["source"]
            out[(u, v)] = out[(v, u)] = ties[(s, v if s == u else u, e["kind"])][0]
    return out


def classify_pair(
    G: nx.MultiDiGraph, u: Any, v: Any, kind: str, *, rules: Rules | None = None
) -> tuple[str, str, tuple[str, ...]]:
    """``(class, rule, shared identities)`` of one tie ``u -[kind]- v``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="individual", district="Nes", age_band="80+")
    >>> G.add_node("b", kind="individual", district="Nes", age_band="80+")
    >>> G.add_node("c", kind="individual", district="Vik", age_band="80+")
    >>> G.add_node("k", kind="municipality")
    >>> classify_pair(G, "a", "b", "KNOWS")
    ('bonding', 'bonding', ('age_band:80+', 'district:Nes'))
    >>> classify_pair(G, "a", "c", "KNOWS")
    ('bridging', 'bridging', ('age_band:80+',))
    >>> classify_pair(G, "a", "k", "KNOWS")[:2]
    ('linking', 'linking')
    """
    rules = rules or load_rules()
    if kind in rules.kind_overrides:
        return rules.kind_overrides[kind], "override", ()
    lu, lv = rules.level(G.nodes[u].get("kind")), rules.level(G.nodes[v].get("kind"))
    if abs(lu - lv) >= rules.linking_min_gap:
        return "linking", "linking", ()
    ids = identities(G, rules=rules)
    shared = tuple(sorted(ids[u] & ids[v]))
    if len(shared) >= rules.min_shared:
        return "bonding", "bonding", shared
    return "bridging", "bridging", shared


def tie_class(G: nx.MultiDiGraph, *, rules: Rules | None = None
              ) -> Callable[[Any, Any, str], str]:
    """``classify_pair(G, u, v, kind, rules=rules)[0]`` as a function of ``(u, v, kind)`` for
    many ties at once: the same rules, without the shared identities' sorted tuple (a
    community answer classifies every tie that leaves a community: 66 000 at 100 000 actors).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="individual", district="Nes")
    >>> G.add_node("b", kind="individual", district="Nes")
    >>> G.add_node("k", kind="municipality")
    >>> of = tie_class(G)
    >>> [of("a", "b", "KNOWS"), of("a", "k", "KNOWS")] == [
    ...     classify_pair(G, "a", "b", "KNOWS")[0], classify_pair(G, "a", "k", "KNOWS")[0]]
    True
    """
    rules = rules or load_rules()
    ids = identities(G, rules=rules)
    attrs, overrides, level = G._node, rules.kind_overrides, rules.level
    gap, need = rules.linking_min_gap, rules.min_shared

    def of(u: Any, v: Any, kind: str) -> str:
        if kind in overrides:
            return overrides[kind]
        if abs(level(attrs[u].get("kind")) - level(attrs[v].get("kind"))) >= gap:
            return "linking"
        return "bonding" if len(ids[u] & ids[v]) >= need else "bridging"

    return of


def tie_classes(G: nx.MultiDiGraph, *, rules: Rules | None = None) -> dict[tuple, tuple]:
    """Every tie ``(source, target, kind)`` → ``(class, rule, shared)``; memoised."""
    rules = rules or load_rules()

    def build() -> dict[tuple, tuple]:
        return {(u, v, k): classify_pair(G, u, v, k, rules=rules)
                for u, v, k in G.edges(keys=True)}

    return cached(G, f"tie_classes:{rules.key}", build)


def pair_class(G: nx.MultiDiGraph, *, rules: Rules | None = None) -> dict[tuple, str]:
    """Class of each trust-graph edge (the strongest tie between two nodes), both orders."""
    rules = rules or load_rules()

    def build() -> dict[tuple, str]:
        H = trust_graph(G)
        classes = tie_classes(G, rules=rules)
        out: dict[tuple, str] = {}
        for u, v, d in H.edges(data=True):
            s = d["source"]
            t = v if s == u else u
            c = classes[(s, t, d["kind"])][0]
            out[(u, v)] = out[(v, u)] = c
        return out

    return cached(G, f"pair_class:{rules.key}", build)


def explain_tie(
    G: nx.MultiDiGraph, u: Any, v: Any, kind: str, *, rules: Rules | None = None,
    show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """One tie as plain data: class, rule, shared identities and a sentence.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("f", kind="frivilligsentral", name="Nes frivilligsentral")
    >>> G.add_node("k", kind="municipality", name="Fjordvik kommune")
    >>> explain_tie(G, "f", "k", "PARTNERS_WITH", lang="en")["explanation"]
    'Crosses levels of power or authority: Nes frivilligsentral (level 1) and Fjordvik kommune (level 3)'
    """
    rules = rules or load_rules()
    cls, rule, shared = classify_pair(G, u, v, kind, rules=rules)
    msg = MESSAGES.bind(lang)
    label = lambda n: display_name(n, G.nodes[n], show_names, lang)
    if rule == "override":
        sentence = msg("override", tie=capital(tie_name(kind, lang)))
    elif rule == "linking":
        sentence = msg("linking", a=label(u), b=label(v), la=rules.level(G.nodes[u].get("kind")),
                     lb=rules.level(G.nodes[v].get("kind")))
    else:
        words = describe_shared(G, shared, show_names=show_names, lang=lang) or msg("nothing")
        sentence = msg(rule, shared=words)
    return {"source": u, "target": v, "kind": kind, "kind_name": tie_name(kind, lang),
            "class": cls, "class_name": class_name(cls, lang), "rule": rule,
            "shared": [_public_identity(s) for s in shared], "explanation": sentence}


def _public_identity(identity: str) -> str:
    """Shared identities without personal values (age band, background are personal data)."""
    attr = identity.split(":", 1)[0]
    return attr if attr in ("age_band", "background") else identity


def describe_shared(G: nx.MultiDiGraph, shared, *, show_names: bool = False,
                    lang: str = "nb") -> str:
    msg = MESSAGES.bind(lang)
    parts = []
    for s in shared:
        attr, _, value = s.partition(":")
        if attr == "membership":
            name = display_name(value, G.nodes[value], show_names, lang) if value in G else value
            parts.append(msg("membership", name=name))
        elif attr in _IDENTITIES:
            parts.append(msg(attr, value=value))
    return ", ".join(parts)


def class_counts(G: nx.MultiDiGraph, *, rules: Rules | None = None) -> dict[str, int]:
    """How many ties of each class the graph holds.

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("a", kind="individual"); G.add_node("k", kind="municipality")
    >>> _ = G.add_edge("a", "k", key="KNOWS", kind="KNOWS")
    >>> class_counts(G)
    {'bonding': 0, 'bridging': 0, 'linking': 1}
    """
    counts = Counter(c[0] for c in tie_classes(G, rules=rules).values())
    return {c: counts.get(c, 0) for c in ("bonding", "bridging", "linking")}
