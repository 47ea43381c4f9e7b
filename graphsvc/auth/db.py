"""The auth database: one SQLite file (WAL) shared by every worker process.

Where it is: ``GRAPHSVC_AUTH_DB`` (a path), else beside a SQLite graph store
(``graph.db`` → ``graph-auth.db``), else ``graphsvc-auth.db`` in the working directory (a Neo4j
or FalkorDB store). The file is made on the first write; until a key is created nobody needs
one (:meth:`AuthDB.keys_required`).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from graphsvc.errors import StoreError
from graphsvc.settings import Settings

SCHEMA = """
CREATE TABLE IF NOT EXISTS keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_used_at TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS keys_active_name ON keys(name) WHERE revoked_at IS NULL;
CREATE TABLE IF NOT EXISTS sessions (
    token_hash TEXT PRIMARY KEY,
    key_id TEXT NOT NULL REFERENCES keys(id),
    created REAL NOT NULL,
    last_seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    who TEXT,
    role TEXT,
    action TEXT NOT NULL,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    target TEXT,
    status INTEGER,
    revision INTEGER
);
CREATE INDEX IF NOT EXISTS audit_action ON audit(action, seq);
CREATE TABLE IF NOT EXISTS attempts (at REAL NOT NULL, address TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS attempts_at ON attempts(at);
"""


def auth_db_path(settings: Settings) -> Path:
    """Where the auth database of these settings is (see the module docstring).

    >>> auth_db_path(Settings(store="sqlite:///data/graph.db", auth_db=None)).as_posix()
    'data/graph-auth.db'
    >>> auth_db_path(Settings(store="neo4j://db:7687", auth_db=None)).name
    'graphsvc-auth.db'
    """
    if settings.auth_db:
        return Path(settings.auth_db)
    if settings.store.startswith("sqlite:///"):
        graph = Path(settings.store.removeprefix("sqlite:///"))
        return graph.with_name(f"{graph.stem}-auth.db")
    return Path("graphsvc-auth.db")


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class AuthDB:
    """One connection per process, used under a lock (requests come from many threads); WAL
    so readers in other processes never wait for a writer."""

    def __init__(self, path: str | Path, required: bool = False) -> None:
        self.path = Path(path)
        self.required = required  # GRAPHSVC_REQUIRE_KEYS: closed even with no key yet
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._keys_seen = False  # once a key exists it never stops being required

    def _connect(self, create: bool) -> sqlite3.Connection | None:
        if self._conn is not None:
            return self._conn
        if not create and not self.path.exists():
            return None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None,
                                   timeout=10)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA busy_timeout=10000")
            conn.executescript(SCHEMA)
        except sqlite3.Error as exc:
            # Fail closed and say which file: a broken auth database never opens the server.
            raise StoreError("error.auth_db", setting="GRAPHSVC_AUTH_DB", path=str(self.path),
                             problem=str(exc)) from exc
        self._conn = conn
        return conn

    def rows(self, sql: str, params: tuple = ()) -> list[sqlite3.Row]:
        """A read; no rows (and no file made) while the database does not exist."""
        with self._lock:
            conn = self._connect(create=False)
            return [] if conn is None else conn.execute(sql, params).fetchall()

    @contextmanager
    def write(self) -> Iterator[sqlite3.Connection]:
        """One transaction (``BEGIN IMMEDIATE``: writers in other processes queue)."""
        with self._lock:
            conn = self._connect(create=True)
            assert conn is not None
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield conn
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")

    def keys_required(self) -> bool:
        """Whether a key was ever created. Revoking every key closes the server rather than
        opening it again."""
        if not self._keys_seen:
            self._keys_seen = self.required or bool(self.rows("SELECT 1 FROM keys LIMIT 1"))
        return self._keys_seen

    def active_keys(self) -> int:
        return self.rows("SELECT count(*) AS n FROM keys WHERE revoked_at IS NULL")[0]["n"] \
            if self.path.exists() else 0

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None


def open_auth(settings: Settings) -> AuthDB:
    return AuthDB(auth_db_path(settings), required=settings.require_keys)


def monotonic_now() -> float:
    """Wall-clock seconds (sessions and attempts are compared across processes)."""
    return time.time()
