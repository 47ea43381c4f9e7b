"""Which part of the graph a map or print shows, what it highlights, and its title and subtitle.
Shared by the API and the CLI, so ``/maps/{view}.html`` and ``graphsvc map VIEW`` agree.

The views draw analysis results: handed to them (a labelled path, unmet needs), or asked of
``graphsvc.analysis`` (the best path of trusted ties with its hops labelled bonding, bridging or
linking; the unmet needs of the gap report). Where that module is missing they fall back to
plain stand-ins: a shortest path with unlabelled hops, needs whose category nobody offers.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise
from typing import Any

import networkx as nx

from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.i18n import check_lang, register
from graphsvc.taxonomy import load_taxonomy

VIEWS = ("network", "district", "ego", "path", "gaps")
HOP_KINDS = ("bonding", "bridging", "linking", "unlabelled")
TITLES = register(f"{__name__}.titles", {
    "nb": {"network": "Ressurskart", "district": "Ressurskart", "ego": "Ressurskart rundt",
           "path": "Vei i nettverket", "gaps": "Udekkede behov og isolerte aktører"},
    "en": {"network": "Resource map", "district": "Resource map", "ego": "Resource map around",
           "path": "Path through the network", "gaps": "Unmet needs and isolated actors"},
}).table
_WORDS = register(__name__, {
    "nb": {"district": "Grend", "kinds": "Aktører", "category": "Kategori", "from": "Fra",
           "to": "til", "depth": "inntil {d} ledd unna"},
    "en": {"district": "District", "kinds": "Actors", "category": "Category", "from": "From",
           "to": "to", "depth": "up to {d} {d:step|steps} away"},
})
EGO_LIMIT = 400  # an ego map beyond this stops being readable; keep the best connected


@dataclass
class View:
    """A graph to draw and what to draw on it (the renderers' keyword arguments)."""

    name: str
    graph: nx.MultiDiGraph
    title: str
    subtitle: str
    highlight: list[Any] = field(default_factory=list)
    marks: dict[Hashable, str] = field(default_factory=dict)
    hop_labels: dict[tuple[Hashable, Hashable], str] = field(default_factory=dict)
    focus: Hashable | None = None

    def render_kwargs(self) -> dict[str, Any]:
        return {"title": self.title, "subtitle": self.subtitle, "highlight": self.highlight,
                "marks": self.marks, "hop_labels": self.hop_labels, "focus": self.focus}


def build_view(
    G: nx.MultiDiGraph,
    view: str = "network",
    *,
    lang: str = "nb",
    district: str | None = None,
    kinds: Sequence[str] | None = None,
    category: str | None = None,
    focus: str | None = None,
    depth: int = 2,
    source: str | None = None,
    target: str | None = None,
    path: Sequence[Hashable] | None = None,
    hops: Sequence[str] | None = None,
    unmet_needs: Iterable[str] | None = None,
    isolated: Iterable[Hashable] | None = None,
    today: date | None = None,
) -> View:
    """The ``view`` of ``G`` with the filters applied.

    ``network`` (optionally one district), ``district`` (requires ``district``), ``ego`` (the
    actors within ``depth`` ties of ``focus``, drawn in ABCD rings), ``path`` (``path`` with
    its ``hops`` labels, or a shortest path ``source`` → ``target``) and ``gaps`` (holders of
    ``unmet_needs`` and ``isolated`` actors). ``kinds`` and ``category`` keep only matching
    actors, but never drop the focus or the path.
    """
    if view not in VIEWS:
        raise ValidationError(f"unknown view '{view}' (use {', '.join(VIEWS)})", view=view)
    if view == "district" and not district:
        raise ValidationError("the district view needs a district", view=view)
    if district:
        _check_district(G, district)
    keep: set[Hashable] = set()
    out = View(view, G, "", "")
    if view in ("network", "district"):
        H = select(G, district)
    elif view == "ego":
        if not focus:
            raise ValidationError("the ego map needs a focus actor or initiative id", view=view)
        _check_node(G, focus)
        H = ego_graph(G, focus, depth=depth, district=district)
        out.focus, out.marks = focus, {focus: "focus"}
        keep = {focus}
    elif view == "path":
        if path:
            nodes, labels = list(path), list(hops or [])
        else:
            nodes, labels = labelled_path(G, source, target)
        if len(labels) not in (0, len(nodes) - 1):
            raise ValidationError("a path of n actors has n-1 hop labels", hops=len(labels))
        labels = labels or ["unlabelled"] * (len(nodes) - 1)
        for n in nodes:
            _check_node(G, n)
        H = _with_neighbours(G, nodes)
        out.highlight = list(pairwise(nodes))
        out.hop_labels = {(u, v): h for (u, v), h in zip(out.highlight, labels, strict=True)}
        out.marks = {n: "path" for n in nodes}
        keep = set(nodes)
    else:  # gaps
        H = select(G, district)
        needy = unmet_need_holders(H, unmet_needs)
        alone = set(isolated) if isolated is not None else isolated_actors(H)
        out.marks = {n: "isolated" for n in alone if n in H}
        out.marks.update({n: "unmet" for n in needy if n in H})
        keep = set(out.marks)
    out.graph = filter_graph(H, kinds=kinds, category=category, keep=keep)
    out.title = title_for(G, lang, district, view=view, focus=focus)
    out.subtitle = subtitle_for(G, lang, district=district, kinds=kinds, category=category,
                                path=list(out.marks) if view == "path" else None,
                                depth=depth if view == "ego" else None, today=today)
    return out


def select(G: nx.MultiDiGraph, district: str | None) -> nx.MultiDiGraph:
    """One district's actors (and the ties among them), or the whole graph."""
    if not district:
        return G
    _check_district(G, district)
    return G.subgraph(n for n, d in G.nodes(data=True) if d.get("district") == district).copy()


def filter_graph(
    G: nx.MultiDiGraph,
    *,
    kinds: Sequence[str] | None = None,
    category: str | None = None,
    keep: Iterable[Hashable] = (),
) -> nx.MultiDiGraph:
    """Only actors of ``kinds`` offering or needing ``category`` (or a category under it), plus
    ``keep``."""
    if not kinds and not category:
        return G
    keep = set(keep)
    wanted = set(kinds or ())

    def fits(d: dict[str, Any]) -> bool:
        if wanted and d.get("kind") not in wanted:
            return False
        if category:
            cats = [str(h.get("category", "")) for h in (d.get("offers") or []) + (d.get("needs")
                                                                                 or [])]
            return any(c == category or c.startswith(category + ".") for c in cats)
        return True

    return G.subgraph(n for n, d in G.nodes(data=True) if n in keep or fits(d)).copy()


def ego_graph(
    G: nx.MultiDiGraph, focus: Hashable, *, depth: int = 2, district: str | None = None,
    limit: int = EGO_LIMIT,
) -> nx.MultiDiGraph:
    """``focus`` and the actors within ``depth`` ties of it (either direction); beyond ``limit``
    the nearest first, then the best connected."""
    U = G.to_undirected(as_view=True)
    dist = nx.single_source_shortest_path_length(U, focus, cutoff=max(1, depth))
    if district:
        dist = {n: d for n, d in dist.items() if n == focus or G.nodes[n].get("district")
                == district}
    nodes = sorted(dist, key=lambda n: (dist[n], -G.degree(n), str(n)))[:limit]
    return G.subgraph(nodes).copy()


def labelled_path(
    G: nx.MultiDiGraph, source: str | None, target: str | None
) -> tuple[list[Hashable], list[str]]:
    """The analysis module's best path of trusted ties with each hop's kind of social capital;
    a plain shortest path with unlabelled hops where that module is not installed."""
    if not source or not target:
        raise ValidationError("the path map needs a path, or 'from' and 'to' actor ids")
    _check_node(G, source)
    _check_node(G, target)
    try:
        from graphsvc.analysis.paths import path_between
    except ImportError:
        nodes = shortest_path(G, source, target)
        return nodes, ["unlabelled"] * (len(nodes) - 1)
    found = path_between(G, source, target, alternatives=0)
    if not found["paths"]:
        raise NotFoundError(f"no path between '{source}' and '{target}'", source=source,
                            target=target)
    best = found["paths"][0]
    labels = [h["class"] if h["class"] in HOP_KINDS else "unlabelled" for h in best["hops"]]
    return [n["id"] for n in best["nodes"]], labels


def shortest_path(G: nx.MultiDiGraph, source: str | None, target: str | None) -> list[Hashable]:
    """A shortest chain of ties between two actors, ignoring direction (the stand-in until the
    analysis module's labelled bridging/linking paths are wired in)."""
    if not source or not target:
        raise ValidationError("the path map needs a path, or 'from' and 'to' actor ids")
    _check_node(G, source)
    _check_node(G, target)
    try:
        return nx.shortest_path(G.to_undirected(as_view=True), source, target)
    except nx.NetworkXNoPath:
        raise NotFoundError(f"no path between '{source}' and '{target}'", source=source,
                            target=target) from None


def isolated_actors(G: nx.MultiDiGraph) -> set[Hashable]:
    """Actors with no tie at all.

    >>> G = nx.MultiDiGraph([("a", "b")]); G.add_node("c")
    >>> sorted(isolated_actors(G))
    ['c']
    """
    return {n for n in G if G.degree(n) == 0 and G.nodes[n].get("kind") != "initiative"}


def unmet_need_holders(G: nx.MultiDiGraph, need_ids: Iterable[str] | None) -> set[Hashable]:
    """Who holds the given unmet needs; with none given, those of the analysis module's gap
    report (or, where it is not installed, needs whose category nobody in ``G`` offers)."""
    if need_ids is None:
        try:
            from graphsvc.analysis.gaps import unmet_needs
        except ImportError:
            pass
        else:
            need_ids = [i["need"] for i in unmet_needs(G, limit=G.number_of_nodes() * 50 + 50)
                        ["items"]]
    if need_ids is not None:
        wanted = set(need_ids)
        return {n for n, d in G.nodes(data=True)
                if any(h.get("id") in wanted for h in d.get("needs") or [])}
    offered = {h.get("category") for _, d in G.nodes(data=True) for h in d.get("offers") or []}
    return {n for n, d in G.nodes(data=True)
            if any(h.get("category") not in offered for h in d.get("needs") or [])}


def title_for(
    G: nx.MultiDiGraph, lang: str, district: str | None, *, view: str = "network",
    focus: str | None = None,
) -> str:
    """``Ressurskart – Fjordvik kommune – Holmen``; an ego map names its focus."""
    titles = TITLES[check_lang(lang)]
    first = titles.get(view, titles["network"])
    if view == "ego" and focus in G:
        first = f"{first} {_public_name(G, focus, lang)}"
    return " – ".join([first] + [p for p in (kommune_name(G), district) if p])


def subtitle_for(
    G: nx.MultiDiGraph, lang: str, *, district: str | None = None,
    kinds: Sequence[str] | None = None, category: str | None = None,
    path: Sequence[Hashable] | None = None, depth: int | None = None,
    today: date | None = None,
) -> str:
    """Kommune, the filters in the reader's words, and the date."""
    from visualisations.encoding import kind_label

    w = _WORDS.table[check_lang(lang)]
    parts = [p for p in (kommune_name(G),) if p]
    if district:
        parts.append(f"{w['district']}: {district}")
    if kinds:
        parts.append(f"{w['kinds']}: " + ", ".join(kind_label(k, lang).lower() for k in kinds))
    if category:
        parts.append(f"{w['category']}: {load_taxonomy().name(category, lang)}")
    if path:
        parts.append(f"{w['from']} {_public_name(G, path[0], lang)} {w['to']} "
                     f"{_public_name(G, path[-1], lang)}")
    if depth:
        parts.append(_WORDS("depth", lang, d=depth))
    parts.append((today or date.today()).strftime("%d.%m.%Y"))
    return " · ".join(parts)


def kommune_name(G: nx.MultiDiGraph) -> str | None:
    return next(
        (str(d["name"]) for _n, d in sorted(G.nodes(data=True), key=lambda x: str(x[0]))
         if d.get("kind") == "municipality" and d.get("name")),
        None,
    )


def _public_name(G: nx.MultiDiGraph, node: Hashable, lang: str) -> str:
    """A title may name an organisation but never a person (titles reach every reader)."""
    from graphsvc.privacy import display_name

    return display_name(str(node), G.nodes[node], False, lang)


def _with_neighbours(G: nx.MultiDiGraph, nodes: Sequence[Hashable], per_node: int = 8):
    """The path and, for context, a few of the best connected neighbours of each step."""
    chosen = set(nodes)
    U = G.to_undirected(as_view=True)
    for n in nodes:
        extra = sorted((m for m in U[n] if m not in chosen), key=lambda m: (-G.degree(m), str(m)))
        chosen.update(extra[:per_node])
    return G.subgraph(chosen).copy()


def _check_node(G: nx.MultiDiGraph, node: Hashable) -> None:
    if node not in G:
        raise NotFoundError(f"no actor or initiative with id '{node}'", id=str(node))


def _check_district(G: nx.MultiDiGraph, district: str) -> None:
    if not any(d.get("district") == district for _, d in G.nodes(data=True)):
        raise NotFoundError(f"no actors in district '{district}'", district=district)


def booklet_views(
    G: nx.MultiDiGraph, *, lang: str = "nb", kinds: Sequence[str] | None = None,
    category: str | None = None, today: date | None = None,
) -> list[View]:
    """A workshop booklet: the whole community, then one page per district."""
    districts = sorted({str(d["district"]) for _, d in G.nodes(data=True) if d.get("district")})
    common = {"lang": lang, "kinds": kinds, "category": category, "today": today}
    return [build_view(G, "network", **common)] + [
        build_view(G, "district", district=d, **common) for d in districts
    ]
