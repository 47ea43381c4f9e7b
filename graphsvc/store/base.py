"""The ``GraphStore`` interface every store implements, and the logic they share.

A store keeps five record types (actors, initiatives, resources, needs, ties) under their natural
keys. ``write`` is the way in: it validates the whole batch (including that every reference
resolves) before touching the database, then applies it in one transaction, so a batch that
fails part-way leaves the store exactly as it was. Every write bumps the store's revision.
``bulk`` is the same for many batches (an import too large to hold in memory): each is validated
and staged in the store, invisible to readers, and all are committed in one transaction.
Implementations provide the primitives (``_fetch``, ``_apply``, ...); this class owns the rules.
"""

from __future__ import annotations

import abc
import secrets
import time
import weakref
from collections.abc import Callable, Collection, Iterable
from typing import Any

import networkx as nx

from graphsvc.errors import NotFoundError, UnknownReferenceError
from graphsvc.model import (
    Actor,
    GraphBatch,
    Initiative,
    Need,
    Resource,
    Tie,
    WriteReport,
    paused_gc,
)

RECORD_TYPES = ("actors", "initiatives", "resources", "needs", "ties")
# Key → JSON documents beside the graph (a district definition per kommune); ``_fetch``,
# ``_all`` and ``_apply`` take this kind too, as records ``{"id": key, "value": ...}``.
DOCUMENTS = "documents"
# ``_apply`` also takes ``changes[ERASE] = [(actor id, {"id": ...})]``: erase these actors with
# their ties, resources and needs before the upserts.
ERASE = "erase"
# ... and ``changes[RETRACT] = [(resource id, {"id": ...})]``: delete these offers (derived
# offers whose rule no longer gives them: loaders/enrich/offers.py) before the upserts.
RETRACT = "retract"
# What ``on_write`` listeners get for ``delete_actor``: ``{DELETE: [(node id, {"id": ...})]}``.
DELETE = "delete"
MODELS = {
    "actors": Actor,
    "initiatives": Initiative,
    "resources": Resource,
    "needs": Need,
    "ties": Tie,
}


def record_key(kind: str, record: Any) -> str:
    """The natural key of a record as one string (ties: ``source|KIND|target``)."""
    if kind == "ties":
        return f"{record.source}|{record.kind}|{record.target}"
    return record.id


def record_data(record: Any) -> dict[str, Any]:
    """The JSON-ready form a store persists (and compares to tell updated from unchanged):
    ``record.model_dump(mode="json", exclude_none=True)``, called on the serializer itself
    (a sixth less per record than through ``model_dump``'s keyword handling)."""
    return record.__pydantic_serializer__.to_python(record, mode="json", exclude_none=True)


class GraphStore(abc.ABC):
    """A persistent graph of a community's actors and their resources, needs and ties."""

    url: str = ""

    # ---- primitives each store implements -------------------------------------------------
    @abc.abstractmethod
    def _fetch(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Stored data of the records of ``kind`` with these keys (missing keys left out)."""

    @abc.abstractmethod
    def _existing_nodes(self, ids: list[str]) -> set[str]:
        """Which of these ids are stored actors or initiatives."""

    @abc.abstractmethod
    def _apply(self, changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> int:
        """Upsert ``changes[kind] = [(key, data), ...]`` and bump the revision, atomically.
        Returns the new revision."""

    @abc.abstractmethod
    def _all(self, kind: str) -> Iterable[dict[str, Any]]:
        """Every stored record of ``kind`` as data."""

    def _held(self, kind: str, holders: list[str]) -> list[dict[str, Any]]:
        """Stored resources or needs (``kind``) whose holder is one of these actors (stores
        look them up by holder instead of reading them all)."""
        wanted = set(holders)
        return [r for r in self._all(kind) if r.get("holder") in wanted]

    @abc.abstractmethod
    def _delete_node(self, node_id: str) -> int | None:
        """Remove an actor/initiative with its ties, resources and needs; bump the revision.
        Returns the revision its transaction set, or None when no such node exists."""

    @abc.abstractmethod
    def revision(self) -> int:
        """A number that moves on every write."""

    @abc.abstractmethod
    def close(self) -> None: ...

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove everything (tests and ``graphsvc demo --reset``); bumps the revision."""

    def pending_erasures(self) -> int:
        """Erasures whose bytes may still be on disk, after trying once more to complete them
        (SQLite: a reader blocked emptying the write-ahead log). 0 where the store cannot tell
        or has nothing to do (Neo4j: see docs/architecture.md, "Erasure")."""
        return 0

    # ---- shared behaviour -----------------------------------------------------------------
    def write(self, batch: GraphBatch, *, documents: dict[str, Any] | None = None,
              ignoring: Collection[str] = ()) -> WriteReport:
        """Validate ``batch`` and apply it atomically. Raises ``UnknownReferenceError`` (and
        writes nothing) if a tie, resource or need refers to an id that is neither stored nor
        in the batch. ``documents`` (key → JSON value) are stored in the same transaction.

        ``ignoring`` (field names, e.g. ``{"provenance"}`` for an import): a record whose
        stored form differs from the new one only in these fields is left as stored and
        counted unchanged, and if nothing is left to write, nothing is written: no
        transaction, and the revision stays (``report.revision`` is the current one)."""
        with paused_gc():
            changes, report = self._changes(batch, documents, self._fetch,
                                            self._existing_nodes, ignoring)
            if ignoring and not any(changes.values()):
                report.revision = self.revision()
                return report
            self._notify(None, changes)  # about to commit
            report.revision = self._apply(changes)
        self._notify(report.revision, changes)
        return report

    # ---- write listeners: the snapshot applies a change set instead of rebuilding ------------
    def on_write(self, listener: Callable[[int | None, dict[str, list[tuple[str, Any]]]], None]
                 ) -> None:
        """Call ``listener(revision, changes)`` after each write through this object commits:
        ``changes`` as ``_apply`` took them (only rows that differ), ``revision`` the one the
        write made; and ``listener(None, changes)`` just before ``write`` commits (a write that
        then fails reports nothing more). Writes by other store objects or processes are not
        seen: a listener must treat a revision it was not told about as "reread everything"
        (graphsvc/snapshot.py). A bound method is held weakly: a snapshot that is gone stops
        listening."""
        ref = weakref.WeakMethod(listener) if hasattr(listener, "__self__") else lambda: listener
        self.__dict__.setdefault("_listeners", []).append(ref)

    def _notify(self, revision: int | None, changes: dict[str, list[tuple[str, Any]]]) -> None:
        refs = self.__dict__.get("_listeners", [])
        for ref in list(refs):
            listener = ref()
            if listener is None:
                refs.remove(ref)
            else:
                listener(revision, changes)

    def bulk(self) -> BulkWrite:
        """One atomic write of many batches, for an import too large to hold in memory:

            with store.bulk() as bulk:
                for batch in chunks:
                    bulk.write(batch)      # validated and staged, not yet visible
            bulk.revision                  # committed: every batch, or (on an error) none

        Each ``bulk.write`` is checked like :meth:`write` against the store plus what was
        staged before it (``bulk.fetch`` and ``bulk.existing_nodes`` read the same way), and
        staged in the store itself (SQLite: a table; Neo4j and FalkorDB: ``:Staged`` nodes), so
        the caller holds one batch at a time. Leaving the block commits all of it in one
        transaction (one statement on the Cypher stores) that bumps the revision once; an
        exception inside it, or a failing commit, drops what was staged and leaves the store
        exactly as it was. Nothing staged: no commit, and the revision stays."""
        return BulkWrite(self)

    def _changes(
        self, batch: GraphBatch, documents: dict[str, Any] | None, fetch: Any, existing: Any,
        ignoring: Collection[str] = (),
    ) -> tuple[dict[str, list[tuple[str, dict[str, Any]]]], WriteReport]:
        """What ``batch`` changes (as ``_apply`` takes it) and its counts, against what
        ``fetch`` and ``existing`` read (the store, or the store plus a bulk write's stage).
        Each record is serialised once (``record_data``) and compared with the stored data as
        read, never turned back into a model; fields in ``ignoring`` do not count as a change."""
        self._check_references(batch, existing)
        report = WriteReport(revision=0)
        rows_written: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        for kind in RECORD_TYPES:
            records = getattr(batch, kind)
            if kind == "ties":
                rows = {f"{r.source}|{r.kind}|{r.target}": record_data(r) for r in records}
            else:
                rows = {r.id: record_data(r) for r in records}  # last one wins
            stored = fetch(kind, list(rows)) if rows else {}
            if not stored:  # a first load: everything is new, nothing to compare
                report.created[kind] = len(rows)
                report.updated[kind] = report.unchanged[kind] = 0
                rows_written[kind] = list(rows.items())
                continue
            written: list[tuple[str, dict[str, Any]]] = []
            created = 0
            for key, data in rows.items():
                old = stored.get(key)
                if old is None:
                    created += 1
                elif old == data or (ignoring and _same_but(old, data, ignoring)):
                    continue
                written.append((key, data))
            report.created[kind] = created
            report.updated[kind] = len(written) - created
            report.unchanged[kind] = len(rows) - len(written)
            rows_written[kind] = written
        changes: dict[str, list[tuple[str, dict[str, Any]]]] = {}
        documents = {**batch.documents, **(documents or {})}
        if documents:
            changes[DOCUMENTS] = [(k, {"id": k, "value": v}) for k, v in documents.items()]
        # A merged duplicate named in an actor's ``aliases`` goes, with its ties and holdings,
        # in the same transaction (the batch carries what was moved from it). With
        # ``ignoring`` (an import), an actor left as stored does nothing, so only the aliases
        # of the actors written count, and a retracted offer the batch upserts stays only if
        # the upsert is written.
        if ignoring:
            actors = [d for _k, d in rows_written["actors"]]
            upserted = {k for k, _d in rows_written["resources"]}
        else:
            actors = [{"aliases": a.aliases} for a in batch.actors]
            upserted = {r.id for r in batch.resources}
        keep = {a.id for a in batch.actors} | {i.id for i in batch.initiatives}
        if gone := sorted({x for a in actors for x in a.get("aliases") or [] if x not in keep}):
            changes[ERASE] = [(x, {"id": x}) for x in gone]
        if retract := sorted(set(batch.retracted) - upserted):
            changes[RETRACT] = [(x, {"id": x}) for x in retract]
        changes.update(rows_written)
        return changes, report

    # ---- staging, for ``bulk`` (each store implements these) ----------------------------------
    def _stage(self, token: str, changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        """Keep ``changes`` (as ``_apply`` takes them) under ``token``, invisible to readers; a
        key staged again replaces what was staged under it."""
        raise NotImplementedError(f"{type(self).__name__} cannot write in bulk")

    def _fetch_staged(self, token: str, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Staged data of the records of ``kind`` with these keys (missing keys left out)."""
        raise NotImplementedError

    def _staged_nodes(self, token: str, ids: list[str]) -> set[str]:
        """Which of these ids are staged actors or initiatives."""
        raise NotImplementedError

    def _commit_staged(self, token: str) -> int:
        """Apply everything staged under ``token`` as ``_apply`` would (erasures and retracted
        offers first), drop the stage and bump the revision, in one transaction; the revision."""
        raise NotImplementedError

    def _unstage(self, token: str | None = None, *, older_than: float | None = None) -> None:
        """Drop what ``token`` staged, or every stage older than ``older_than`` (epoch
        seconds: left behind by a process that died mid-import)."""
        raise NotImplementedError

    def _check_references(self, batch: GraphBatch, existing: Any = None) -> None:
        in_batch = {a.id for a in batch.actors} | {i.id for i in batch.initiatives}
        referenced = {r.holder for r in batch.resources}
        referenced.update(r.holder for r in batch.needs)
        referenced.update(t.source for t in batch.ties)
        referenced.update(t.target for t in batch.ties)
        outside = [i for i in referenced if i not in in_batch]
        missing = set(outside) - (existing or self._existing_nodes)(outside) if outside else set()
        if missing:
            first = sorted(missing)[:10]
            raise UnknownReferenceError(
                f"{len(missing)} unknown id(s) referenced, e.g. '{first[0]}' in "
                f"{_first_reference(batch, first[0])}", missing=first)

    def documents(self, keys: list[str]) -> dict[str, Any]:
        """Stored documents (settings-like JSON such as a kommune's district definition) by
        key; missing keys are left out. Written with ``write(..., documents=...)``."""
        return {k: d["value"] for k, d in self._fetch(DOCUMENTS, keys).items()} if keys else {}

    def _create_document(self, key: str, value: Any) -> Any:
        """Store ``value`` under ``key`` unless a document is there already; return the stored
        value. Stores override this to make it atomic between processes and to leave the
        revision alone (nothing in the graph changes)."""
        if key not in (stored := self.documents([key])):
            self._apply({DOCUMENTS: [(key, {"id": key, "value": value})]})
            stored = self.documents([key])
        return stored[key]

    def person_key(self) -> bytes:
        """This store's secret for people's ids (:func:`graphsvc.privacy.person_id`), made on
        first use and kept in the store as a document: a sheet loaded again into the same store
        gives the same ids, and nobody without the store can test a name against an id."""
        from graphsvc.privacy import PERSON_KEY_DOCUMENT

        stored = self.documents([PERSON_KEY_DOCUMENT]).get(PERSON_KEY_DOCUMENT)
        if stored is None:
            stored = self._create_document(PERSON_KEY_DOCUMENT, secrets.token_hex(32))
        return bytes.fromhex(stored)

    def get_actor(self, actor_id: str) -> Actor:
        data = self._fetch("actors", [actor_id]).get(actor_id)
        if data is None:
            raise NotFoundError(f"no actor with id '{actor_id}'", id=actor_id)
        return Actor.model_validate(data)

    def actors(self) -> list[Actor]:
        return [Actor.model_validate(d) for d in self._all("actors")]

    def delete_actor(self, actor_id: str) -> None:
        """Erase an actor everywhere: the record, its ties, resources and needs."""
        revision = self._delete_node(actor_id)
        if not revision:
            raise NotFoundError(f"no actor with id '{actor_id}'", id=actor_id)
        # The revision the delete's own transaction set (not one read after it, which a write
        # of another worker in between would make this delete claim, hiding that write).
        self._notify(revision, {DELETE: [(actor_id, {"id": actor_id})]})

    def counts(self) -> dict[str, int]:
        return {kind: sum(1 for _ in self._all(kind)) for kind in RECORD_TYPES}

    def to_networkx(self) -> nx.MultiDiGraph:
        """The whole graph in memory (see ``build_graph`` for its shape)."""
        return build_graph(**{kind: list(self._all(kind)) for kind in RECORD_TYPES})


def _first_reference(batch: GraphBatch, node_id: str) -> str:
    """Where ``batch`` first refers to ``node_id``: resources, then needs, then ties."""
    for kind in ("resources", "needs"):
        for r in getattr(batch, kind):
            if r.holder == node_id:
                return f"{kind[:-1]} '{r.id}' (holder)"
    for t in batch.ties:
        if node_id in (t.source, t.target):
            end = "source" if t.source == node_id else "target"
            return f"tie {t.source} -{t.kind}-> {t.target} ({end})"
    return "?"


def _same_but(old: dict[str, Any], new: dict[str, Any], ignoring: Collection[str]) -> bool:
    """Whether two records' data are equal once the fields in ``ignoring`` are left out."""
    return ({k: v for k, v in old.items() if k not in ignoring}
            == {k: v for k, v in new.items() if k not in ignoring})


STALE_STAGE_SECONDS = 24 * 3600  # a stage this old belongs to a process that died mid-import


class BulkWrite:
    """One atomic write of many batches: see :meth:`GraphStore.bulk`."""

    def __init__(self, store: GraphStore) -> None:
        self.store = store
        self.token = f"{int(time.time())}-{secrets.token_hex(8)}"
        self.staged = False
        self.revision: int | None = None

    def __enter__(self) -> BulkWrite:
        self.store._unstage(older_than=time.time() - STALE_STAGE_SECONDS)
        return self

    def fetch(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        """Data of these records as the commit would leave them (staged, else stored)."""
        if not keys:
            return {}
        found = self.store._fetch_staged(self.token, kind, keys) if self.staged else {}
        rest = [k for k in keys if k not in found]
        return {**(self.store._fetch(kind, rest) if rest else {}), **found}

    def existing_nodes(self, ids: list[str]) -> set[str]:
        """Which of these ids are actors or initiatives, stored or staged."""
        if not ids:
            return set()
        found = self.store._staged_nodes(self.token, ids) if self.staged else set()
        rest = [i for i in ids if i not in found]
        return found | (self.store._existing_nodes(rest) if rest else set())

    def write(self, batch: GraphBatch, *, documents: dict[str, Any] | None = None,
              ignoring: Collection[str] = ()) -> WriteReport:
        """Validate ``batch`` as :meth:`GraphStore.write` does (``ignoring`` as there) and
        stage what it changes; its counts (``revision`` 0: nothing is committed yet)."""
        with paused_gc():
            changes, report = self.store._changes(batch, documents, self.fetch,
                                                  self.existing_nodes, ignoring)
            if any(changes.values()):
                self.store._stage(self.token, {k: v for k, v in changes.items() if v})
                self.staged = True
        return report

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is not None:
            self._drop()
            return
        if not self.staged:
            self.revision = self.store.revision()
            return
        try:
            self.revision = self.store._commit_staged(self.token)
        except BaseException:
            self._drop()
            raise

    def _drop(self) -> None:
        try:
            self.store._unstage(self.token)
        except Exception:  # noqa: BLE001 - the first error is the one to report; a stage
            pass           # left behind is invisible and dropped by a later bulk write


def build_graph(
    actors: Iterable[dict[str, Any]],
    initiatives: Iterable[dict[str, Any]],
    resources: Iterable[dict[str, Any]],
    needs: Iterable[dict[str, Any]],
    ties: Iterable[dict[str, Any]],
) -> nx.MultiDiGraph:
    """Assemble the in-memory graph analyses and visualisations work on.

    Nodes are actors (``node_type="actor"``, every ``Actor`` field but ``id``) and initiatives
    (``node_type="initiative"``, ``kind="initiative"``); each node carries ``offers`` and
    ``needs``: lists of resource/need dicts. Edges go source → target with the tie kind as key
    and every ``Tie`` field but source/target as attributes.
    """
    G = nx.MultiDiGraph()
    for a in actors:
        a = dict(a)
        G.add_node(a.pop("id"), node_type="actor", offers=[], needs=[], **a)
    for i in initiatives:
        i = dict(i)
        G.add_node(i.pop("id"), node_type="initiative", kind="initiative", offers=[], needs=[], **i)
    for attr, rows in (("offers", resources), ("needs", needs)):
        for r in sorted(rows, key=lambda r: r["id"]):
            if r["holder"] in G:
                G.nodes[r["holder"]][attr].append(dict(r))
    for t in ties:
        t = dict(t)
        G.add_edge(t.pop("source"), t.pop("target"), key=t["kind"], **t)
    return G
