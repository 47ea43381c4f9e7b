"""Loaders turn the files planners have into validated model rows (DESIGN 5), one module per
format, each returning a :class:`LoadResult`: the rows to write plus every rejected row with its
line and reason. Loaders import only the graphsvc core; they never write to a store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from graphsvc.errors import RowError
from graphsvc.i18n import register_texts
from graphsvc.model import GraphBatch, Provenance

__all__ = ["LoadResult", "Patch", "read_workshop"]

# Texts more than one loader says (each loader registers its own beside its code).
TEXTS = register_texts(__name__, {
    "nb": {
        "skip.outside_kommuner": "utenfor de valgte kommunene",
        "error.json.invalid": "{file}: er ikke gyldig JSON ({problem})",
    },
    "en": {
        "skip.outside_kommuner": "outside the chosen kommuner",
        "error.json.invalid": "{file}: is not valid JSON ({problem})",
    },
})


@dataclass
class Patch:
    """Fields for an actor another source creates (Frivillighetsregisteret has no names): the
    importer applies it to the actor with this id, or reports the id as having no actor."""

    actor_id: str
    fields: dict[str, Any]
    line: int
    provenance: Provenance


@dataclass
class LoadResult:
    """What one file gave: the batch to write, how many data rows were read, the rows left out
    (one :class:`RowError` per problem, so a row can appear more than once), and the columns
    that were not used (a misspelt header shows up here instead of silently losing data)."""

    batch: GraphBatch
    rows_read: int
    rejected: list[RowError]
    source: str
    ignored_columns: list[str] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> entities not loaded
    patches: list[Patch] = field(default_factory=list)

    @property
    def rows_rejected(self) -> int:
        return len({e.line for e in self.rejected})

    @property
    def rows_loaded(self) -> int:
        return self.rows_read - self.rows_rejected

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        """The import report as plain JSON data: counts and problems, never the rows themselves
        (they may hold personal data); reasons in ``lang`` (default bokmål)."""
        b = self.batch
        out = {
            "source": self.source,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_rejected": self.rows_rejected,
            "counts": {
                "actors": len(b.actors),
                "initiatives": len(b.initiatives),
                "resources": len(b.resources),
                "needs": len(b.needs),
                "ties": len(b.ties),
            },
            "rejected": [e.to_dict(lang) for e in self.rejected],
            "ignored_columns": list(self.ignored_columns),
        }
        if self.skipped:
            out["skipped"] = dict(sorted((getattr(k, "in_", lambda _l, k=k: str(k))(lang), n)
                                         for k, n in self.skipped.items()))
        return out


# Imported after LoadResult on purpose: the loader modules import it from this package.
from loaders.workshop import read_workshop
