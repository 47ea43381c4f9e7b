"""Enrichment step "districts": newly loaded actors get their district from the definition
their kommune stored with ``graphsvc districts`` / ``POST /districts`` (loaders/districts.py),
so every later import assigns the same way; a district set by hand is kept."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphsvc.model import Actor, GraphBatch
from graphsvc.store.base import GraphStore
from loaders.districts import DOCUMENT_PREFIX, assign

if TYPE_CHECKING:
    from loaders.enrich import Context


def step(store: GraphStore, batch: GraphBatch, ctx: Context) -> dict[str, Any]:
    kommuner = sorted({a.kommunenummer for a in batch.actors if a.kommunenummer})
    if any(a.kommunenummer is None for a in batch.actors):
        # An actor that names no kommune may lie in any kommune's districts (assign's adopt).
        defs = {d["id"]: d["value"] for d in store._all("documents")
                if d["id"].startswith(DOCUMENT_PREFIX)}
    else:
        defs = store.documents([DOCUMENT_PREFIX + k for k in kommuner])
    if not defs:
        return {}
    at = {a.id: i for i, a in enumerate(batch.actors)}
    data = [a.model_dump(mode="json", exclude_none=True) for a in batch.actors]
    out: dict[str, Any] = {}
    for _key, definition in sorted(defs.items()):
        changed, report = assign(data, definition)
        for row in changed:
            batch.actors[at[row["id"]]] = Actor.model_validate(row)
            data[at[row["id"]]] = row  # adopted by this kommune, not by the next
        if report["actors"]:
            out[definition["kommunenummer"]] = {k: report[k] for k in (
                "actors", "with_district", "by_rule", "adopted")} | {
                "without_district": [m["id"] for m in report["without_district"]],
                "names": {m["id"]: m["name"] for m in report["without_district"] if "name" in m}}
    return out
