"""Read Frivillighetsregisteret JSON (API pages or saved arrays) into category patches for the
actors Enhetsregisteret gives: each organisation's ICNPO categories (primary: ``rekkefoelge ==
1``), the resource-taxonomy categories they map onto (:data:`ICNPO_TO_TAXONOMY`), and the kind
*frivilligsentral* when its primary category is 8200. The register has no names, so it creates
no actors: the importer applies each patch to ``brreg:<orgnr>`` or reports the orgnr.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from graphsvc.errors import ImportFailed, RowError, Text
from graphsvc.i18n import register_texts
from graphsvc.model import GraphBatch, IcnpoCategory, Provenance
from loaders import LoadResult, Patch
from loaders.ids import brreg_id, orgnr_problem
from loaders.streams import (Progress, budget, clip, iter_json_array, json_type_error,
                             load_json, open_stream)

TEXTS = register_texts(__name__, {
    "nb": {
        "error.frivillighet.no_orgnr": "{file}: post {record} har ikke 'organisasjonsnummer'; er "
                                       "dette en fil fra Frivillighetsregisteret?",
        "error.frivillighet.not_json": "{file}: er ikke JSON (Frivillighetsregisteret gir JSON)",
        "error.frivillighet.not_register": "{file}: er JSON, men ikke data fra "
                                           "Frivillighetsregisteret (ingen liste '_embedded' med "
                                           "organisasjoner)",
        "skip.frivillighet.no_icnpo": "ingen ICNPO-kategori",
        "row.frivillighet.icnpo": "ukjent ICNPO-kode '{code}'",
        "row.frivillighet.not_list": "ventet en liste med ICNPO-kategorier, fant {found}",
    },
    "en": {
        "error.frivillighet.no_orgnr": "{file}: record {record} has no 'organisasjonsnummer'; is "
                                       "this a Frivillighetsregisteret file?",
        "error.frivillighet.not_json": "{file}: is not JSON (Frivillighetsregisteret gives JSON)",
        "error.frivillighet.not_register": "{file}: is JSON but not Frivillighetsregisteret data "
                                           "(no '_embedded' list of organisations)",
        "skip.frivillighet.no_icnpo": "no ICNPO category",
        "row.frivillighet.icnpo": "unknown ICNPO code '{code}'",
        "row.frivillighet.not_list": "expected a list of ICNPO categories, found {found}",
    },
})

__all__ = ["ICNPO_TO_TAXONOMY", "icnpo_names", "read_frivillighet"]

# ICNPO code -> resource-taxonomy category, only where the register's category says what the
# organisation can offer. Religion (10100), politics (7300) and unions (11300) are deliberately
# unmapped: they are special-category data (DESIGN 7) and say nothing about what is offered.
ICNPO_TO_TAXONOMY: dict[str, str] = {
    "1100": "culture",
    "1200": "activity.training",
    "1300": "social.meetingplace",
    "2100": "learning",
    "2300": "learning.course",
    "3400": "knowledge.health",
    "4100": "help",
    "4200": "social.visit",
    "4300": "money",
    "6100": "social",
    "6200": "social",
    "6300": "inclusion",
    "8100": "money.funding",
    "8200": "knowledge.coordination",
    "14100": "inclusion",
}
FRIVILLIGSENTRAL_CODE = "8200"
_USED = frozenset({"organisasjonsnummer", "icnpoKategorier"})


@lru_cache(maxsize=1)
def icnpo_names() -> dict[str, str]:
    """ICNPO code → Norwegian name, from ``graphsvc/data/icnpo_categories.csv``."""
    text = resources.files("graphsvc").joinpath("data/icnpo_categories.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["code"]: r["name"] for r in rows}


def read_frivillighet(
    path: str | Path,
    *,
    loaded_at: datetime | None = None,
    source: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    path = Path(path)
    name = source or path.name
    loaded = loaded_at or datetime.now(UTC).replace(microsecond=0)
    patches: list[Patch] = []
    rejected: list[RowError] = []
    skipped: Counter[str] = Counter()
    n = 0
    seen: set[str] = set()
    rows = budget()
    with open_stream(path, name) as stream:
        for n, record in enumerate(_records(stream.text, name), start=1):
            rows.row(name, n)
            if not isinstance(record, dict) or "organisasjonsnummer" not in record:
                raise ImportFailed("error.frivillighet.no_orgnr", file=name, line=n,
                                   fill={"record": n})
            seen.update(record)
            patch = _patch(record, n, name, loaded, rejected, skipped)
            if patch is not None:
                patches.append(patch)
            if progress and n % 4096 == 0:
                progress(stream.position())
        if progress:
            progress(stream.position())
    ignored = sorted(k for k in seen - _USED if not k.startswith("_"))
    return LoadResult(GraphBatch(), n, rejected, name, ignored, skipped=dict(skipped),
                      patches=patches)


def _records(text: Any, name: str) -> Iterable[Any]:
    head = ""
    while chunk := text.read(1 << 16):  # in chunks: a file may be gigabytes of blanks
        if head := chunk.lstrip()[:1]:
            break
    text.seek(0)
    if head == "[":
        return iter_json_array(text, name)
    if head != "{":
        raise ImportFailed("error.frivillighet.not_json", file=name)
    page = load_json(text, name)
    if not isinstance(page, dict):  # '{' then something else: load_json said it is broken
        raise ImportFailed("error.frivillighet.not_register", file=name)
    embedded = page.get("_embedded")
    if isinstance(embedded, dict):
        return next((v for v in embedded.values() if isinstance(v, list)), [])
    if "organisasjonsnummer" in page:
        return [page]
    if "page" in page:
        return []
    raise ImportFailed("error.frivillighet.not_register", file=name)


def _code(raw: Any) -> str:
    """``"1 200"``, ``"1.200"``, 1200 → ``"1200"``."""
    return re.sub(r"[\s.]", "", str(raw or ""))


def _patch(record: dict[str, Any], line: int, name: str, loaded: datetime,
           rejected: list[RowError], skipped: Counter[str]) -> Patch | None:
    orgnr = _code(record.get("organisasjonsnummer"))
    if problem := orgnr_problem(orgnr):
        rejected.append(RowError(name, line, "organisasjonsnummer", problem))
        return None
    raw = record.get("icnpoKategorier") or []
    if not raw:
        skipped[Text("skip.frivillighet.no_icnpo")] += 1
        return None
    if not isinstance(raw, list):  # "icnpoKategorier": 5 — the row, not the file, is wrong
        rejected.append(RowError(name, line, "icnpoKategorier", Text(
            "row.frivillighet.not_list", found=clip(json.dumps(raw, ensure_ascii=False), 40))))
        return None
    names = icnpo_names()
    found: list[tuple[int, IcnpoCategory]] = []
    for item in raw:
        code = _code(item.get("icnpoNummer")) if isinstance(item, dict) else ""
        if code not in names and isinstance(item, dict):
            code = _code(item.get("kategori")) or code
        if code not in names:
            rejected.append(RowError(name, line, "icnpoKategorier",
                                     Text("row.frivillighet.icnpo",
                                          code=clip(code or json.dumps(item), 40))))
            return None
        try:
            order = int(item.get("rekkefoelge") or 99)
        except (TypeError, ValueError, OverflowError):  # 1e999 is inf
            order = 99
        found.append((order, IcnpoCategory(code=code, name=names[code], primary=order == 1)))
    found.sort(key=lambda x: (x[0], x[1].code))
    cats = [c for _, c in found]
    if not any(c.primary for c in cats):
        cats[0] = cats[0].model_copy(update={"primary": True})  # ranked first = primary
    fields: dict[str, Any] = {
        "icnpo": [c.model_dump(mode="json") for c in cats],
        "categories": sorted({ICNPO_TO_TAXONOMY[c.code] for c in cats
                              if c.code in ICNPO_TO_TAXONOMY}),
    }
    if cats[0].code == FRIVILLIGSENTRAL_CODE:
        fields["kind"] = "frivilligsentral"
        fields["kind_rule"] = "icnpo-8200"
    return Patch(brreg_id(orgnr), fields, line,
                 Provenance(source=name, source_row=line, loaded_at=loaded))
