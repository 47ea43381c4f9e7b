"""The in-memory networkx snapshot the service answers from (DESIGN 3.1).

Rebuilt only when the store's revision has moved, so queries between writes cost no database
round trip. Thread-safe: API routes run in a thread pool. The functions below read it for the
lists the API and ``graphsvc list`` share (search, districts, initiatives' coverage).
"""

from __future__ import annotations

import threading
import unicodedata

import networkx as nx

from graphsvc.errors import ValidationError
from graphsvc.privacy import display_name
from graphsvc.store.base import GraphStore


class Snapshot:
    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self._graph: nx.MultiDiGraph | None = None
        self._revision: int | None = None
        self._lock = threading.Lock()
        self.rebuilds = 0

    def graph(self) -> nx.MultiDiGraph:
        revision = self.store.revision()
        if self._graph is not None and revision == self._revision:
            return self._graph
        with self._lock:
            if self._graph is None or revision != self._revision:
                graph = self.store.to_networkx()
                graph.graph["revision"] = revision
                self._graph, self._revision = graph, revision
                self.rebuilds += 1
            return self._graph


# ---- reading the snapshot: what the API's lists and ``graphsvc list`` share ----------------

# Letters NFKD does not take apart (ø, æ are letters of their own), folded so that "Tromoya"
# finds "Tromøya"; å, é, ü … lose their marks through NFKD.
_FOLD = str.maketrans({"ø": "o", "æ": "ae", "ß": "ss", "đ": "d", "ł": "l"})


def search_key(text: str) -> str:
    """``text`` folded for search: case- and diacritics-insensitive.

    >>> search_key("Tromøya FRIVILLIGSENTRAL") == search_key("tromoya frivilligsentral")
    True
    >>> search_key("Sørbø Ålesund")
    'sorbo alesund'
    """
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def known_district(G: nx.MultiDiGraph, district: str) -> str:
    """The district as the graph spells it (case-insensitive), or a ``ValidationError`` that
    lists the known ones: a misspelt district must not silently answer "nothing there"."""
    known = sorted({str(d["district"]) for _n, d in G.nodes(data=True) if d.get("district")})
    for name in known:
        if name.casefold() == district.casefold():
            return name
    shown = ", ".join(known[:20]) + (" …" if len(known) > 20 else "")
    raise ValidationError("error.unknown_district", district=district, fill={"known": shown})


def select_nodes(
    G: nx.MultiDiGraph, node_type: str, *, kind: str | None = None,
    district: str | None = None, q: str | None = None, show_names: bool = False,
) -> list[str]:
    """Ids of the actors or initiatives (``node_type``) matching every filter given, sorted.
    ``q`` is part of the name as shown: an individual is found by name only when names are
    shown, else by pseudonym."""
    wanted = search_key(q) if q else None
    found = []
    for n, d in G.nodes(data=True):
        if d.get("node_type") != node_type or (kind and d.get("kind") != kind):
            continue
        if district and d.get("district") != district:
            continue
        if wanted and wanted not in search_key(display_name(n, d, show_names)):
            continue
        found.append(n)
    return sorted(found)


def participants(G: nx.MultiDiGraph, initiative: str) -> list[str]:
    """Actors with a ``PARTICIPATES_IN`` tie to the initiative, sorted."""
    return sorted({u for u, _v, k in G.in_edges(initiative, keys=True)
                   if k == "PARTICIPATES_IN" and G.nodes[u].get("node_type") == "actor"})


def coverage(G: nx.MultiDiGraph, initiative: str) -> tuple[dict[str, list[str]], list[str]]:
    """Which of the initiative's required categories its participants offer (category → who
    offers it), and which none of them does, in the initiative's order."""
    offered: dict[str, list[str]] = {}
    for actor in participants(G, initiative):
        for held in G.nodes[actor].get("offers", ()):
            offered.setdefault(held["category"], []).append(actor)
    required = list(G.nodes[initiative].get("required_categories", []))
    covered = {c: sorted(set(offered[c])) for c in required if c in offered}
    return covered, [c for c in required if c not in offered]
