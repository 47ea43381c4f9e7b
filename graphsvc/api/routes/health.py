"""Liveness, a summary of what the store holds, and whether an erasure is still pending."""

from __future__ import annotations

from collections import Counter

from fastapi import APIRouter

from graphsvc import __version__
from graphsvc.api.deps import GraphDep, SettingsDep, StoreDep

router = APIRouter(tags=["health"])


def _public_url(url: str) -> str:
    # Never echo credentials that might be embedded in a store URL.
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.rpartition('@')[2]}" if "@" in rest else url


@router.get("/health")
def health(settings: SettingsDep, store: StoreDep, G: GraphDep) -> dict:
    kinds = Counter(d.get("kind") for _n, d in G.nodes(data=True))
    return {
        "status": "ok",
        "version": __version__,
        "store": _public_url(settings.store if not store.url else store.url),
        "revision": store.revision(),
        "actors": sum(v for k, v in kinds.items() if k != "initiative"),
        "initiatives": kinds.get("initiative", 0),
        "ties": G.number_of_edges(),
        "by_kind": dict(sorted(kinds.items())),
        # Erased people whose bytes may still be on disk (SQLite: a reader kept the
        # write-ahead log from being emptied); completed on the next write or check.
        "erasure": {"pending": store.pending_erasures()},
    }
