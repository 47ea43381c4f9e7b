"""Read the kommune code list (SSB Klass classification 131) into municipality actors
``kommune:<code>`` named "<name> kommune": the Klass API's JSON (``{"codes": [...]}``) or its
CSV download (``"code";"parentCode";"level";"name";…``, often Windows-1252).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from pydantic import ValidationError as ModelError

from graphsvc.errors import ImportFailed, RowError
from graphsvc.model import Actor, GraphBatch, Provenance
from loaders import LoadResult
from loaders.rows import open_table
from loaders.streams import open_stream, peek

__all__ = ["read_kommuner"]

UNKNOWN_CODES = {"9999", "0000"}  # "Uoppgitt"/"Ukjent" in Klass, not a municipality


def read_kommuner(
    path: str | Path,
    *,
    kommuner: Iterable[str] | None = None,
    loaded_at: datetime | None = None,
    source: str | None = None,
) -> LoadResult:
    path = Path(path)
    name = source or path.name
    loaded = loaded_at or datetime.now(UTC).replace(microsecond=0)
    wanted = set(kommuner) if kommuner else None
    actors: list[Actor] = []
    rejected: list[RowError] = []
    skipped: Counter[str] = Counter()
    rows = 0
    ignored: list[str] = []
    for line, code, kname in _codes(path, name, ignored):
        rows += 1
        code = code.zfill(4) if code.isdigit() and len(code) < 4 else code
        if not re.fullmatch(r"\d{4}", code):
            rejected.append(RowError(name, line, "code", f"'{code}' is not a 4-digit code"))
            continue
        if code in UNKNOWN_CODES:
            skipped[f"not a municipality (code {code})"] += 1
            continue
        if wanted is not None and code not in wanted:
            skipped["outside the chosen kommuner"] += 1
            continue
        if not kname:
            rejected.append(RowError(name, line, "name", "the name is missing"))
            continue
        try:
            actors.append(Actor(
                id=f"kommune:{code}", kind="municipality", name=f"{kname} kommune",
                kommunenummer=code, kind_rule="kommune-list",
                provenance=Provenance(source=name, source_row=line, loaded_at=loaded)))
        except ModelError as exc:
            rejected.append(RowError(name, line, "name", str(exc.errors()[0]["msg"])))
    return LoadResult(GraphBatch(actors=actors), rows, rejected, name, sorted(set(ignored)),
                      skipped=dict(skipped))


def _codes(path: Path, name: str, ignored: list[str]) -> Iterator[tuple[int, str, str]]:
    """(line, code, name) per entry; the columns or keys it does not read go to ``ignored``."""
    if peek(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        with open_stream(path, name) as stream:
            try:
                data = json.load(stream.text)
            except json.JSONDecodeError as exc:
                raise ImportFailed(f"{name}: is not valid JSON ({exc})", file=name) from exc
        codes = data.get("codes") if isinstance(data, dict) else None
        if not isinstance(codes, list):
            raise ImportFailed(f"{name}: is JSON but has no 'codes' list (SSB Klass)", file=name)
        for n, item in enumerate(codes, start=1):
            item = item if isinstance(item, dict) else {}
            ignored.extend(k for k in item if k not in ("code", "name"))
            yield n, str(item.get("code") or "").strip(), str(item.get("name") or "").strip()
        return
    with open_table(path, source=name) as table:
        missing = [c for c in ("code", "name") if c not in table.headers]
        if missing:
            raise ImportFailed(
                f"{name}: required column {' and '.join(repr(m) for m in missing)} is missing "
                f"(SSB Klass CSV); columns found: {', '.join(table.headers.values())}",
                file=name, missing=missing)
        ignored.extend(v for k, v in table.headers.items() if k not in ("code", "name"))
        for row in table.rows:
            yield row.line, row.values["code"], row.values["name"]
