"""The embedded default store: one SQLite file (stdlib ``sqlite3``), WAL, crash-safe.

Each record type has its own table keyed by its natural key, with the record as JSON beside the
columns queries filter on. Erasure is real: ``secure_delete`` overwrites deleted personal data
instead of leaving it in free pages, and an erasure ends with a truncating checkpoint that empties
the write-ahead log (which still holds the pages as they were). A connection reading an older
snapshot blocks that checkpoint; the erasure is then counted in ``meta`` as pending and completed
on the next write, the next open, ``close`` or ``pending_erasures()`` (``/health``).
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic_core import to_json

from graphsvc.errors import StoreError
from graphsvc.store.base import GraphStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta VALUES ('revision', 0);
INSERT OR IGNORE INTO meta VALUES ('erasures_pending', 0);
CREATE TABLE IF NOT EXISTS actors (
    id TEXT PRIMARY KEY, kind TEXT NOT NULL, district TEXT, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS initiatives (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS resources (
    id TEXT PRIMARY KEY, holder TEXT NOT NULL, category TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS needs (
    id TEXT PRIMARY KEY, holder TEXT NOT NULL, category TEXT NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS ties (
    source TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL, data TEXT NOT NULL,
    PRIMARY KEY (source, kind, target));
CREATE TABLE IF NOT EXISTS documents (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS staged (
    token TEXT NOT NULL, type TEXT NOT NULL, key TEXT NOT NULL, c1 TEXT, c2 TEXT, c3 TEXT,
    data TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (token, type, key));
CREATE INDEX IF NOT EXISTS resources_holder ON resources(holder);
CREATE INDEX IF NOT EXISTS needs_holder ON needs(holder);
CREATE INDEX IF NOT EXISTS ties_target ON ties(target);
"""

# Columns per table besides ``data``; the natural key comes first.
COLUMNS = {
    "actors": ("id", "kind", "district"),
    "initiatives": ("id",),
    "resources": ("id", "holder", "category"),
    "needs": ("id", "holder", "category"),
    "ties": ("source", "kind", "target"),
    "documents": ("id",),
}
KEY_COLUMNS = {"ties": ("source", "kind", "target")}
# How long a write waits for a lock (sqlite3's default), and how long an erasure's checkpoint
# waits for readers of an older snapshot before the erasure is left pending: a DELETE must not
# hang on a slow reader (the retries after later writes do not wait at all). Constants, not
# settings: nobody has needed to tune them.
BUSY_TIMEOUT_MS = 5000
ERASURE_WAIT_MS = 200


PAGE = 2000  # rows per page when reading a whole table


def _text(value: Any) -> Any:
    return value if value is None or isinstance(value, str) else str(value)


def _json(data: dict[str, Any]) -> str:
    """A record's data as the JSON text stored beside its columns (compact, UTF-8 as is).

    pydantic-core's encoder: four times as fast as ``json.dumps`` on these records, and
    ``json.loads`` reads back the same data (the store compares data, never the text, so rows
    written with ``json.dumps``' spacing by earlier versions compare equal)."""
    return to_json(data).decode()


def _params(cols: tuple[str, ...], rows: list[tuple[str, dict[str, Any]]]) -> Iterable[tuple]:
    """``executemany``'s parameters: the columns, then the data as JSON (one tuple a row)."""
    if len(cols) == 1:
        return ((d.get(cols[0]), _json(d)) for _k, d in rows)
    if len(cols) == 3:
        a, b, c = cols
        return ((d.get(a), d.get(b), d.get(c), _json(d)) for _k, d in rows)
    return ((*(d.get(c) for c in cols), _json(d)) for _k, d in rows)


def _key_parts(kind: str, key: str) -> tuple[str, ...]:
    return tuple(key.split("|", 2)) if kind == "ties" else (key,)


class SQLiteStore(GraphStore):
    """``SQLiteStore("graph.db")``; ``":memory:"`` for a throwaway store."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.url = f"sqlite:///{self.path}"
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                       timeout=BUSY_TIMEOUT_MS / 1000)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=FULL")
            self._db.execute("PRAGMA secure_delete=ON")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(SCHEMA)
            self._complete_erasures()  # one left pending by an earlier process
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite store at {self.path}: {exc}", url=self.url) from exc

    # ---- primitives -----------------------------------------------------------------------
    def revision(self) -> int:
        with self._lock:
            return self._db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0]

    def _fetch(self, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            if kind != "ties":
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for key, data in self._db.execute(
                        f"SELECT id, data FROM {kind} WHERE id IN ({marks})", chunk
                    ):
                        out[key] = json.loads(data)
            else:
                # By source (the primary key's first column), keeping the wanted ties: the row
                # values ``(source, kind, target) IN (VALUES ...)`` scanned the whole table once
                # per 300 keys (reloading 154 000 unchanged ties took 14 s instead of 1).
                wanted = set(keys)
                sources = sorted({key.split("|", 1)[0] for key in keys})
                for start in range(0, len(sources), 500):
                    chunk = sources[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    for source, tkind, target, data in self._db.execute(
                        f"SELECT source, kind, target, data FROM ties WHERE source IN ({marks})",
                        chunk,
                    ):
                        if (key := f"{source}|{tkind}|{target}") in wanted:
                            out[key] = json.loads(data)
        return out

    def _existing_nodes(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for table in ("actors", "initiatives"):
                    found.update(
                        r[0]
                        for r in self._db.execute(
                            f"SELECT id FROM {table} WHERE id IN ({marks})", chunk
                        )
                    )
        return found

    def _apply(self, changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> int:
        with self._lock, self._transaction():
            for node_id, _ in changes.get("erase", []):  # (``_commit_staged`` does the same)
                self._db.execute("DELETE FROM actors WHERE id = ?", (node_id,))
                self._db.execute("DELETE FROM ties WHERE source = ? OR target = ?",
                                 (node_id, node_id))
                self._db.execute("DELETE FROM resources WHERE holder = ?", (node_id,))
                self._db.execute("DELETE FROM needs WHERE holder = ?", (node_id,))
            for resource_id, _ in changes.get("retract", []):
                self._db.execute("DELETE FROM resources WHERE id = ?", (resource_id,))
            for kind, rows in changes.items():
                if kind in ("erase", "retract"):
                    continue
                if not rows:
                    continue
                cols = COLUMNS[kind]
                keycols = KEY_COLUMNS.get(kind, ("id",))
                updates = ", ".join(f"{c} = excluded.{c}" for c in (*cols, "data") if c not in keycols)
                sql = (
                    f"INSERT INTO {kind} ({', '.join(cols)}, data) "
                    f"VALUES ({', '.join('?' * (len(cols) + 1))}) "
                    f"ON CONFLICT ({', '.join(keycols)}) DO UPDATE SET {updates}"
                )
                self._db.executemany(sql, _params(cols, rows))
            revision = self._bump()
        self._complete_erasures()
        return revision

    def _all(self, kind: str) -> Iterable[dict[str, Any]]:
        # In pages of rowids, not fetchall(): a store of 400 000 actors is 400 MB of JSON text.
        with self._lock:
            rows = self._db.execute(f"SELECT rowid, data FROM {kind} ORDER BY rowid "
                                    f"LIMIT {PAGE}").fetchall()
        while rows:
            yield from (json.loads(r[1]) for r in rows)
            if len(rows) < PAGE:
                return
            with self._lock:
                rows = self._db.execute(f"SELECT rowid, data FROM {kind} WHERE rowid > ? "
                                        f"ORDER BY rowid LIMIT {PAGE}", (rows[-1][0],)).fetchall()

    def _held(self, kind: str, holders: list[str]) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        with self._lock:
            for start in range(0, len(holders), 500):
                chunk = holders[start : start + 500]
                marks = ",".join("?" * len(chunk))
                out.extend(json.loads(r[0]) for r in self._db.execute(
                    f"SELECT data FROM {kind} WHERE holder IN ({marks}) ORDER BY rowid", chunk))
        return out

    # ---- staging (GraphStore.bulk): one table, committed in one transaction ---------------
    def _stage(self, token: str, changes: dict[str, list[tuple[str, dict[str, Any]]]]) -> None:
        now = time.time()
        with self._lock, self._transaction():
            for kind, rows in changes.items():
                cols = COLUMNS.get(kind, ())
                self._db.executemany(
                    "INSERT INTO staged (token, type, key, c1, c2, c3, data, at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (token, type, key) DO UPDATE "
                    "SET c1 = excluded.c1, c2 = excluded.c2, c3 = excluded.c3, "
                    "data = excluded.data",
                    ((token, kind, key, *(_text(data.get(c)) for c in cols),
                      *(None,) * (3 - len(cols)), _json(data), now)
                     for key, data in rows))

    def _fetch_staged(self, token: str, kind: str, keys: list[str]) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        with self._lock:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                for key, data in self._db.execute(
                    f"SELECT key, data FROM staged WHERE token = ? AND type = ? "
                    f"AND key IN ({marks})", (token, kind, *chunk)):
                    out[key] = json.loads(data)
        return out

    def _staged_nodes(self, token: str, ids: list[str]) -> set[str]:
        found: set[str] = set()
        with self._lock:
            for start in range(0, len(ids), 500):
                chunk = ids[start : start + 500]
                marks = ",".join("?" * len(chunk))
                found.update(r[0] for r in self._db.execute(
                    f"SELECT key FROM staged WHERE token = ? AND type IN ('actors', "
                    f"'initiatives') AND key IN ({marks})", (token, *chunk)))
        return found

    def _commit_staged(self, token: str) -> int:
        staged = "SELECT key FROM staged WHERE token = ? AND type = ?"
        with self._lock, self._transaction():
            gone = f"IN ({staged})"
            erase = (token, "erase")
            self._db.execute(f"DELETE FROM actors WHERE id {gone}", erase)
            self._db.execute(f"DELETE FROM ties WHERE source {gone} OR target {gone}",
                             erase * 2)
            self._db.execute(f"DELETE FROM resources WHERE holder {gone}", erase)
            self._db.execute(f"DELETE FROM needs WHERE holder {gone}", erase)
            self._db.execute(f"DELETE FROM resources WHERE id {gone}", (token, "retract"))
            for kind in ("actors", "initiatives", "documents", "resources", "needs", "ties"):
                cols = COLUMNS[kind]
                keycols = KEY_COLUMNS.get(kind, ("id",))
                updates = ", ".join(f"{c} = excluded.{c}" for c in (*cols, "data")
                                    if c not in keycols)
                picked = ", ".join(f"c{i + 1}" for i in range(len(cols)))
                self._db.execute(
                    f"INSERT INTO {kind} ({', '.join(cols)}, data) "
                    f"SELECT {picked}, data FROM staged WHERE token = ? AND type = ? "
                    f"ORDER BY rowid ON CONFLICT ({', '.join(keycols)}) DO UPDATE SET {updates}",
                    (token, kind))
            self._db.execute("DELETE FROM staged WHERE token = ?", (token,))
            revision = self._bump()
        self._complete_erasures()
        return revision

    def _unstage(self, token: str | None = None, *, older_than: float | None = None) -> None:
        with self._lock, self._transaction():
            if token is not None:
                self._db.execute("DELETE FROM staged WHERE token = ?", (token,))
            if older_than is not None:
                self._db.execute("DELETE FROM staged WHERE at < ?", (older_than,))

    def _delete_node(self, node_id: str) -> int | None:
        with self._lock, self._transaction():
            gone = 0
            for table in ("actors", "initiatives"):
                gone += self._db.execute(f"DELETE FROM {table} WHERE id = ?", (node_id,)).rowcount
            if not gone:
                return None
            self._db.execute("DELETE FROM ties WHERE source = ? OR target = ?", (node_id, node_id))
            self._db.execute("DELETE FROM resources WHERE holder = ?", (node_id,))
            self._db.execute("DELETE FROM needs WHERE holder = ?", (node_id,))
            self._owe_erasure()
            revision = self._bump()
        self._complete_erasures(wait_ms=ERASURE_WAIT_MS)
        return revision

    def clear(self) -> None:
        with self._lock, self._transaction():
            for table in COLUMNS:
                self._db.execute(f"DELETE FROM {table}")
            self._db.execute("DELETE FROM staged")  # an import's uncommitted rows too
            self._owe_erasure()
            self._bump()
        self._complete_erasures(wait_ms=ERASURE_WAIT_MS)

    def pending_erasures(self) -> int:
        return self._complete_erasures()

    def _create_document(self, key: str, value: Any) -> Any:
        with self._lock, self._transaction():
            self._db.execute("INSERT OR IGNORE INTO documents (id, data) VALUES (?, ?)",
                             (key, json.dumps({"id": key, "value": value}, ensure_ascii=False)))
            (data,) = self._db.execute("SELECT data FROM documents WHERE id = ?",
                                       (key,)).fetchone()
        return json.loads(data)["value"]

    def close(self) -> None:
        with self._lock:
            try:
                self._complete_erasures()
            except sqlite3.Error:
                pass  # closing must not fail; the next open completes it
            self._db.close()

    # ---- helpers --------------------------------------------------------------------------
    def _bump(self) -> int:
        self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
        return self._db.execute("SELECT value FROM meta WHERE key='revision'").fetchone()[0]

    def _transaction(self):
        return _Transaction(self._db)

    def _owe_erasure(self) -> None:
        if self.path != ":memory:":  # an in-memory store leaves nothing on disk
            self._db.execute("UPDATE meta SET value = value + 1 WHERE key = 'erasures_pending'")

    def _complete_erasures(self, wait_ms: int = 0) -> int:
        """Empty the write-ahead log if an erasure is owed; how many are still pending.

        The checkpoint copies the erased pages over the old ones in the main file and
        truncates the log to zero bytes. It is done only if SQLite says every frame was
        copied (busy = 0, log = checkpointed) and the file is empty afterwards; a reader of an
        older snapshot makes it partial, and the erasure stays pending.
        """
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM meta WHERE key = 'erasures_pending'").fetchone()
            pending = row[0] if row else 0
            if not pending or not self._truncate_wal(wait_ms):
                return pending
            # This write lands in the empty log, and holds only the counter (the meta page);
            # another process may have owed one more meanwhile, hence ``- pending``.
            self._db.execute("UPDATE meta SET value = max(value - ?, 0) "
                             "WHERE key = 'erasures_pending'", (pending,))
            self._truncate_wal(0)  # best effort: leave the log empty again
            return self._db.execute(
                "SELECT value FROM meta WHERE key = 'erasures_pending'").fetchone()[0]

    def _truncate_wal(self, wait_ms: int) -> bool:
        try:
            self._db.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
            try:
                busy, log, copied = self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
            finally:
                self._db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        except sqlite3.Error:
            return False
        wal = Path(f"{self.path}-wal")
        return busy == 0 and log == copied and (not wal.exists() or wal.stat().st_size == 0)


class _Transaction:
    """BEGIN IMMEDIATE … COMMIT, or ROLLBACK on any error (the connection is in autocommit)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.db.execute("COMMIT")
        else:
            self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise StoreError(f"SQLite write failed and was rolled back: {exc}") from exc
