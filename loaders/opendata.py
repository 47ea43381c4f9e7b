"""Read a municipal open-data CSV of institutions (kindergartens, health stations, churches,
public buildings …) into actors with coordinates.

Such files differ in everything but spirit: ``;``, ``,`` or tab; UTF-8 with or without a
byte-order mark, or Windows-1252; LF or CRLF (all handled by :mod:`loaders.rows`). Columns are
found under their common names: the name in ``navn``/``name`` or any ``*navn``/``*_name``
column, coordinates in ``breddegrad``/``lengdegrad``, ``latitude``/``longitude`` or
``lat``/``lon`` (a decimal comma is fine), the postnummer in ``postnr``/``postnummer`` (with
``poststed`` added to the address), and what is offered there in ``service``/``tjenester``/
``tilbud``/``beskrivelse`` (kept as the actor's activity, which the offer rules read). A
``type`` and a ``kategori`` column give kind and taxonomy category per row; when the file has
none, ``kind=``/``category=`` (``--kind``, ``--category``) give them for every row.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError as ModelError

from graphsvc.errors import ImportFailed, RowError, Text, ValidationError
from graphsvc.i18n import register_texts
from graphsvc.model import ACTOR_KINDS, Actor, GraphBatch, Provenance
from graphsvc.taxonomy import load_taxonomy
from loaders import LoadResult
from loaders.ids import brreg_id, orgnr_problem, slug
from loaders.rows import Row, open_table
from loaders.streams import Progress
from loaders.workshop import KIND_ALIASES

__all__ = ["COLUMNS", "read_opendata"]

TEXTS = register_texts(__name__, {
    "nb": {
        "error.opendata.kind": "ukjent aktørtype '{kind}'; bruk en av {known}",
        "error.opendata.category": "ukjent kategori '{category}' (se "
                                   "graphsvc/data/categories.csv)",
        "error.opendata.missing": "{file}: {n:den påkrevde kolonnen|de påkrevde kolonnene} "
                                  "{what} mangler; kolonner i filen: {found}",
        "error.opendata.no_kind": "{file}: filen har ingen kolonne 'type'; si hva radene er med "
                                  "--kind ({known})",
        "row.opendata.kind": "ukjent aktørtype '{kind}'",
        "row.opendata.category": "ukjent kategori '{category}'",
        "row.opendata.number": "'{value}' er ikke et tall",
        "row.opendata.postnummer": "'{value}' er ikke et postnummer (fire sifre)",
        "row.opendata.repeated": "samme institusjon som på linje {line}",
        "row.opendata.name_missing": "navnet mangler",
        "row.opendata.invalid": "{problem}",
    },
    "en": {
        "error.opendata.kind": "unknown kind '{kind}'; use one of {known}",
        "error.opendata.category": "unknown category '{category}' (see "
                                   "graphsvc/data/categories.csv)",
        "error.opendata.missing": "{file}: required {n:column|columns} {what} {n:is|are} "
                                  "missing; columns found: {found}",
        "error.opendata.no_kind": "{file}: the file has no 'type' column; say what its rows are "
                                  "with --kind ({known})",
        "row.opendata.kind": "unknown kind '{kind}'",
        "row.opendata.category": "unknown category '{category}'",
        "row.opendata.number": "'{value}' is not a number",
        "row.opendata.postnummer": "'{value}' is not a postnummer (four digits)",
        "row.opendata.repeated": "the same institution as line {line}",
        "row.opendata.name_missing": "the name is missing",
        "row.opendata.invalid": "{problem}",
    },
})

COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("navn", "name", "institusjon", "virksomhet"),
    "lat": ("breddegrad", "latitude", "lat", "nord"),
    "lon": ("lengdegrad", "longitude", "lon", "lng", "long", "øst"),
    "kind": ("type", "kind", "aktørtype"),
    "category": ("kategori", "category"),
    "kommunenummer": ("kommunenummer", "kommunenr", "knr"),
    "district": ("bydel", "grend", "district"),
    "address": ("adresse", "address", "besøksadresse", "adressenavn"),
    "orgnr": ("orgnr", "organisasjonsnummer"),
    "homepage": ("nettside", "hjemmeside", "url", "homepage", "website"),
    "postnummer": ("postnr", "postnummer", "post_nr", "postnumber", "zip"),
    "poststed": ("poststed", "postal_place", "city"),
    # What is offered there in the municipality's own words (Stavanger's ``service``): kept as
    # the actor's activity, read by the offer rules like a register's ``aktivitet``.
    "activity": ("service", "tjenester", "tjeneste", "tilbud", "aktivitet", "aktiviteter",
                 "beskrivelse", "description", "services"),
}
_KINDS = {k: k for k in ACTOR_KINDS} | {a: k for k, al in KIND_ALIASES.items() for a in al}


def find_columns(headers: Iterable[str]) -> dict[str, str]:
    """field → normalised header, by the common names (suffixes for the name).

    >>> find_columns(["barnehage_navn", "Breddegrad", "lengdegrad"])
    {'name': 'barnehage_navn', 'lat': 'breddegrad', 'lon': 'lengdegrad'}
    """
    keys = [h.casefold() for h in headers]
    found: dict[str, str] = {}
    for field, aliases in COLUMNS.items():
        hit = next((a for a in aliases if a in keys), None)
        if hit is None and field == "name":
            hit = next((k for k in keys if k.endswith(("navn", "_name"))), None)
        if hit is not None:
            found[field] = hit
    return found


def read_opendata(
    path: str | Path,
    *,
    kind: str | None = None,
    category: str | None = None,
    kommunenummer: str | None = None,
    kommuner: Iterable[str] | None = None,
    loaded_at: datetime | None = None,
    source: str | None = None,
    progress: Progress | None = None,
) -> LoadResult:
    if kind is not None and kind not in _KINDS:
        raise ValidationError("error.opendata.kind", kind=kind,
                              fill={"known": ", ".join(ACTOR_KINDS)})
    if category is not None and category not in load_taxonomy():
        raise ValidationError("error.opendata.category", category=category)
    wanted = set(kommuner) if kommuner else None
    loaded = loaded_at or datetime.now(UTC).replace(microsecond=0)
    with open_table(path, source=source, zero_pad={"kommunenummer": 4, "knr": 4}) as table:
        name = table.source
        cols = find_columns(table.headers)
        label = {f: table.headers.get(h, h) for f, h in cols.items()}
        missing = [f for f in ("name", "lat", "lon") if f not in cols]
        if missing:
            need = {"name": "navn/name/*_navn", "lat": "breddegrad/latitude/lat",
                    "lon": "lengdegrad/longitude/lon"}
            raise ImportFailed(
                "error.opendata.missing", file=name, missing=missing,
                fill={"n": len(missing), "what": [need[m] for m in missing],
                      "found": ", ".join(table.headers.values())})
        if "kind" not in cols and kind is None:
            raise ImportFailed("error.opendata.no_kind", file=name,
                               fill={"known": ", ".join(ACTOR_KINDS)})
        rows = _Rows(name, cols, label, kind, category, kommunenummer, wanted, loaded)
        for row in table.rows:
            rows.parse(row)
    ignored = [t for k, t in table.headers.items() if k not in cols.values()]
    return LoadResult(GraphBatch(actors=rows.actors), rows.rows_read, rows.rejected, name,
                      ignored, skipped=dict(rows.skipped))


class _Rows:
    """The rows of one open-data file on their way to actors."""

    def __init__(self, name: str, cols: dict[str, str], label: dict[str, str], kind: str | None,
                 category: str | None, kommunenummer: str | None, wanted: set[str] | None,
                 loaded: datetime) -> None:
        self.name, self.cols, self.label = name, cols, label
        self.kind, self.category, self.kommunenummer = kind, category, kommunenummer
        self.wanted, self.loaded = wanted, loaded
        self.actors: list[Actor] = []
        self.rejected: list[RowError] = []
        self.skipped: Counter[str] = Counter()
        self.rows_read = 0
        self.seen: dict[str, int] = {}

    def parse(self, row: Row) -> None:
        self.rows_read += 1
        values, cols = row.values, self.cols

        def get(field: str) -> str:
            return values.get(cols.get(field, ""), "")

        errors: list[RowError] = []

        def fail(field: str | None, reason: str | Text, /, **values: Any) -> None:
            errors.append(RowError(self.name, row.line, field and self.label.get(field, field),
                                   reason if isinstance(reason, Text)
                                   else Text(reason, **values)))

        knr = get("kommunenummer") or self.kommunenummer
        if self.wanted is not None and knr not in self.wanted:
            self.skipped[Text("skip.outside_kommuner")] += 1
            return
        kind = _KINDS.get(" ".join(get("kind").casefold().split())) if get("kind") else self.kind
        if kind is None:
            fail("kind", "row.opendata.kind", kind=get("kind"))
        cat = get("category") or self.category
        if cat and cat not in load_taxonomy():
            fail("category", "row.opendata.category", category=cat)
        coords: dict[str, float | None] = {}
        for f in ("lat", "lon"):
            text = get(f).replace(",", ".").replace(" ", "")
            try:
                coords[f] = float(text) if text else None
            except ValueError:
                fail(f, "row.opendata.number", value=get(f))
        postnr = get("postnummer").replace(" ", "")
        if postnr and not re.fullmatch(r"\d{4}", postnr):
            if re.fullmatch(r"\d{3}", postnr):  # a spreadsheet dropped the leading zero
                postnr = "0" + postnr
            else:
                fail("postnummer", "row.opendata.postnummer", value=get("postnummer"))
        address = " ".join(get("address").split())
        place = " ".join(p for p in (postnr, get("poststed").strip()) if p)
        if address and place and place.casefold() not in address.casefold():
            address = f"{address}, {place}"
        activity = " ".join(get("activity").split())
        orgnr = re.sub(r"[\s.]", "", get("orgnr")) or None
        if orgnr and (problem := orgnr_problem(orgnr)):
            fail("orgnr", problem)
        name_slug = slug(get("name"))
        actor_id = brreg_id(orgnr) if orgnr else (
            f"odata:{knr + ':' if knr else ''}{name_slug}" if name_slug else None)
        if actor_id and actor_id in self.seen:
            fail("name", "row.opendata.repeated", line=self.seen[actor_id])
        if not errors and actor_id is None:
            fail("name", "row.opendata.name_missing")
        if not errors and actor_id is not None:
            try:
                self.actors.append(Actor(
                    id=actor_id, kind=kind, name=get("name"), kommunenummer=knr,
                    district=get("district") or None, address=address or None,
                    postnummer=postnr or None, activity=activity[:4000] or None,
                    homepage=get("homepage") or None, orgnr=orgnr,
                    categories=[cat] if cat else [], **coords,
                    provenance=Provenance(source=self.name, source_row=row.line,
                                          loaded_at=self.loaded),
                ))
                self.seen[actor_id] = row.line
            except ModelError as exc:
                for err in exc.errors():
                    fail(str(err["loc"][0]), "row.opendata.invalid",
                         problem=str(err["msg"]).removeprefix("Value error, "))
        self.rejected.extend(errors)
