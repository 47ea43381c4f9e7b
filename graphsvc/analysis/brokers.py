"""Brokers (*brobyggere*): who carries the paths between groups, and whose contacts are not
already tied to each other.

Cross-group betweenness is Brandes' betweenness counting only shortest paths whose ends lie in
different groups, run on igraph's C core (``graphsvc.analysis.engine``); on large graphs it is
estimated from a uniform sample of sources (Brandes & Pich 2007) and the answer states the
error bound of that sample. Burt's constraint runs on igraph; effective size is summed over
igraph's triangles (networkx's ``effective_size`` does not scale). See
docs/analysis/brokers.md.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from typing import Any

import networkx as nx

from graphsvc.analysis import engine
from graphsvc.analysis._cache import cached
from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.errors import ValidationError
from graphsvc.i18n import kind_name, register, term
from graphsvc.privacy import display_name

EXACT_UP_TO = 3000  # nodes; exact betweenness takes about 1 s there (benchmarks/bench_analysis.py)
# Above it, sampled sources: as many as keep a cold answer within about 1 s (384 at 10 000
# actors), never fewer than 100; the API then computes the exact values in the background
# (``engine.exact_later``: 12 s at 10 000 actors) and serves them from the next request on.
SAMPLE_SOURCES = 500
SAMPLE_WORK = 12_000_000  # sources × ties


def default_sources(n: int, ties: int) -> int | None:
    """Sources ``brokers`` samples by default: ``None`` (all, exact) up to ``EXACT_UP_TO``
    nodes, else as many as ``SAMPLE_WORK`` allows, between 100 and ``SAMPLE_SOURCES``.

    >>> [default_sources(n, 3 * n) for n in (1000, 10_000, 100_000)]
    [None, 400, 100]
    """
    if n <= EXACT_UP_TO:
        return None
    return max(100, min(SAMPLE_SOURCES, SAMPLE_WORK // max(ties, 1)))


MESSAGES = register(__name__, {
    "nb": {
        "between": "Mellomsentralitet: ligger på {share} % av de korteste veiene mellom ulike "
                   "{groups}",
        "between_all": "Mellomsentralitet: ligger på {share} % av de korteste veiene i nettverket",
        "groups": "Har kontakter i {n} {noun}: {names}",
        "no_groups": "Har ingen kontakter i kjente {noun}",
        "more": " og {n} til",
        "constraint": "Burts begrensning {c}: {how}",
        "low": "kontaktene er lite bundet til hverandre – en ekte brobygger",
        "high": "kontaktene kjenner hverandre – lite å bygge bro over",
        "effective": "Effektiv nettverksstørrelse {e} av {d} {d:kontakt|kontakter}",
    },
    "en": {
        "between": "Betweenness: lies on {share} % of the shortest paths between different "
                   "{groups}",
        "between_all": "Betweenness: lies on {share} % of the shortest paths in the network",
        "groups": "Has contacts in {n} {noun}: {names}",
        "no_groups": "Has no contacts in known {noun}",
        "more": " and {n} more",
        "constraint": "Burt's constraint {c}: {how}",
        "low": "the contacts are barely tied to each other – a true bridge builder",
        "high": "the contacts know each other – little to bridge",
        "effective": "Effective network size {e} of {d} {d:contact|contacts}",
    },
})
SHOWN_GROUPS = 6  # groups named per bridge builder


def cross_group_betweenness(
    G: nx.MultiDiGraph, groups: Mapping[Hashable, Hashable] | None = None, *,
    k: int | None = None, seed: int = 0,
) -> dict[Any, float]:
    """Betweenness over shortest paths (in hops) whose two ends are in different groups, on
    igraph (``engine.betweenness``: subset betweenness with each group's nodes as sources and
    the other groups' as targets).

    Parameters
    ----------
    G : the snapshot graph (its ties taken as undirected).
    groups : node → group; paths between nodes of the same group (or with no group) are not
        counted. ``None`` counts every pair: plain betweenness.
    k : number of sampled sources (``None``: all, exact). The sampled sum is scaled by n/k;
        ``engine.sample_bound`` gives its error bound.
    seed : seed of the sample.

    Returns
    -------
    node → betweenness, normalised like networkx (by (n-1)(n-2)/2 pairs).

    Examples
    --------
    >>> G = nx.MultiDiGraph(nx.florentine_families_graph())
    >>> ours = cross_group_betweenness(G)
    >>> theirs = nx.betweenness_centrality(nx.florentine_families_graph())
    >>> all(abs(ours[n] - theirs[n]) < 1e-9 for n in theirs)
    True
    >>> max(ours, key=ours.get)
    'Medici'
    """
    if k is not None and k < 1:
        raise ValidationError("error.at_least_1", k=k, fill={"name": "k"})
    return engine.betweenness(G, groups, k=k, seed=seed)[0]


def structural_holes(G: nx.MultiDiGraph) -> tuple[dict[Any, float], dict[Any, float]]:
    """Burt's constraint and effective size of every node, weighted by tie strength.

    Same definitions as networkx's ``constraint`` and ``effective_size`` with
    ``weight="strength"``, on igraph (``engine.constraint``, ``engine.effective_size``);
    memoised.

    Examples
    --------
    >>> import math
    >>> K = nx.karate_club_graph()
    >>> G = nx.MultiDiGraph()
    >>> _ = [G.add_edge(u, v, key="KNOWS", kind="KNOWS", strength=d["weight"] / 7)
    ...      for u, v, d in K.edges(data=True)]
    >>> c, e = structural_holes(G)
    >>> H = nx.Graph((u, v, {"strength": d["weight"] / 7}) for u, v, d in K.edges(data=True))
    >>> ref_c = nx.constraint(H, weight="strength")
    >>> ref_e = nx.effective_size(H, weight="strength")
    >>> all(math.isclose(c[n], ref_c[n]) and math.isclose(e[n], ref_e[n]) for n in H)
    True
    """

    def build():
        # igraph's constraint (C); effective size over igraph's triangles (C and numpy)
        return engine.constraint(G), engine.effective_size(G)

    return cached(G, "structural_holes", build)


GROUPINGS = ("community", "none", "district", "age_band", "background", "kind",
             "kommunenummer")


def _groups(G: nx.MultiDiGraph, by: str, resolution: float) -> dict[Any, Any] | None:
    if by not in GROUPINGS:
        raise ValidationError("error.unknown_grouping", by=by,
                              fill={"known": ", ".join(GROUPINGS)})
    if by == "none":
        return None
    if by == "community":
        from graphsvc.analysis.communities import partition

        return partition(G, resolution=resolution)
    return {n: d.get(by) for n, d in G.nodes(data=True)}


def brokers(
    G: nx.MultiDiGraph, *, by: str = "community", top: int = 20, k: int | None = None,
    seed: int = 0, resolution: float = 1.0, kinds: tuple[str, ...] | None = None,
    rules: Rules | None = None, show_names: bool = False, lang: str = "nb",
    exact_later: bool = False,
) -> dict[str, Any]:
    """The bridge builders: actors ranked by cross-group betweenness, with Burt's measures.

    Parameters
    ----------
    G : the snapshot graph.
    by : what a group is: ``"community"`` (Louvain), a node attribute (``"district"``,
        ``"age_band"``, ``"kind"``) or ``"none"`` (plain betweenness).
    top : how many to return.
    k : sampled sources; default ``default_sources``: exact up to 3 000 nodes, else 100 to
        500 sampled sources (or the exact values, once computed for this graph).
    seed : seed of the sample and of Louvain.
    kinds : only rank actors of these kinds.
    exact_later : when the default sample answers, compute the exact values in the background
        (``engine.exact_later``, up to ``engine.EXACT_LATER_WORK``): a later call on the same
        graph gets them, and ``approximation["exact_later"]`` says so meanwhile. Without
        ``k``, exact values already computed for this graph are always used.

    Returns
    -------
    ``{"by", "exact", "sources", "approximation", "count", "results": [...]}``;
    ``approximation`` is ``None`` when exact, else ``{"epsilon", "delta", "samples", "method"}``:
    with probability ``1 - delta`` every betweenness is within ``epsilon`` of the exact value.
    Each result has ``actor``,
    ``betweenness``, ``constraint``, ``effective_size``, ``degree``, ``groups_reached``,
    ``explanation``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for a, b in [("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"),
    ...              ("b1", "b3"), ("a3", "x"), ("x", "b1")]:
    ...     _ = G.add_edge(a, b, key="KNOWS", kind="KNOWS", strength=0.5)
    >>> for n in G:
    ...     G.nodes[n].update(kind="individual", node_type="actor", district=n[0], name=n)
    >>> out = brokers(G, by="district", top=1, show_names=True)
    >>> out["results"][0]["actor"]["id"]
    'x'
    """
    rules = rules or load_rules()
    n = G.number_of_nodes()
    if top < 1:
        raise ValidationError("error.at_least_1", top=top, fill={"name": "top"})
    e = engine.engine(G)
    exact_key = f"cgb:{by}:{resolution}:None:{seed}"
    default = k is None
    if default and exact_key not in G.graph.get("_cache", {}):
        k = default_sources(n, e.graph.ecount() + len(e.loops))
    groups = _groups(G, by, resolution)
    if k is not None and k < 1:
        raise ValidationError("error.at_least_1", k=k, fill={"name": "k"})
    key = f"cgb:{by}:{resolution}:{k}:{seed}"
    bc, approximation = cached(G, key, lambda: engine.betweenness(G, groups, k=k, seed=seed))
    if approximation is not None and default and exact_later:
        approximation = {**approximation,
                         "exact_later": engine.exact_later(G, groups, exact_key)}
    constraint, effective = structural_holes(G)
    degree = e.degree()
    msg = MESSAGES.bind(lang)
    labels = _group_labels(G, by, resolution, lang)
    candidates = [x for x, d in G.nodes(data=True)
                  if d.get("node_type", "actor") == "actor"
                  and (kinds is None or d.get("kind") in kinds)]
    ranked = sorted(candidates, key=lambda x: (-bc.get(x, 0.0), str(x)))[:top]
    results = []
    for rank, x in enumerate(ranked, 1):
        i = e.index[x]
        contacts = [e.nodes[j] for j in e.graph.neighbors(i)] + ([x] if x in e.loops else [])
        reached = sorted({groups.get(m) for m in contacts if groups.get(m) is not None},
                         key=str) if groups else []
        c, eff = constraint[x], effective[x]
        share = round(100 * bc[x], 2)
        lines = [msg("between", share=share, groups=term(by, lang, 2)) if groups is not None
                 else msg("between_all", share=share)]
        if groups is not None and reached:
            names = ", ".join(labels(g) for g in reached[:SHOWN_GROUPS])
            if len(reached) > SHOWN_GROUPS:
                names += msg("more", n=len(reached) - SHOWN_GROUPS)
            lines.append(msg("groups", n=len(reached), noun=term(by, lang, len(reached)),
                           names=names))
        elif groups is not None:
            lines.append(msg("no_groups", noun=term(by, lang, 2)))
        if not math.isnan(c):
            lines.append(msg("constraint", c=round(c, 3), how=msg("low" if c < 0.3 else "high")))
            lines.append(msg("effective", e=round(eff, 1), d=int(degree[i])))
        results.append({
            "rank": rank,
            "actor": {"id": x, "name": display_name(x, G.nodes[x], show_names, lang),
                      "kind": G.nodes[x].get("kind"),
                      "kind_name": kind_name(G.nodes[x].get("kind"), lang),
                      "district": G.nodes[x].get("district")},
            "betweenness": round(bc[x], 6),
            "constraint": None if math.isnan(c) else round(c, 4),
            "effective_size": None if math.isnan(eff) else round(eff, 3),
            "degree": int(degree[i]),
            "groups_reached": len(reached),
            "explanation": lines,
        })
    return {"by": by, "exact": k is None or k >= n, "sources": n if k is None else min(k, n),
            "approximation": approximation, "nodes": n, "count": len(results),
            "results": results}


def _group_labels(G: nx.MultiDiGraph, by: str, resolution: float, lang: str):
    """How a group reads: a community by its name, an actor kind by its word, else its value."""
    if by == "community":
        from graphsvc.analysis.communities import community_names

        names = community_names(G, resolution=resolution, lang=lang)  # as _groups
        return lambda g: names.get(g, str(g))
    if by == "kind":
        return lambda g: kind_name(g, lang, 2)
    return str
