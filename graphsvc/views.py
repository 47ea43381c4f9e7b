"""Which part of the graph a map or print shows, and its title. Shared by the API and the CLI."""

from __future__ import annotations

import networkx as nx

from graphsvc.errors import NotFoundError

TITLES = {"nb": "Ressurskart", "en": "Resource map"}


def select(G: nx.MultiDiGraph, district: str | None) -> nx.MultiDiGraph:
    """One district's actors (and the ties among them), or the whole graph."""
    if not district:
        return G
    core = {n for n, d in G.nodes(data=True) if d.get("district") == district}
    if not core:
        raise NotFoundError(f"no actors in district '{district}'", district=district)
    return G.subgraph(core).copy()


def title_for(G: nx.MultiDiGraph, lang: str, district: str | None) -> str:
    """``Ressurskart – Fjordvik kommune – Holmen``."""
    kommune = next(
        (d["name"] for _n, d in sorted(G.nodes(data=True)) if d.get("kind") == "municipality"),
        None,
    )
    return " – ".join([TITLES.get(lang, TITLES["nb"])] + [p for p in (kommune, district) if p])
