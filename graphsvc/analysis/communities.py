"""Communities (Louvain, on igraph's C core) and silos: groups that mostly talk among
themselves.

A *silo* is a community with few bridging or linking ties out of it — practitioners' "each on
their own tussock" (DESIGN 1). See docs/analysis/communities.md.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx
import numpy as np

from graphsvc.analysis import engine
from graphsvc.analysis._cache import _strongest, cached
from graphsvc.analysis.classify import tie_class
from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.errors import ValidationError
from graphsvc.i18n import capital, check_lang, kind_name, register
from graphsvc.privacy import display_name

SILO_SHARE = 0.05  # a community is a silo when fewer than 5 % of its ties reach out of it

MESSAGES = register(__name__, {
    "nb": {
        "around": "rundt {hub}",
        "around_in": "rundt {hub} ({district})",
        "people_in": "enkeltpersoner i {district}",
        "people": "enkeltpersoner uten kjent grend",
        "community": "{name}: {size} {size:aktør|aktører}, mest {kinds}",
        "districts": "{n:grend|grender}: {names}",
        "silo": "Silo: bare {out} av {total} bånd ({share} %) går ut av fellesskapet",
        "open": "{out} av {total} bånd ({share} %) går ut av fellesskapet ({bridging} "
                "brobyggende, {linking} forbindende)",
        "isolated": "Enkeltaktør uten bånd til andre",
    },
    "en": {
        "around": "around {hub}",
        "around_in": "around {hub} ({district})",
        "people_in": "individuals in {district}",
        "people": "individuals with no known district",
        "community": "{name}: {size} {size:actor|actors}, mostly {kinds}",
        "districts": "{n:district|districts}: {names}",
        "silo": "Silo: only {out} of {total} {total:tie|ties} ({share} %) leave the community",
        "open": "{out} of {total} {total:tie|ties} ({share} %) leave the community ({bridging} "
                "bridging, {linking} linking)",
        "isolated": "A single actor with no ties to others",
    },
})


def partition(G: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 0) -> dict[Any, int]:
    """Node → community number (0 = largest), by Louvain on tie strengths (``engine.louvain``:
    igraph's multilevel refined by Leiden, deterministic for one seed); memoised.

    >>> G = nx.MultiDiGraph()
    >>> for a, b in [(1, 2), (2, 3), (1, 3), (4, 5), (5, 6), (4, 6), (3, 4)]:
    ...     _ = G.add_edge(a, b, key="KNOWS", kind="KNOWS", strength=0.5)
    >>> p = partition(G)
    >>> p[1] == p[2] == p[3] != p[4] == p[5] == p[6]
    True
    """
    if resolution <= 0:
        raise ValidationError("error.positive", resolution=resolution,
                              fill={"name": "resolution"})

    def build() -> dict[Any, int]:
        found = engine.louvain(G, resolution=resolution, seed=seed)  # igraph's C core
        found.sort(key=lambda c: (-len(c), min(map(str, c))))
        number = {n: i for i, c in enumerate(found) for n in c}
        # in the graph's node order, not the sets': theirs follows the process's string
        # hashing, and so did the district a community was named by when two were as common
        return {n: number[n] for n in G if n in number}

    return cached(G, f"louvain:{resolution}:{seed}", build)


def community_names(
    G: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 0, lang: str = "nb",
) -> dict[int, str]:
    """A name a planner recognises for each community: its best-connected organisation (never
    a person), with its main district where the name does not already say it; a community of
    individuals only is named by its main district. Memoised.

    >>> G = nx.MultiDiGraph()
    >>> for a, b in [("p1", "lag"), ("p2", "lag"), ("p1", "p2"), ("q1", "q2")]:
    ...     _ = G.add_edge(a, b, key="KNOWS", kind="KNOWS", strength=0.5)
    >>> G.add_node("lag", kind="association", name="Holmen sykkelgruppe", district="Holmen")
    >>> for n in ("p1", "p2", "q1", "q2"):
    ...     G.nodes[n].update(kind="individual", district="Holmen" if n[0] == "p" else "Vik")
    >>> sorted(community_names(G).values())
    ['enkeltpersoner i Vik', 'rundt Holmen sykkelgruppe']
    """
    lang = check_lang(lang)

    def build() -> dict[int, str]:
        msg = MESSAGES.bind(lang)
        part = partition(G, resolution=resolution, seed=seed)
        e = engine.engine(G)
        degree = dict(zip(e.nodes, e.degree().tolist(), strict=True))
        attrs = G._node  # not G.nodes[n]: its view costs a second at 100 000 actors
        members: dict[int, list[Any]] = {}
        for n, c in part.items():
            members.setdefault(c, []).append(n)
        names: dict[int, str] = {}
        taken: Counter = Counter()
        for c in sorted(members):
            nodes = members[c]
            districts = Counter(d for n in nodes if (d := attrs[n].get("district")))
            main = districts.most_common(1)[0][0] if districts else None
            hubs = sorted((n for n in nodes if attrs[n].get("kind") != "individual"),
                          key=lambda n: (-degree[n], str(n)))
            if hubs:
                hub = display_name(hubs[0], attrs[hubs[0]], False, lang)
                name = (msg("around", hub=hub) if not main or main.casefold() in hub.casefold()
                        else msg("around_in", hub=hub, district=main))
            else:
                name = msg("people_in", district=main) if main else msg("people")
            taken[name] += 1
            names[c] = name if taken[name] == 1 else f"{name} ({taken[name]})"
        return names

    return cached(G, f"community_names:{resolution}:{seed}:{lang}", build)


def _tie_counts(G: nx.MultiDiGraph, part: dict[Any, int], n_comm: int, rules: Rules
                ) -> tuple[list[int], list[Counter]]:
    """Trust-graph ties inside each community, and those out of it by class.

    Counted over igraph's edge list with numpy; only the ties that leave a community are
    classified (``classify.tie_class`` on the trust-graph edge's tie, as ``pair_class`` does for
    every tie: at 100 000 actors that is 5 s, most of a cold answer).
    """
    e = engine.engine(G)
    inside = [0] * n_comm
    out = [Counter() for _ in range(n_comm)]
    for n in e.loops:  # the engine leaves them out; the trust graph's edges have them
        inside[part[n]] += 1
    if not e.graph.ecount():
        return inside, out
    member = np.fromiter((part[x] for x in e.nodes), dtype=np.int64, count=len(e.nodes))
    ends = e.edges()
    cu, cv = member[ends[:, 0]], member[ends[:, 1]]
    same = cu == cv
    for c, count in enumerate(np.bincount(cu[same], minlength=n_comm).tolist()):
        inside[c] += count
    cache = G.graph.get("_cache", {})
    known = cache.get(f"pair_class:{rules.key}")
    H = cache.get("trust_graph")
    of = tie_class(G, rules=rules) if known is None else None
    for a, b in ends[~same].tolist():
        u, v = e.nodes[a], e.nodes[b]
        if of is None:
            c = known[(u, v)]
        else:  # the trust graph's edge: its strongest tie, the first in G's order
            tie = H._adj[u][v] if H is not None else _strongest(G, u, v, e.index)
            s = tie["source"]
            c = of(s, v if s == u else u, tie["kind"])
        out[part[u]][c] += 1
        out[part[v]][c] += 1
    return inside, out


def communities(
    G: nx.MultiDiGraph, *, resolution: float = 1.0, seed: int = 0, min_size: int = 2,
    silo_share: float = SILO_SHARE, members: int = 5, rules: Rules | None = None,
    show_names: bool = False, lang: str = "nb",
) -> dict[str, Any]:
    """Louvain communities with their make-up and their ties out; silos flagged.

    Parameters
    ----------
    G : the snapshot graph.
    resolution : Louvain resolution; lower gives fewer, larger communities.
    seed : random seed (the answer is deterministic for one seed).
    min_size : communities smaller than this are counted but not listed.
    silo_share : a community whose share of ties leaving it is below this is a silo.
    members : how many of the best-connected members to name per community.

    Returns
    -------
    ``{"count", "listed", "silos", "communities": [...]}``; each community has ``size``,
    ``kinds``, ``districts``, ``internal_ties``, ``ties_out`` by class, ``silo`` and
    ``explanation``.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> for a, b in [("a1", "a2"), ("a2", "a3"), ("a1", "a3"), ("b1", "b2"), ("b2", "b3"),
    ...              ("b1", "b3")]:
    ...     _ = G.add_edge(a, b, key="KNOWS", kind="KNOWS", strength=0.5)
    >>> for n in G:
    ...     G.nodes[n].update(kind="individual", district=n[0])
    >>> out = communities(G, lang="en")
    >>> out["count"], out["silos"]
    (2, 2)
    """
    rules = rules or load_rules()
    part = partition(G, resolution=resolution, seed=seed)
    e = engine.engine(G)
    degree = dict(zip(e.nodes, e.degree().tolist(), strict=True))
    attrs = G._node
    msg = MESSAGES.bind(lang)
    names = community_names(G, resolution=resolution, seed=seed, lang=lang)
    n_comm = max(part.values(), default=-1) + 1
    inside, out = _tie_counts(G, part, n_comm, rules)
    groups: dict[int, list[Any]] = {}
    for n, c in part.items():
        groups.setdefault(c, []).append(n)
    listed, silos = [], 0
    for c in range(n_comm):
        nodes = groups[c]
        n_out = sum(out[c].values())
        total = inside[c] + n_out
        share = n_out / total if total else 0.0
        silo = len(nodes) >= min_size and share < silo_share
        silos += silo
        if len(nodes) < min_size:
            continue
        kinds = Counter(attrs[n].get("kind") for n in nodes)
        districts = Counter(d for n in nodes if (d := attrs[n].get("district")))
        top = sorted(nodes, key=lambda n: (-degree[n], str(n)))[:members]
        words = {"out": n_out, "total": total, "share": round(100 * share, 1),
                 "bridging": out[c]["bridging"], "linking": out[c]["linking"]}
        summary = msg("community", name=capital(names[c]), size=len(nodes),
                    kinds=", ".join(f"{v} {kind_name(k, lang, v)}"
                                    for k, v in kinds.most_common(3)))
        if districts:
            shown = [d for d, _ in districts.most_common(5)]
            summary += "; " + msg("districts", n=len(districts), names=", ".join(shown)
                                + (" …" if len(districts) > 5 else ""))
        listed.append({
            "id": c, "name": names[c], "size": len(nodes), "silo": silo,
            "kinds": dict(kinds.most_common()),
            "districts": dict(districts.most_common(5)),
            "internal_ties": inside[c],
            "ties_out": {k: out[c].get(k, 0) for k in ("bonding", "bridging", "linking")},
            "share_out": round(share, 4),
            "members": [{"id": n, "name": display_name(n, attrs[n], show_names, lang),
                         "kind": attrs[n].get("kind")} for n in top],
            "explanation": [summary, msg("silo" if silo else "open", **words)],
        })
    return {"count": n_comm, "listed": len(listed), "silos": silos,
            "resolution": resolution, "communities": listed}
