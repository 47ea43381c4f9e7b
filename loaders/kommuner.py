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

from graphsvc.errors import ImportFailed, RowError, Text
from graphsvc.i18n import register_texts
from graphsvc.model import Actor, GraphBatch, Provenance
from loaders import LoadResult
from loaders.rows import open_table
from loaders.streams import budget, clip, json_type_error, load_json, open_stream, peek

__all__ = ["read_kommuner"]

UNKNOWN_CODES = {"9999", "0000"}  # "Uoppgitt"/"Ukjent" in Klass, not a municipality

TEXTS = register_texts(__name__, {
    "nb": {
        "row.kommune.code": "'{code}' er ikke et firesifret kommunenummer",
        "row.kommune.name_missing": "navnet mangler",
        "row.kommune.invalid": "{problem}",
        "skip.kommune.unknown": "ikke en kommune (kode {code})",
        "error.kommune.no_codes": "{file}: er JSON, men har ingen liste 'codes' (SSB Klass)",
        "error.kommune.missing_column": "{file}: {n:den påkrevde kolonnen|de påkrevde "
                                        "kolonnene} {what} mangler (CSV fra SSB Klass); "
                                        "kolonner i filen: {found}",
    },
    "en": {
        "row.kommune.code": "'{code}' is not a 4-digit code",
        "row.kommune.name_missing": "the name is missing",
        "row.kommune.invalid": "{problem}",
        "skip.kommune.unknown": "not a municipality (code {code})",
        "error.kommune.no_codes": "{file}: is JSON but has no 'codes' list (SSB Klass)",
        "error.kommune.missing_column": "{file}: required {n:column|columns} {what} "
                                        "{n:is|are} missing (SSB Klass CSV); columns found: "
                                        "{found}",
    },
})


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
            rejected.append(RowError(name, line, "code", Text("row.kommune.code",
                                                              code=clip(code, 40))))
            continue
        if code in UNKNOWN_CODES:
            skipped[Text("skip.kommune.unknown", code=code)] += 1
            continue
        if wanted is not None and code not in wanted:
            skipped[Text("skip.outside_kommuner")] += 1
            continue
        if not kname:
            rejected.append(RowError(name, line, "name", Text("row.kommune.name_missing")))
            continue
        try:
            actors.append(Actor(
                id=f"kommune:{code}", kind="municipality", name=f"{kname} kommune",
                kommunenummer=code, kind_rule="kommune-list",
                provenance=Provenance(source=name, source_row=line, loaded_at=loaded)))
        except ModelError as exc:
            rejected.append(RowError(name, line, "name", Text(
                "row.kommune.invalid", problem=str(exc.errors()[0]["msg"]))))
    return LoadResult(GraphBatch(actors=actors), rows, rejected, name, sorted(set(ignored)),
                      skipped=dict(skipped))


def _scalar(value: object) -> str:
    """A JSON value as the text of a code or a name: a list or an object is no code, no name."""
    if value is None or isinstance(value, bool | list | dict):
        return "" if value is None else clip(json.dumps(value, ensure_ascii=False), 40)
    return str(value).strip()


def _codes(path: Path, name: str, ignored: list[str]) -> Iterator[tuple[int, str, str]]:
    """(line, code, name) per entry; the columns or keys it does not read go to ``ignored``."""
    if peek(path, 4096).lstrip(b"\xef\xbb\xbf \t\r\n")[:1] == b"{":
        with open_stream(path, name) as stream:
            data = load_json(stream.text, name)
        codes = data.get("codes") if isinstance(data, dict) else None
        if codes is not None and not isinstance(codes, list):
            raise json_type_error(name, 0, "codes", "list", codes)
        if not isinstance(codes, list):
            raise ImportFailed("error.kommune.no_codes", file=name)
        rows = budget()
        for n, item in enumerate(codes, start=1):
            rows.row(name, n)
            item = item if isinstance(item, dict) else {}
            ignored.extend(clip(k, 40) for k in item if k not in ("code", "name"))
            yield n, _scalar(item.get("code")), _scalar(item.get("name"))
        return
    with open_table(path, source=name) as table:
        missing = [c for c in ("code", "name") if c not in table.headers]
        if missing:
            raise ImportFailed(
                "error.kommune.missing_column", file=name, missing=missing,
                fill={"what": [repr(m) for m in missing], "n": len(missing),
                      "found": clip(", ".join(clip(h, 24) for h in table.headers.values()),
                                    120)})
        ignored.extend(v for k, v in table.headers.items() if k not in ("code", "name"))
        for row in table.rows:
            yield row.line, row.values["code"], row.values["name"]
