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

import itertools
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphsvc.errors import GraphsvcError, ImportFailed, RowError, Text, ValidationError
from graphsvc.i18n import register_texts
from graphsvc.model import Actor, GraphBatch, Tie, WriteReport
from graphsvc.store.base import BulkWrite, GraphStore
from loaders import LoadResult
from loaders.brreg import BrregStream
from loaders.detect import FORMATS, detect_format
import loaders.enrich as enrichment_steps
from loaders.enrich import Context, enrich
from loaders.enrich.dedupe import _is_row
from loaders.enrich.register_ties import Facts
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
    read: list[tuple[int, str, LoadResult]] = []  # (position on the command line, format, ...)
    streams: list[tuple[int, BrregStream]] = []
    known: dict[str, list[str]] | None = None
    person_key: bytes | None = None
    for position, raw in enumerate(paths):
        path = Path(raw)
        name = (names or {}).get(str(raw)) or path.name
        kind_of_file = fmt or detect_format(path, name)
        hook = _hook(progress, name, path)
        if kind_of_file == "brreg":  # streamed below: a national file is a million rows
            streams.append((position, BrregStream(
                path, kommuner=wanted, loaded_at=loaded_at, source=name, progress=hook,
                include=sorted(set(include or ())))))
            continue
        if kind_of_file == "workshop" and known is None:
            known = known_names(store)
            # People's ids are keyed hashes under this store's own key (made on first use: a
            # document, not part of the graph, so the revision stays).
            person_key = store.person_key()
        result = _read(kind_of_file, path, name, loaded_at, wanted, kind, category, hook, known,
                       workshop, sorted(set(include or ())),
                       person_key if kind_of_file == "workshop" else None)
        budget().keep(name, result.rows_read, len(result.batch) + len(result.patches))
        read.append((position, kind_of_file, result))
    # The register files: held whole (as every other file) up to BULK_FROM actors; past that
    # the import writes in chunks inside one bulk write (_import_bulk).
    held: dict[int, list[Actor]] = {p: [] for p, _ in streams}
    flowing = [(p, s, s.actors()) for p, s in streams]
    total = 0
    for p, _s, actors in flowing:
        for actor in actors:
            held[p].append(actor)
            total += 1
            if total > BULK_FROM:
                return _import_bulk(store, read, flowing, held, wanted=wanted, strict=strict,
                                    include=include, lang=lang)
    read.extend((p, "brreg", s.result(held[p])) for p, s in streams)
    results = [(f, r) for _, f, r in sorted(read, key=lambda x: x[0])]
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
    return _report(results, rows, ties, problems, report, people, no_actor, enrichment, lang)


def _report(results: list[tuple[str, LoadResult]], rows: list[RowError], ties: list[RowError],
            problems: list[RowError], report: WriteReport, people: dict[str, Any],
            no_actor: set[str], enrichment: dict[str, Any], lang: str | None) -> dict[str, Any]:
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


# An import keeping more register actors than this writes in chunks of CHUNK inside one bulk
# write (GraphStore.bulk): memory then holds one chunk, the small files and compact indexes,
# not every record (docs/loaders.md "Limits": 400 000 actors in 1.4 GB before, ... now).
BULK_FROM = 10_000
CHUNK = 5_000


def _import_bulk(store: GraphStore, read: list[tuple[int, str, LoadResult]],
                 flowing: list[tuple[int, BrregStream, Iterator[Actor]]],
                 held: dict[int, list[Actor]], *, wanted: list[str] | None, strict: bool,
                 include: Iterable[str] | None, lang: str | None) -> dict[str, Any]:
    """The import of :func:`_import` for register files too large to hold: the same result.

    The other files are read whole (they are small) and go through the usual path at the end,
    with the register actors that a whole-import step may change: kommuner, actors of a
    kommune where an actor without orgnr may be merged into them (dedupe), actors that are an
    earlier merge's kept actor, business sub-units (left out unless their main unit is loaded),
    actors another file of the import also names, and an id seen twice. Every other register
    actor is merged with the store, given its district and offers, and staged chunk by chunk.
    The register ties are derived at the end from a compact index of every actor
    (:class:`~loaders.enrich.register_ties.Facts`). One commit; any error drops it all."""
    small = [(f, r) for _, f, r in sorted(read, key=lambda x: x[0])]
    options = {"include": sorted(set(include or ()))}
    formats = [f for _, f, _ in sorted([*read, *((p, "brreg", None) for p, _, _ in flowing)],
                                        key=lambda x: x[0])]
    small_ids = {a.id for _, r in small for a in r.batch.actors}
    patches: dict[str, list[tuple[str, Any]]] = {}
    for f, r in small:
        for patch in r.patches:
            patches.setdefault(patch.actor_id, []).append((f, patch))
    stated = {res.id for _, r in small for res in r.batch.resources if res.confirmed}
    # What the whole-import steps look at in the store, read once and kept small.
    facts = Facts()
    row_kommuner: set[str] = set()
    keepers: set[str] = set()  # actors an earlier merge folded another one into

    def note(data: dict[str, Any]) -> None:
        if _is_row(data) and data.get("kommunenummer"):
            row_kommuner.add(data["kommunenummer"])
        if data.get("aliases"):
            keepers.add(data["id"])

    def stored_actors() -> Iterator[dict[str, Any]]:
        for data in store._all("actors"):
            note(data)
            yield data

    facts.add_stored(stored_actors())
    for _, r in small:
        for a in r.batch.actors:
            note(a.model_dump(mode="json", exclude_none=True))
    # The steps that work actor by actor run on each chunk; their reports are summed.
    chunk_steps = [(n, step) for n, step in enrichment_steps.STEPS if n in _SUMS]
    chunk_reports: dict[str, dict[str, Any]] = {n: {} for n, _ in chunk_steps}
    written = WriteReport(revision=0)
    deferred: dict[int, list[Actor]] = {p: [] for p, _, _ in flowing}
    seen = _Seen()
    ctx = Context(kommuner=wanted, formats=formats, options={**options, "stated": stated})
    chunk: list[tuple[str, Actor]] = []

    def whole_import_needs(actor: Actor) -> bool:
        return (actor.id in small_ids or actor.kind == "municipality" or actor.id in keepers
                or (actor.kommunenummer in row_kommuner and actor.orgform != "ENK")
                or (actor.kind == "business" and actor.orgform == "BEDR"
                    and bool(actor.parent_orgnr)))

    with store.bulk() as bulk:
        def flush() -> None:
            _write_chunk(store, bulk, chunk, patches, facts, ctx, chunk_steps, chunk_reports,
                         written)
            chunk.clear()

        for p, stream, actors in flowing:
            for actor in itertools.chain(held.pop(p), actors):
                if whole_import_needs(actor) or seen.again(actor.id):
                    deferred[p].append(actor)
                    continue
                chunk.append((stream.name, actor))
                if len(chunk) >= CHUNK:
                    flush()
        flush()
        # The usual path for the small files and the actors held back, against the store
        # plus what was staged; the register ties of every actor of the import.
        results = sorted([*read, *((p, "brreg", s.result(deferred[p])) for p, s, _ in flowing)],
                         key=lambda x: x[0])
        results_ = [(f, r) for _, f, r in results]
        for f, r in results_:  # the patches applied to chunk actors are done
            r.patches = [x for x in r.patches if x.actor_id in patches]
        batch, no_actor = _merge(store, results_, bulk.fetch)
        for f, r in results_:
            if f != "workshop":
                r.batch.actors = []
        facts.add_here(a.model_dump(mode="json", exclude_none=True) for a in batch.actors)
        later: list[Tie] = []
        enrichment = enrich(store, batch, Context(
            kommuner=wanted, formats=formats,
            options={**options, "register_facts": facts, "register_ties_out": later}))
        for name, part in chunk_reports.items():
            enrichment[name] = _SUMS[name](part, enrichment.get(name, {}))
        rows = [e for _, r in results_ for e in r.rejected]
        ties = [e for _, r in results_ for e in getattr(r, "ties_rejected", [])]
        ties.extend(_drop_unknown_references(store, batch, bulk.existing_nodes))
        problems = sorted([*rows, *ties], key=lambda e: (e.file, e.line))
        if strict and problems:
            raise ImportFailed("error.import.strict", rows=problems,
                               fill={"count": _count(rows, ties), "first": problems[0]})
        if problems and not len(batch) and not any(
                written.created.values()) and not any(written.updated.values()) and \
                not any(written.unchanged.values()):
            raise ImportFailed("error.import.all_rejected", rows=problems,
                               fill={"count": _count(rows, ties), "first": problems[0]})
        people = _people(store, results_, batch)
        _add(written, _write_changes(store, batch, bulk))
        for start in range(0, len(later), CHUNK):
            _add(written, _write_changes(store, GraphBatch(ties=later[start : start + CHUNK]),
                                         bulk))
    written.revision = bulk.revision or 0
    return _report(results_, rows, ties, problems, written, people, no_actor, enrichment, lang)


class _Seen:
    """The ids of a bulk import's chunk actors, as numbers where they are ``brreg:<orgnr>``
    (a set of 400 000 ids in about 20 MB)."""

    def __init__(self) -> None:
        self.numbers: set[int] = set()
        self.others: set[str] = set()

    def again(self, actor_id: str) -> bool:
        """Whether ``actor_id`` was seen before; remembers it."""
        tail = actor_id[6:]
        if actor_id.startswith("brreg:") and tail.isdigit() and not tail.startswith("0"):
            found, where = int(tail), self.numbers
        else:
            found, where = actor_id, self.others  # type: ignore[assignment]
        if found in where:
            return True
        where.add(found)  # type: ignore[arg-type]
        return False


def _write_chunk(store: GraphStore, bulk: BulkWrite, chunk: list[tuple[str, Actor]],
                 patches: dict[str, list[tuple[str, Any]]], facts: Facts, ctx: Context,
                 steps: list[tuple[str, Any]], reports: dict[str, dict[str, Any]],
                 written: WriteReport) -> None:
    """Merge one chunk of register actors with the store (and a patch another file of the
    import gives), give them districts and offers, and stage what changes."""
    if not chunk:
        return
    stored = bulk.fetch("actors", sorted({a.id for _, a in chunk}))
    merged: dict[str, dict[str, Any]] = {}
    for source, actor in chunk:
        given = actor.model_dump(mode="json", exclude_none=True, exclude=_META_FIELDS)
        prov = actor.provenance.model_dump(mode="json", exclude_none=True) \
            if actor.provenance else {"source": source}
        data = merge_actor(stored.get(actor.id), given, "brreg", prov)
        for fmt, p in patches.pop(actor.id, []):
            data = merge_actor(data, {"id": p.actor_id, **p.fields}, fmt,
                               p.provenance.model_dump(mode="json", exclude_none=True),
                               whole=False)
        merged[actor.id] = data
    facts.add_here(merged.values())
    batch = GraphBatch(actors=[Actor.model_validate(d) for d in merged.values()])
    del merged, stored
    for name, step in steps:
        _SUMS[name](reports[name], step(store, batch, ctx))
    _add(written, _write_changes(store, batch, bulk))


def _add(total: WriteReport, part: WriteReport) -> None:
    for counts in ("created", "updated", "unchanged"):
        into, more = getattr(total, counts), getattr(part, counts)
        for kind, n in more.items():
            into[kind] = into.get(kind, 0) + n


def _sum_offers(total: dict[str, Any], part: dict[str, Any], *,
                sort: bool = True) -> dict[str, Any]:
    """The "offers" step's report of one more chunk added to ``total`` (in place)."""
    for key, value in part.items():
        if isinstance(value, int):
            total[key] = total.get(key, 0) + value
        elif isinstance(value, list):
            total[key] = [*total.get(key, []), *value]
            if sort:
                total[key].sort()
        elif key == "by_rule":
            by = total.setdefault(key, {})
            for rule, n in value.items():
                by[rule] = by.get(rule, 0) + n
            total[key] = dict(sorted(by.items()))
        else:  # names
            total[key] = {**total.get(key, {}), **value}
    return total


def _sum_districts(total: dict[str, Any], part: dict[str, Any]) -> dict[str, Any]:
    """The "districts" step's report (per kommune) of one more chunk added to ``total``."""
    for kommune, report in part.items():
        _sum_offers(total.setdefault(kommune, {}), report, sort=False)  # in file order
    return dict(sorted(total.items()))


# The enrichment steps a bulk import runs chunk by chunk, and how their reports add up.
_SUMS = {"districts": _sum_districts, "offers": _sum_offers}


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


def _write_changes(store: GraphStore, batch: GraphBatch,
                   bulk: BulkWrite | None = None) -> WriteReport:
    """Write only what changes; if nothing does, do not write at all, so the revision (which
    every write bumps, and which caches and snapshots key on) stays where it is.

    Actors were merged already (:func:`merge_actor` keeps a stored record whose only change is
    its provenance); the store compares the other records the same way, in the one pass that
    also writes them (``ignoring`` provenance): each record is serialised once and the stored
    data read once."""
    # Derived offers no rule gives any more (the "offers" step's report counts them), and the
    # documents a step keeps (pending duplicates) when they changed.
    given = dict(batch.documents)
    stored_docs = store.documents(sorted(given)) if given else {}
    batch.documents.clear()  # only those that changed go with the write
    try:
        documents = {k: v for k, v in given.items() if stored_docs.get(k) != v}
        if bulk is not None:  # staged; the bulk write commits it with the rest
            return bulk.write(batch, documents=documents, ignoring=_IGNORED)
        return store.write(batch, documents=documents, ignoring=_IGNORED)
    finally:
        batch.documents.update(given)


# What an import leaves as stored when it is all that differs: where a record was read from.
_IGNORED = frozenset({"provenance"})


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


def _merge(store: GraphStore, results: list[tuple[str, LoadResult]],
           fetch: Callable[[str, list[str]], dict[str, dict[str, Any]]] | None = None,
           ) -> tuple[GraphBatch, set[str]]:
    """One batch: every actor merged with the stored one and earlier files, patches applied.
    (The ties the registers know are an enrichment step: loaders/enrich/register_ties.py.)"""
    ids = {a.id for _, r in results for a in r.batch.actors}
    ids |= {p.actor_id for _, r in results for p in r.patches}
    stored = (fetch or store._fetch)("actors", sorted(ids)) if ids else {}
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


def _drop_unknown_references(store: GraphStore, batch: GraphBatch,
                             existing: Callable[[list[str]], set[str]] | None = None,
                             ) -> list[RowError]:
    """A sheet may tie to an id from elsewhere (``brreg:…``); if the store does not hold it,
    reject that tie as a row error instead of failing the whole import."""
    here = {a.id for a in batch.actors} | {i.id for i in batch.initiatives}
    outside = sorted({e for t in batch.ties for e in (t.source, t.target)} - here)
    missing = set(outside) - (existing or store._existing_nodes)(outside) if outside else set()
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
