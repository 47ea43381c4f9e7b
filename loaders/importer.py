"""Load files into a store: read each with its loader (format detected from the content unless
given), merge the actors with what the store holds (:mod:`loaders.merge`), and write everything
in one atomic batch, then report. Shared by ``graphsvc load`` and ``POST /imports``.

Nothing is written when a file cannot be read, when rows were rejected and none loaded, or with
``strict`` when any row was rejected; and nothing is written (the store's revision stays) when
nothing would change: a record whose only difference is its provenance (file name, row, load
time) is kept as stored, so a copy of a file under another name changes nothing either.
Within one import, records that create actors are merged first and Frivillighetsregisteret's
category patches after them, so the order of the files on the command line does not matter.

Every import keeps :class:`loaders.streams.Limits` (``limits=``; docs/loaders.md "Limits"):
bytes per file after decompression, rows for the whole import, JSON depth and document size,
cell and line length. Whatever a file holds, an import ends in a report or in a
:class:`~graphsvc.errors.GraphsvcError` whose message is one line of fewer than 300 characters
naming the file, and a failed import writes nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphsvc.errors import GraphsvcError, ImportFailed, RowError, Text, ValidationError
from graphsvc.i18n import register_texts
from graphsvc.model import Actor, GraphBatch, WriteReport
from graphsvc.store.base import RECORD_TYPES, GraphStore, record_data, record_key
from loaders import LoadResult
from loaders.detect import FORMATS, detect_format
from loaders.enrich import Context, enrich
from loaders.merge import merge_actor
from loaders.streams import Limits, budget, limits_in_force, one_line

__all__ = ["FORMATS", "NO_ACTOR", "Limits", "detect_format", "import_files"]

# (file name, bytes read, file size) — the CLI draws a progress bar from it.
ProgressHook = Callable[[str, int, int], None]
TEXTS = register_texts(__name__, {
    "nb": {
        "skip.no_actor": "ingen aktør har dette organisasjonsnummeret (last inn "
                         "Enhetsregisteret for det først)",
        "error.unknown_format": "ukjent format '{format}'; kjente formater: {known}",
        "error.kommunenummer": "kommunenummer må ha 4 sifre, som '0301', ikke '{kommunenummer}'",
        "import.count.rows": "{n} {n:rad|rader}",
        "import.count.ties": "{n} {n:bånd|bånd}",
        "import.count.both": "{rows} og {ties}",
        "error.import.strict": "{count} avvist i streng modus, så ingenting ble skrevet. "
                               "Første: {first}",
        "error.import.all_rejected": "ingenting ble skrevet, for alt ble avvist: {count}. "
                                     "Første: {first}",
        "row.tie_unknown_id": "bånd ({tie}) til '{id}': ingen aktør eller initiativ har den "
                              "id-en, verken i arket eller i lageret",
    },
    "en": {
        "skip.no_actor": "no actor with this orgnr (load Enhetsregisteret for it first)",
        "error.unknown_format": "unknown format '{format}'; known: {known}",
        "error.kommunenummer": "kommunenummer must be 4 digits like '0301', not '{kommunenummer}'",
        "import.count.rows": "{n} {n:row|rows}",
        "import.count.ties": "{n} {n:tie|ties}",
        "import.count.both": "{rows} and {ties}",
        "error.import.strict": "{count} rejected in strict mode, so nothing was written. "
                               "First: {first}",
        "error.import.all_rejected": "all {count} rejected, so nothing was written. "
                                     "First: {first}",
        "row.tie_unknown_id": "tie ({tie}) to '{id}': no actor or initiative with that id in "
                              "the sheet or the store",
    },
})
NO_ACTOR = Text("skip.no_actor")
_META_FIELDS = {"provenance", "sources", "field_sources"}


def import_files(
    store: GraphStore,
    paths: Iterable[str | Path],
    *,
    fmt: str | None = None,
    strict: bool = False,
    names: dict[str, str] | None = None,
    kommuner: Iterable[str] | None = None,
    kind: str | None = None,
    category: str | None = None,
    workshop: str | None = None,
    progress: ProgressHook | None = None,
    include: Iterable[str] | None = None,
    lang: str | None = None,
    limits: Limits | None = None,
) -> dict[str, Any]:
    """Read every file, merge, then write all good rows in one batch; return the report.

    ``names`` maps a path to the name the user knows it by (uploads). ``kommuner`` keeps only
    records in these kommuner; ``kind``/``category`` fill in what an open-data file does not
    say; ``workshop`` names the workshop of sheet rows that do not (it scopes people's ids);
    ``include`` loads register entities of these kinds (``business``) instead of counting them.
    Raises ``ImportFailed`` (and writes nothing) when a file is unreadable or over one of the
    ``limits`` (default :class:`Limits`), when rows were rejected and none is left to load, or
    with ``strict`` when any row or tie was rejected. The report's reasons are in ``lang``
    (default bokmål); every message is one line of fewer than 300 characters."""
    with limits_in_force(limits):
        try:
            return _import(store, paths, fmt=fmt, strict=strict, names=names,
                           kommuner=kommuner, kind=kind, category=category, workshop=workshop,
                           progress=progress, include=include, lang=lang)
        except GraphsvcError as exc:
            raise one_line(exc)  # the same error, its message clipped if a value was long


def _import(
    store: GraphStore,
    paths: Iterable[str | Path],
    *,
    fmt: str | None,
    strict: bool,
    names: dict[str, str] | None,
    kommuner: Iterable[str] | None,
    kind: str | None,
    category: str | None,
    workshop: str | None,
    progress: ProgressHook | None,
    include: Iterable[str] | None,
    lang: str | None,
) -> dict[str, Any]:
    if fmt is not None and fmt not in FORMATS:
        raise ValidationError("error.unknown_format", format=fmt,
                              fill={"known": ", ".join(FORMATS)})
    wanted = sorted(set(kommuner)) if kommuner else None
    for code in wanted or []:
        if not re.fullmatch(r"\d{4}", code):
            raise ValidationError("error.kommunenummer", kommunenummer=code)
    loaded_at = datetime.now(UTC).replace(microsecond=0)
    results: list[tuple[str, LoadResult]] = []
    known: dict[str, list[str]] | None = None
    person_key: bytes | None = None
    for raw in paths:
        path = Path(raw)
        name = (names or {}).get(str(raw)) or path.name
        kind_of_file = fmt or detect_format(path, name)
        hook = _hook(progress, name, path)
        if kind_of_file == "workshop" and known is None:
            known = known_names(store)
            # People's ids are keyed hashes under this store's own key (made on first use: a
            # document, not part of the graph, so the revision stays).
            person_key = store.person_key()
        result = _read(kind_of_file, path, name, loaded_at, wanted, kind, category, hook, known,
                       workshop, sorted(set(include or ())),
                       person_key if kind_of_file == "workshop" else None)
        if kind_of_file != "brreg":  # the register's reader counts as it reads
            budget().keep(name, result.rows_read, len(result.batch) + len(result.patches))
        results.append((kind_of_file, result))
    batch, no_actor = _merge(store, results)
    for fmt, r in results:  # merged into ``batch``: the readers' copies can go
        if fmt != "workshop":  # (_people still looks at the sheets' people)
            r.batch.actors = []
    enrichment = enrich(store, batch, Context(kommuner=wanted, formats=[f for f, _ in results],
                                              options={"include": sorted(set(include or ()))}))
    rows = [e for _, r in results for e in r.rejected]  # rows left out whole
    ties = [e for _, r in results for e in getattr(r, "ties_rejected", [])]  # ties left out
    ties.extend(_drop_unknown_references(store, batch))
    problems = sorted([*rows, *ties], key=lambda e: (e.file, e.line))
    if strict and problems:
        raise ImportFailed("error.import.strict", rows=problems,
                           fill={"count": _count(rows, ties), "first": problems[0]})
    if problems and not len(batch):
        raise ImportFailed("error.import.all_rejected", rows=problems,
                           fill={"count": _count(rows, ties), "first": problems[0]})
    people = _people(store, results, batch)
    report = _write_changes(store, batch)
    skipped: Counter[str] = Counter()
    for _, r in results:
        skipped.update(r.skipped)
    if no_actor:
        skipped[NO_ACTOR] += len(no_actor)
    written = report.model_dump()
    left_out = {id(e): "tie" for e in ties}
    return {
        "files": [{"file": r.source, "format": f, "rows_read": r.rows_read,
                   "rejected": r.rows_rejected,
                   "ties_rejected": sum(1 for e in ties if e.file == r.source),
                   "skipped": _said(r.skipped, lang),
                   "ignored_columns": r.ignored_columns} for f, r in results],
        "rows_read": sum(r.rows_read for _, r in results),
        "rows_rejected": len({(e.file, e.line) for e in rows}),
        "ties_rejected": len(ties),
        "actors": {k: written[k].get("actors", 0) for k in ("created", "updated", "unchanged")},
        "ties": {k: written[k].get("ties", 0) for k in ("created", "updated", "unchanged")},
        "written": written,
        "rejected": [one_line(e).to_dict(lang) | {"left_out": left_out.get(id(e), "row")}
                     for e in problems],
        "people": people,
        "skipped": _said(skipped, lang),
        "orgnrs_without_actor": sorted(no_actor),
        "enrichment": enrichment,
    }


def _said(skipped: dict[Any, int], lang: str | None) -> dict[str, int]:
    """Skip reasons (texts or plain strings) in ``lang``, sorted."""
    out: Counter[str] = Counter()
    for reason, n in skipped.items():
        out[reason.in_(lang) if isinstance(reason, Text) else str(reason)] += n
    return dict(sorted(out.items()))


def _count(rows: list[RowError], ties: list[RowError]) -> Text:
    n_rows = len({(e.file, e.line) for e in rows})
    said_rows = Text("import.count.rows", n=n_rows)
    said_ties = Text("import.count.ties", n=len(ties))
    if n_rows and ties:
        return Text("import.count.both", rows=said_rows, ties=said_ties)
    return said_ties if ties else said_rows


def _write_changes(store: GraphStore, batch: GraphBatch) -> WriteReport:
    """Write only what changes; if nothing does, do not write at all, so the revision (which
    every write bumps, and which caches and snapshots key on) stays where it is.

    Actors were merged already (:func:`merge_actor` keeps a stored record whose only change is
    its provenance); the other records are compared here the same way."""
    report = WriteReport(revision=0)
    changed = GraphBatch()
    for kind in RECORD_TYPES:
        rows = {record_key(kind, rec): rec for rec in getattr(batch, kind)}  # last one wins
        stored = store._fetch(kind, list(rows)) if rows else {}
        new, updated = [], []
        for key, rec in rows.items():
            if key not in stored:
                new.append(rec)
            elif _without_provenance(record_data(rec)) != _without_provenance(stored[key]):
                updated.append(rec)
        report.created[kind] = len(new)
        report.updated[kind] = len(updated)
        report.unchanged[kind] = len(rows) - len(new) - len(updated)
        setattr(changed, kind, [*new, *updated])
    # Derived offers no rule gives any more (the "offers" step's report counts them), and the
    # documents a step keeps (pending duplicates) when they changed.
    changed.retracted.update(batch.retracted)
    if batch.documents:
        stored_docs = store.documents(sorted(batch.documents))
        changed.documents.update({k: v for k, v in batch.documents.items()
                                  if stored_docs.get(k) != v})
    if len(changed) or changed.retracted or changed.documents:
        report.revision = store.write(changed).revision
    else:
        report.revision = store.revision()
    return report


def _without_provenance(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "provenance"}


def _people(store: GraphStore, results: list[tuple[str, LoadResult]],
            batch: GraphBatch) -> dict[str, list[dict[str, Any]]]:
    """Which individuals of the sheets are people the store holds already (the same id), and
    which look like someone stored under another id: the same name (as a slug: case, accents
    and punctuation aside) in the same district and kommune. Ids and lines only: the user
    has the names in the sheet."""
    from loaders.ids import slug

    sheet_people = [(r.source, a) for f, r in results if f == "workshop"
                    for a in r.batch.actors if a.kind == "individual"]
    if not sheet_people:
        return {"matched": [], "likely_duplicates": []}
    ids = sorted({a.id for _, a in sheet_people})
    stored_ids = set(store._fetch("actors", ids))

    def key(data: dict[str, Any]) -> tuple[str, str, str]:
        return (slug(data.get("name") or ""), (data.get("district") or "").casefold(),
                data.get("kommunenummer") or "")

    others: dict[tuple[str, str, str], set[str]] = {}
    for data in (*store._all("actors"), *(a.model_dump() for a in batch.actors)):
        if data.get("kind") == "individual":
            others.setdefault(key(data), set()).add(data["id"])
    matched, duplicates = [], []
    for source, actor in sheet_people:
        where = {"file": source, "line": actor.provenance.source_row if actor.provenance else 0,
                 "id": actor.id}
        if actor.id in stored_ids:
            matched.append(where)
        if also := sorted(others.get(key(actor.model_dump()), set()) - {actor.id}):
            duplicates.append(where | {"others": also})
    return {"matched": matched, "likely_duplicates": duplicates}


def _hook(progress: ProgressHook | None, name: str, path: Path) -> Callable[[int], None] | None:
    if progress is None:
        return None
    size = path.stat().st_size
    return lambda done: progress(name, done, size)


def _read(fmt: str, path: Path, name: str, loaded_at: datetime, kommuner: list[str] | None,
          kind: str | None, category: str | None, hook: Callable[[int], None] | None,
          known: dict[str, list[str]] | None = None, workshop: str | None = None,
          include: list[str] | None = None, person_key: bytes | None = None) -> LoadResult:
    if fmt == "brreg":
        from loaders.brreg import read_brreg

        return read_brreg(path, kommuner=kommuner, loaded_at=loaded_at, source=name,
                          progress=hook, include=include)
    if fmt == "frivillighet":
        from loaders.frivillighet import read_frivillighet

        return read_frivillighet(path, loaded_at=loaded_at, source=name, progress=hook)
    if fmt == "opendata":
        from loaders.opendata import read_opendata

        return read_opendata(path, kind=kind, category=category, kommuner=kommuner,
                             kommunenummer=kommuner[0] if kommuner and len(kommuner) == 1
                             else None, loaded_at=loaded_at, source=name, progress=hook)
    if fmt == "kommuner":
        from loaders.kommuner import read_kommuner

        return read_kommuner(path, kommuner=kommuner, loaded_at=loaded_at, source=name)
    from loaders.workshop import read_workshop

    kommunenummer = kommuner[0] if kommuner and len(kommuner) == 1 else None
    return read_workshop(path, loaded_at=loaded_at, source=name, kommunenummer=kommunenummer,
                         workshop=workshop, known=known, person_key=person_key)


def known_names(store: GraphStore) -> dict[str, list[str]]:
    """Organisations and initiatives the store holds, by normalised name, so a workshop sheet
    can tie to them by name. Individuals are left out: names do not identify people."""
    from loaders.workshop import _name_key

    names: dict[str, list[str]] = {}
    for record in (*store._all("actors"), *store._all("initiatives")):
        if record.get("kind") != "individual":
            names.setdefault(_name_key(record["name"]), []).append(record["id"])
    return names


def _merge(store: GraphStore, results: list[tuple[str, LoadResult]]) -> tuple[GraphBatch, set[str]]:
    """One batch: every actor merged with the stored one and earlier files, patches applied.
    (The ties the registers know are an enrichment step: loaders/enrich/register_ties.py.)"""
    ids = {a.id for _, r in results for a in r.batch.actors}
    ids |= {p.actor_id for _, r in results for p in r.patches}
    stored = store._fetch("actors", sorted(ids)) if ids else {}
    merged: dict[str, dict[str, Any]] = {}
    batch = GraphBatch()
    for fmt, r in results:
        for actor in r.batch.actors:
            given = actor.model_dump(mode="json", exclude_none=True, exclude=_META_FIELDS)
            prov = actor.provenance.model_dump(mode="json", exclude_none=True) \
                if actor.provenance else {"source": r.source}
            merged[actor.id] = merge_actor(merged.get(actor.id) or stored.get(actor.id),
                                           given, fmt, prov)
        for name in ("initiatives", "resources", "needs", "ties"):
            getattr(batch, name).extend(getattr(r.batch, name))
    no_actor: set[str] = set()
    for fmt, r in results:
        for p in r.patches:
            base = merged.get(p.actor_id) or stored.get(p.actor_id)
            if base is None:
                no_actor.add(p.actor_id.removeprefix("brreg:"))
                continue
            merged[p.actor_id] = merge_actor(
                base, {"id": p.actor_id, **p.fields}, fmt,
                p.provenance.model_dump(mode="json", exclude_none=True), whole=False)
    batch.actors = [Actor.model_validate(d) for d in merged.values()]
    return batch, no_actor


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
        errors.append(RowError(prov.source if prov else "?",
                               prov.source_row if prov and prov.source_row else 0,
                               "kontakter", "row.tie_unknown_id",
                               {"tie": Text(f"tie.{tie.kind}"), "id": unknown}))
    batch.ties = kept
    return errors
