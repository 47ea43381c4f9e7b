"""Read Enhetsregisteret (Brønnøysund) into actors: the bulk CSV (plain or gzip, 54 or 90
columns, found by header name), the bulk JSON (a gzip array, streamed), and API result pages
(``_embedded.enheter``), for main units and for sub-units (``underenheter``, located by
``beliggenhetsadresse.*``).

Each entity becomes an actor ``brreg:<orgnr>`` of the kind :func:`classify` gives it; entities
outside the chosen kommuner, no longer active, or of no community kind are counted by reason and
left out. Filtering happens while the file streams, so a 1M-row national file filtered to one
kommune never holds more than that kommune's rows in memory. The limits of
:class:`loaders.streams.Limits` hold: cell and line length, rows, JSON depth and types.
"""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError as ModelError

from graphsvc.errors import ImportFailed, RowError, Text
from graphsvc.i18n import register_texts
from graphsvc.model import Actor, GraphBatch, Provenance
from loaders import LoadResult
from loaders.ids import brreg_id, orgnr_problem
from loaders.rows import _long_field
from loaders.streams import (Progress, budget, clip, iter_json_array, json_type_error,
                             load_json, open_stream, text_lines)

__all__ = ["INCLUDABLE", "BrregStream", "classify", "read_brreg", "rules"]

# Kinds left out unless asked for (``--include business``): they are counted instead.
INCLUDABLE = ("business",)


@lru_cache(maxsize=1)
def rules() -> dict[str, Any]:
    """The kind rules, from ``graphsvc/data/register_rules.json`` (one file, data not code)."""
    text = resources.files("graphsvc").joinpath("data/register_rules.json").read_text("utf-8")
    data = json.loads(text)
    for rule in data["rules"]:
        if "name" in rule:
            rule["_name"] = re.compile(rule["name"], re.IGNORECASE)
    data["owners"]["_public_name"] = re.compile(data["owners"]["public_name"], re.IGNORECASE)
    return data


# field -> header names, as Brønnøysund writes them (matched case-insensitively).
_ADDRESS_PREFIXES = {"enheter": ("forretningsadresse", "postadresse"),
                     "underenheter": ("beliggenhetsadresse", "postadresse")}
REQUIRED = ("organisasjonsnummer", "navn")
_ROW_KEYS = (
    "organisasjonsnummer", "navn", "organisasjonsform.kode", "naeringskode1.kode",
    "naeringskode2.kode", "naeringskode3.kode", "naeringskode1.beskrivelse",
    "naeringskode2.beskrivelse", "naeringskode3.beskrivelse",
    "registrertifrivillighetsregisteret", "hjemmeside", "stiftelsesdato", "oppstartsdato",
    "overordnetenhet", "konkurs", "underavvikling", "undertvangsavviklingellertvangsopplosning",
    "slettedato", "nedleggelsesdato", "institusjonellsektorkode.kode",
    "institusjonellsektorkode.beskrivelse", "aktivitet", "vedtektsfestetformaal",
    # Some exports split the prose over numbered columns.
    "aktivitet2", "aktivitet3", "vedtektsfestetformaal2", "vedtektsfestetformaal3",
    *(f"{p}.{f}" for p in ("forretningsadresse", "postadresse", "beliggenhetsadresse")
      for f in ("adresse", "postnummer", "poststed", "kommunenummer")),
)
_USED = frozenset(_ROW_KEYS)
_BOOLS = ("registrertifrivillighetsregisteret", "konkurs", "underavvikling",
          "undertvangsavviklingellertvangsopplosning")
_PROGRESS_EVERY = 4096
OUTSIDE = Text("skip.outside_kommuner")
TEXTS = register_texts(__name__, {
    "nb": {
        "error.brreg.csv": "{file}: kan ikke leses som CSV etter linje {after}: {problem}",
        "error.brreg.missing": "{file}: {n:den påkrevde kolonnen|de påkrevde kolonnene} {what} "
                               "mangler; er dette en fil fra Enhetsregisteret? Kolonner i "
                               "filen: {found}",
        "error.brreg.not_register": "{file}: er JSON, men ikke data fra Enhetsregisteret (ingen "
                                    "'_embedded.enheter', '_embedded.underenheter' eller "
                                    "'organisasjonsnummer')",
        "error.brreg.record": "{file}: post {record} er ikke et JSON-objekt",
        "row.brreg.boolean": "'{value}' er verken true eller false",
        "row.brreg.date": "'{value}' er ikke en dato som 2001-05-17",
        "row.brreg.invalid": "{problem}",
        "skip.brreg.deleted": "ikke lenger aktiv (slettet/nedlagt)",
        "skip.brreg.bankrupt": "ikke lenger aktiv (konkurs/under avvikling)",
        "skip.brreg.rule": "{why} (regel {rule})",
        "skip.brreg.not_included": "{kind_name}, lastes bare med --include {kind}: {why} "
                                   "(regel {rule})",
        "skip.brreg.no_rule": "ingen regel passer",
    },
    "en": {
        "error.brreg.csv": "{file}: cannot be read as CSV after line {after}: {problem}",
        "error.brreg.missing": "{file}: required {n:column|columns} {what} {n:is|are} missing; "
                               "is this an Enhetsregisteret file? Columns found: {found}",
        "error.brreg.not_register": "{file}: is JSON but not Enhetsregisteret data (no "
                                    "'_embedded.enheter', '_embedded.underenheter' or "
                                    "'organisasjonsnummer')",
        "error.brreg.record": "{file}: record {record} is not a JSON object",
        "row.brreg.boolean": "'{value}' is not true or false",
        "row.brreg.date": "'{value}' is not a date like 2001-05-17",
        "row.brreg.invalid": "{problem}",
        "skip.brreg.deleted": "no longer active (slettet/nedlagt)",
        "skip.brreg.bankrupt": "no longer active (konkurs/under avvikling)",
        "skip.brreg.rule": "{why} (rule {rule})",
        "skip.brreg.not_included": "{kind_name}, not loaded without --include {kind}: {why} "
                                   "(rule {rule})",
        "skip.brreg.no_rule": "no rule fits",
    },
})


def owner(orgform: str, sector: str | None, unit: str, name: str,
          frivillig: bool | None = None) -> str:
    """Who runs an entity: ``public``, ``nonprofit`` or ``private`` (register_rules.json).

    >>> owner("AS", "2100", "enheter", "TANNLEGE HANSEN AS")
    'private'
    >>> owner("BEDR", None, "underenheter", "MADLA HELSESTASJON")
    'public'
    """
    o = rules()["owners"]
    if orgform in o["public_forms"] or (sector or "") in o["public_sectors"]:
        return "public"
    if orgform in o["nonprofit_forms"] or (sector or "") in o["nonprofit_sectors"] or frivillig:
        return "nonprofit"
    if unit == "underenheter" and o["_public_name"].search(name):
        return "public"
    return "private"


class _RuleReason(str):
    """A kind rule's reason (``register_rules.json``: ``reason``, ``reason_nb``) said in the
    reader's language when it fills a skip reason; as a ``str`` it is the English one."""

    def __new__(cls, rule_id: str, why: str) -> _RuleReason:
        self = super().__new__(cls, why)
        found = next((r for r in rules()["rules"] if r["id"] == rule_id), None)
        self.nb = (found or {}).get("reason_nb") or (
            Text("skip.brreg.no_rule").in_("nb") if found is None else why)
        return self

    def in_(self, lang: str | None) -> str:
        return self.nb if lang in (None, "nb") else str(self)


def classify(
    orgform: str | None, nace: str | None, frivillig: bool | None, name: str, *,
    sector: str | None = None, unit: str = "enheter",
) -> tuple[str | None, str, str]:
    """The actor kind of an entity, the id of the rule that gave it, and that rule's reason
    (DESIGN 5.1); kind ``None`` means it is left out.

    >>> classify("FLI", "94.991", None, "HOLMEN VELFORENING")[:2]
    ('association', 'association-form')
    >>> classify("FLI", None, True, "TESTVIK FRIVILLIGSENTRAL")[:2]
    ('frivilligsentral', 'frivilligsentral-name')
    >>> classify("BEDR", "88.911", None, "SOLSIKKEN BARNEHAGE", unit="underenheter")[:2]
    ('institution', 'core-institution')
    >>> classify("AS", "86.230", False, "TANNLEGE HANSEN AS", sector="2100")[:2]
    ('business', 'private-practice')
    """
    form = (orgform or "").upper()
    who = owner(form, sector, unit, name, frivillig)
    for rule in rules()["rules"]:
        if "unit" in rule and rule["unit"] != unit:
            continue
        if "orgform" in rule and form not in rule["orgform"]:
            continue
        if "nace" in rule and not (nace and any(nace.startswith(p) for p in rule["nace"])):
            continue
        if rule.get("nace_missing") and nace:
            continue
        if "owner" in rule and who not in rule["owner"]:
            continue
        if "frivillig" in rule and bool(frivillig) != rule["frivillig"]:
            continue
        if "_name" in rule and not rule["_name"].search(name):
            continue
        return rule["kind"], rule["id"], rule["reason"]
    return None, "none", "no rule fits"


def read_brreg(
    path: str | Path,
    *,
    kommuner: Iterable[str] | None = None,
    loaded_at: datetime | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    include: Iterable[str] | None = None,
) -> LoadResult:
    """Read an Enhetsregisteret file (any of the forms above, detected from its content).

    ``kommuner`` keeps only entities whose address is in one of these kommunenummer;
    ``include`` names kinds of :data:`INCLUDABLE` to load rather than count. Raises
    :class:`ImportFailed` when the file cannot be read or lacks a required column."""
    stream = BrregStream(path, kommuner=kommuner, loaded_at=loaded_at, source=source,
                         progress=progress, include=include)
    return stream.result(list(stream.actors()))


class BrregStream:
    """An Enhetsregisteret file read one actor at a time (:meth:`actors`), so an import can
    write a national file in chunks instead of holding every actor (loaders/importer.py);
    :meth:`result` is then :func:`read_brreg`'s answer for the actors given to it."""

    def __init__(self, path: str | Path, *, kommuner: Iterable[str] | None = None,
                 loaded_at: datetime | None = None, source: str | None = None,
                 progress: Progress | None = None, include: Iterable[str] | None = None) -> None:
        self.path = Path(path)
        self.name = source or self.path.name
        self.progress = progress
        self.parser = _Parser(self.name, set(kommuner) if kommuner else None,
                              loaded_at or datetime.now(UTC).replace(microsecond=0),
                              set(include or ()))

    def actors(self) -> Iterator[Actor]:
        """The file's actors in file order (rows left out are counted in the parser)."""
        name, parser, progress = self.name, self.parser, self.progress
        rows = budget()
        with open_stream(self.path, name) as stream:
            first = _first_char(stream.text)
            tick: Callable[[], None] = (lambda: progress(stream.position())) if progress \
                else _noop
            if first in "[{":
                records = _json_records(stream.text, name, first, parser.columns)
            elif first:
                records = _csv_records(stream.text, name, parser.columns)
            else:
                raise ImportFailed("error.file.empty", file=name)
            for n, (line, get, unit) in enumerate(records):
                rows.row(name, line)
                parser.parse(line, get, unit)
                if parser.actors:
                    rows.keep(name, line)
                    yield from parser.actors
                    parser.actors.clear()
                if n % _PROGRESS_EVERY == 0:
                    tick()
            tick()

    def result(self, actors: list[Actor]) -> LoadResult:
        parser = self.parser
        return LoadResult(GraphBatch(actors=actors), parser.rows_read,
                          sorted(parser.rejected, key=lambda e: e.line), self.name,
                          ignored_columns=parser.ignored(), skipped=dict(parser.skipped))


def _noop() -> None:
    return None


def _first_char(text: Any) -> str:
    while chunk := text.read(1 << 16):  # in chunks: a file may be gigabytes of blanks
        if stripped := chunk.lstrip():
            break
    else:
        stripped = ""
    # Rewind: TextIOWrapper over gzip cannot seek to arbitrary offsets, but 0 always works.
    text.seek(0)
    return stripped[:1]


Getter = Callable[[str], str]


# --- CSV ------------------------------------------------------------------------------------


def _csv_records(text: Any, name: str,
                 columns: dict[str, str]) -> Iterator[tuple[int, Getter, str]]:
    limits = budget().limits
    lines = text_lines(text, name, limits.max_line)
    header_text = next(lines, "")
    delimiter = max(",;\t", key=header_text.count)
    csv.field_size_limit(limits.max_field)  # process-wide; every reader here sets it
    try:
        header = next(csv.reader([header_text], delimiter=delimiter), [])
    except csv.Error as exc:
        raise _csv_failed(name, 1, exc, header_text, delimiter, [], limits.max_field) from exc
    index: dict[str, int] = {}
    for col, h in enumerate(header):
        index.setdefault(h.strip().casefold(), col)
        columns.setdefault(h.strip().casefold(), h.strip())
    _require(name, index, header)
    unit = "underenheter" if "beliggenhetsadresse.kommunenummer" in index else "enheter"
    wanted = [(k, index[k]) for k in _ROW_KEYS if k in index]
    taken: list[str] = []

    def remembered() -> Iterator[str]:  # the text of the record being read, for errors
        for ln in lines:
            taken.append(ln)
            yield ln

    reader = csv.reader(remembered(), delimiter=delimiter)
    line = 1
    try:
        for line, cells in enumerate(reader, start=2):
            taken.clear()
            if not any(cells):
                continue
            values = {k: (cells[i].strip() if i < len(cells) else "") for k, i in wanted}
            values = {k: v.replace("/n", "\n") if k.endswith(".adresse") else v
                      for k, v in values.items()}
            yield line, _getter(values), unit
    except csv.Error as exc:
        raise _csv_failed(name, line + 1, exc, "".join(taken), delimiter, header,
                          limits.max_field) from exc


def _csv_failed(name: str, line: int, exc: csv.Error, text: str, delimiter: str,
                header: list[str], limit: int) -> ImportFailed:
    if "field limit" in str(exc):
        col = _long_field(text, delimiter, limit)
        return ImportFailed("error.limit.field", file=name, line=line, fill={
            "field": clip(header[col].strip() if col < len(header) else f"#{col + 1}", 40),
            "limit": limit})
    return ImportFailed("error.brreg.csv", file=name, line=line,
                        fill={"after": line - 1, "problem": clip(exc, 80)})


def _getter(values: dict[str, str]) -> Getter:
    return lambda key: values.get(key, "")


def _require(name: str, index: dict[str, int], header: list[str]) -> None:
    missing = [k for k in REQUIRED if k not in index]
    if missing:
        shown = ", ".join(clip(h, 24) for h in header[:8]) + (" …" if len(header) > 8 else "")
        raise ImportFailed("error.brreg.missing", file=name, missing=missing,
                           fill={"n": len(missing), "what": [repr(m) for m in missing],
                                 "found": shown or "-"})


# --- JSON -----------------------------------------------------------------------------------


def _json_records(text: Any, name: str, first: str,
                  columns: dict[str, str]) -> Iterator[tuple[int, Getter, str]]:
    if first == "[":
        items: Iterable[Any] = iter_json_array(text, name)
        unit = None
    else:
        page = load_json(text, name)
        embedded = page.get("_embedded") if isinstance(page, dict) else None
        if isinstance(embedded, dict) and embedded:
            unit = "underenheter" if "underenheter" in embedded else "enheter"
            items = embedded.get(unit, [])
            if not isinstance(items, list):
                raise json_type_error(name, 0, f"_embedded.{unit}", "list", items)
        elif isinstance(page, dict) and "organisasjonsnummer" in page:
            unit, items = None, [page]  # one entity, as the API's /enheter/{orgnr} gives it
        elif isinstance(page, dict) and "page" in page:
            unit, items = "enheter", []  # an API page past the last result
        else:
            raise ImportFailed("error.brreg.not_register", file=name)
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise ImportFailed("error.brreg.record", file=name, line=n, fill={"record": n})
        flat = _flatten(item)
        for key in flat.keys() - columns.keys():
            if not key.startswith("_links") and ("._links" not in key):
                columns[key] = key
        if n == 1:
            _require(name, dict.fromkeys(flat, 0), list(item))
        kind = unit or ("underenheter" if "beliggenhetsadresse.kommunenummer" in flat
                        or "overordnetenhet" in flat else "enheter")
        yield n, _getter(flat), kind


def _flatten(obj: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Nested JSON as the CSV's dotted, case-folded column names; address lists as lines.

    >>> _flatten({"navn": "X", "forretningsadresse": {"adresse": ["A 1", "B"]}, "konkurs": False})
    {'navn': 'X', 'forretningsadresse.adresse': 'A 1\\nB', 'konkurs': 'false'}
    """
    out: dict[str, str] = {}
    for key, value in obj.items():
        full = prefix + key.casefold()
        if isinstance(value, dict):
            out.update(_flatten(value, full + "."))
        elif isinstance(value, list):
            out[full] = "\n".join(str(v) for v in value if v is not None)
        elif isinstance(value, bool):
            out[full] = "true" if value else "false"
        elif value is not None:
            out[full] = str(value)
    return out


# --- rows → actors --------------------------------------------------------------------------


class _Parser:
    def __init__(self, name: str, kommuner: set[str] | None, loaded_at: datetime,
                 include: set[str]) -> None:
        self.name = name
        self.include = include
        self.columns: dict[str, str] = {}  # case-folded name -> as the file spells it
        self.kommuner = kommuner
        self.loaded_at = loaded_at
        self.actors: list[Actor] = []
        self.rejected: list[RowError] = []
        self.skipped: Counter[str] = Counter()
        self.rows_read = 0

    def ignored(self) -> list[str]:
        """The file's columns that nothing reads, as the file spells them."""
        return sorted(v for k, v in self.columns.items() if k not in _USED)

    def parse(self, line: int, get: Getter, unit: str) -> None:
        self.rows_read += 1
        prefix = next((p for p in _ADDRESS_PREFIXES[unit] if get(f"{p}.kommunenummer")
                       or get(f"{p}.adresse")), _ADDRESS_PREFIXES[unit][0])
        knr = get(f"{prefix}.kommunenummer")
        if knr.isdigit() and len(knr) < 4:
            knr = knr.zfill(4)  # a kommunenummer that went through a spreadsheet
        if self.kommuner is not None and knr not in self.kommuner:
            self.skipped[OUTSIDE] += 1
            return
        errors: list[RowError] = []

        def fail(fld: str, reason: str | Text, /, **values: Any) -> None:
            errors.append(RowError(self.name, line, fld, reason if isinstance(reason, Text)
                                   else Text(reason, **values)))

        orgnr = get("organisasjonsnummer").replace(" ", "")
        if problem := orgnr_problem(orgnr):
            fail("organisasjonsnummer", problem)
        flags = {}
        for key in _BOOLS:
            raw = get(key).casefold()
            if raw not in ("", "true", "false"):
                fail(key, "row.brreg.boolean", value=clip(get(key), 40))
            flags[key] = {"true": True, "false": False}.get(raw)
        dates: dict[str, date | None] = {}
        for key in ("stiftelsesdato", "oppstartsdato", "slettedato", "nedleggelsesdato"):
            try:
                dates[key] = date.fromisoformat(get(key)) if get(key) else None
            except ValueError:
                fail(key, "row.brreg.date", value=clip(get(key), 40))
        if errors:
            self.rejected.extend(errors)
            return
        if dates["slettedato"] or dates["nedleggelsesdato"]:
            self.skipped[Text("skip.brreg.deleted")] += 1
            return
        if flags["konkurs"] or flags["underavvikling"] or \
                flags["undertvangsavviklingellertvangsopplosning"]:
            self.skipped[Text("skip.brreg.bankrupt")] += 1
            return
        name, nace = get("navn"), get("naeringskode1.kode") or None
        sector = get("institusjonellsektorkode.kode") or None
        kind, rule, why = classify(get("organisasjonsform.kode"), nace,
                                   flags["registrertifrivillighetsregisteret"], name,
                                   sector=sector, unit=unit)
        if kind is None:
            self.skipped[Text("skip.brreg.rule", why=_RuleReason(rule, why), rule=rule)] += 1
            return
        if kind in INCLUDABLE and kind not in self.include:
            self.skipped[Text("skip.brreg.not_included", kind_name=Text(f"kind.{kind}"),
                              kind=kind, why=_RuleReason(rule, why), rule=rule)] += 1
            return
        address = _address(get, prefix)
        postal = _address(get, "postadresse") if prefix != "postadresse" else None
        nace_text = [t for t in (get(f"naeringskode{i}.beskrivelse") for i in (1, 2, 3)) if t]
        try:
            self.actors.append(Actor(
                id=brreg_id(orgnr), kind=kind, name=name, kommunenummer=knr or None,
                orgnr=orgnr, address=address, orgform=get("organisasjonsform.kode") or None,
                nace=nace, founded=dates["stiftelsesdato"] or dates["oppstartsdato"],
                homepage=get("hjemmeside") or None,
                parent_orgnr=get("overordnetenhet") or None,
                kind_rule=rule, activity=_text(get, "aktivitet"),
                purpose=_text(get, "vedtektsfestetformaal"),
                postal_address=postal if postal != address else None,
                nace2=get("naeringskode2.kode") or None, nace3=get("naeringskode3.kode") or None,
                nace_text=nace_text or None, sector=sector,
                sector_text=get("institusjonellsektorkode.beskrivelse") or None,
                provenance=Provenance(source=self.name, source_row=line,
                                      loaded_at=self.loaded_at),
            ))
        except ModelError as exc:
            for err in exc.errors():
                fld = _FIELD_HEADERS.get(str(err["loc"][0]), str(err["loc"][0]))
                fail(fld, "row.brreg.invalid",
                     problem=clip(str(err["msg"]).removeprefix("Value error, "), 120))
            self.rejected.extend(errors)


def _address(get: Getter, prefix: str) -> str | None:
    lines = [ln.strip() for ln in get(f"{prefix}.adresse").split("\n") if ln.strip()]
    town = " ".join(x for x in (get(f"{prefix}.postnummer"), get(f"{prefix}.poststed")) if x)
    return "\n".join([*lines, town] if town else lines) or None


def _text(get: Getter, key: str) -> str | None:
    """Register prose as one paragraph (the JSON form gives it as a list of lines, some CSV
    exports in numbered columns ``aktivitet2``, ``aktivitet3``)."""
    return " ".join(" ".join(get(k) for k in (key, f"{key}2", f"{key}3")).split()) or None


_FIELD_HEADERS = {
    "name": "navn", "kommunenummer": "kommunenummer", "orgform": "organisasjonsform.kode",
    "nace": "naeringskode1.kode", "homepage": "hjemmeside", "parent_orgnr": "overordnetEnhet",
    "address": "adresse", "postal_address": "postadresse.adresse",
    "nace2": "naeringskode2.kode", "nace3": "naeringskode3.kode",
    "sector": "institusjonellSektorkode.kode", "activity": "aktivitet",
    "purpose": "vedtektsfestetFormaal",
}
