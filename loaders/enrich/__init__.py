"""From registers to an asset map (DESIGN 5.1): enrichment steps run on every import, after the
files are read and merged with the store and before the one atomic write.

A step is a function ``step(store, batch, ctx) -> dict`` that may change ``batch`` in place
(add ties, offers, districts; merge actors) and returns its part of the import report (counts,
lists for a person to confirm). Every fact a step derives carries the rule that made it and is
marked unconfirmed until a workshop sheet or the actor confirms it. Steps are pure over
(store contents, batch): running an import twice derives the same facts, so a reload changes
nothing.

The order matters and is fixed here: ties the registers know, then one actor per organisation
(fuzzy merge), then districts, then offers (which may depend on kind and district).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from graphsvc.model import GraphBatch
from graphsvc.store.base import GraphStore


@dataclass
class Context:
    """What a step may know about the import besides the batch."""

    kommuner: list[str] | None = None
    formats: list[str] = field(default_factory=list)
    options: dict[str, Any] = field(default_factory=dict)


Step = Callable[[GraphStore, GraphBatch, Context], dict[str, Any]]

from loaders.enrich.register_ties import register_ties  # noqa: E402 (needs Context first)
from loaders.enrich.districts import step as districts  # noqa: E402
from loaders.enrich.offers import step as offers  # noqa: E402
from loaders.enrich.dedupe import step as dedupe  # noqa: E402

# (report key, step) in the order they run; each step's module adds itself here.
STEPS: list[tuple[str, Step]] = [
    ("ties", register_ties),
    ("merge", dedupe),
    ("districts", districts),  # after "merge": one actor per organisation first
    ("offers", offers),  # last: reads the kind the other steps settled
]


def enrich(store: GraphStore, batch: GraphBatch, ctx: Context) -> dict[str, Any]:
    """Run every step over ``batch``; the report sections by step name."""
    return {name: step(store, batch, ctx) for name, step in STEPS}
