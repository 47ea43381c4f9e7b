"""Load files into a store: read them with the right loader, write the good rows in one atomic
batch, and report. Shared by ``graphsvc load`` and ``POST /imports``.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from graphsvc.errors import ImportFailed, RowError
from graphsvc.model import GraphBatch
from graphsvc.store.base import GraphStore

FORMATS = ("workshop",)


def detect_format(path: Path) -> str:
    if path.suffix.lower() in (".csv", ".xlsx", ".txt", ".tsv"):
        return "workshop"
    raise ImportFailed(
        f"{path.name}: cannot tell the format from the file name; use --format "
        f"({', '.join(FORMATS)})",
        file=str(path),
    )


def import_files(
    store: GraphStore,
    paths: list[str | Path],
    *,
    fmt: str | None = None,
    strict: bool = False,
    names: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Read every file, then write all good rows in one batch. Raises ``ImportFailed`` (and
    writes nothing) when a file is unreadable, or with ``strict`` when any row was rejected.
    ``names`` maps a path to the name the user knows it by (uploads)."""
    from loaders.workshop import read_workshop

    loaded_at = datetime.now(timezone.utc).replace(microsecond=0)
    batch = GraphBatch()
    files = []
    rejected = []
    for raw in paths:
        path = Path(raw)
        kind = fmt or detect_format(path)
        if kind != "workshop":
            raise ImportFailed(f"unknown format '{kind}'; known: {', '.join(FORMATS)}")
        # An upload is saved under a temporary path; report it by the name the user gave it.
        result = read_workshop(path, loaded_at=loaded_at, source=(names or {}).get(str(raw)))
        batch.extend(result.batch)
        rejected.extend(result.rejected)
        files.append({"file": result.source, "format": kind, "rows_read": result.rows_read,
                      "rejected": len(result.rejected)})
    rejected.extend(_drop_unknown_references(store, batch))
    if strict and rejected:
        raise ImportFailed(
            f"{len(rejected)} row(s) rejected and --strict is set; nothing was written. "
            f"First: {rejected[0]}",
            rows=rejected,
        )
    report = store.write(batch)
    return {
        "files": files,
        "rows_read": sum(f["rows_read"] for f in files),
        "written": report.model_dump(),
        "rejected": [r.to_dict() for r in rejected],
    }


def _drop_unknown_references(store: GraphStore, batch: GraphBatch) -> list[RowError]:
    """A sheet may tie to an id from elsewhere (``brreg:…``); if the store does not hold it,
    reject that tie as a row error instead of failing the whole import."""
    here = {a.id for a in batch.actors} | {i.id for i in batch.initiatives}
    outside = sorted({e for t in batch.ties for e in (t.source, t.target)} - here)
    missing = set(outside) - store._existing_nodes(outside) if outside else set()
    if not missing:
        return []
    errors = []
    kept = []
    for tie in batch.ties:
        unknown = next((e for e in (tie.source, tie.target) if e in missing), None)
        if unknown is None:
            kept.append(tie)
            continue
        prov = tie.provenance
        errors.append(RowError(file=prov.source if prov else "?",
                               line=prov.source_row if prov and prov.source_row else 0,
                               field="kontakter",
                               reason=f"tie {tie.kind} to '{unknown}': no actor or initiative "
                                      "with that id in the sheet or the store"))
    batch.ties = kept
    return errors
