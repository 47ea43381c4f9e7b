"""API keys: ``gsk_<id>_<secret>``, stored only as an Argon2id hash.

The id finds the one row whose hash to verify. A verified (or refused) key is remembered in this
process by the SHA-256 of the key together with the stored hash it was checked against, so a
request does not pay Argon2 again; the row is still read on every request, so a revoke (in any process) takes effect
at once, and a key made again under the same name never matches an old entry.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from graphsvc.auth.db import AuthDB, now_iso
from graphsvc.auth.roles import ROLES, Principal
from graphsvc.errors import NotFoundError, ValidationError

PREFIX = "gsk"
_KEY = re.compile(r"^gsk_([0-9a-f]{10})_([A-Za-z0-9_-]{20,100})$")
_NAME = re.compile(r"^[^\x00-\x1f\x7f]{1,80}$")
_HASHER = PasswordHasher()  # argon2-cffi's defaults: Argon2id, RFC 9106 low-memory profile
CACHE_SIZE = 1024


@dataclass(frozen=True)
class KeyRow:
    id: str
    name: str
    role: str
    created_at: str
    revoked_at: str | None
    last_used_at: str | None

    def public(self) -> dict:
        return {"id": self.id, "name": self.name, "role": self.role,
                "created_at": self.created_at, "revoked_at": self.revoked_at,
                "last_used_at": self.last_used_at, "active": self.revoked_at is None}


def key_id(key: str) -> str | None:
    """The id part of a key, or None if it is no key of ours.

    >>> key_id("gsk_0123456789_" + "s" * 43), key_id("Bearer x")
    ('0123456789', None)
    """
    found = _KEY.match(key.strip())
    return found.group(1) if found else None


def create_key(db: AuthDB, name: str, role: str) -> tuple[str, KeyRow]:
    """A new key (shown once: only its hash is stored) and its row."""
    name = name.strip()
    if not _NAME.match(name):
        raise ValidationError("error.key.name", name=name[:80])
    if role not in ROLES:
        raise ValidationError("error.key.role", role=role, fill={"known": list(ROLES)})
    ident = secrets.token_hex(5)
    key = f"{PREFIX}_{ident}_{secrets.token_urlsafe(32)}"
    created = now_iso()
    with db.write() as conn:
        if conn.execute("SELECT 1 FROM keys WHERE name = ? AND revoked_at IS NULL",
                        (name,)).fetchone():
            raise ValidationError("error.key.name_taken", name=name)
        conn.execute("INSERT INTO keys (id, name, role, hash, created_at) VALUES (?,?,?,?,?)",
                     (ident, name, role, _HASHER.hash(key), created))
    db._keys_seen = True
    return key, KeyRow(ident, name, role, created, None, None)


def list_keys(db: AuthDB) -> list[KeyRow]:
    return [KeyRow(r["id"], r["name"], r["role"], r["created_at"], r["revoked_at"],
                   r["last_used_at"])
            for r in db.rows("SELECT * FROM keys ORDER BY created_at, name")]


def revoke_key(db: AuthDB, name_or_id: str) -> KeyRow:
    """Revoke the active key with this id or name; its sessions end with it."""
    with db.write() as conn:
        row = conn.execute("SELECT * FROM keys WHERE id = ? AND revoked_at IS NULL",
                           (name_or_id,)).fetchone() or \
            conn.execute("SELECT * FROM keys WHERE name = ? AND revoked_at IS NULL",
                         (name_or_id,)).fetchone()
        if row is None:
            raise NotFoundError("error.key.not_found", key=name_or_id)
        revoked = now_iso()
        conn.execute("UPDATE keys SET revoked_at = ? WHERE id = ?", (revoked, row["id"]))
        conn.execute("DELETE FROM sessions WHERE key_id = ?", (row["id"],))
    return KeyRow(row["id"], row["name"], row["role"], row["created_at"], revoked,
                  row["last_used_at"])


class KeyChecker:
    """Verify keys, paying Argon2 once per key and process (see the module docstring)."""

    def __init__(self, db: AuthDB) -> None:
        self.db = db
        self._verified: dict[str, str] = {}  # sha256(key) -> the stored hash it matched
        self._refused: dict[str, str] = {}  # sha256(key) -> the stored hash it did not match
        self._lock = threading.Lock()
        self._used: dict[str, float] = {}

    def check(self, key: str, *, via: str = "bearer",
              before_argon2: Callable[[], None] | None = None) -> Principal | None:
        """The key's principal, or None for a wrong, unknown or revoked key.
        ``before_argon2`` runs only when the answer costs Argon2 (a key not checked against
        this hash before): the sign-in limit, which may raise."""
        ident = key_id(key)
        if ident is None:
            return None
        rows = self.db.rows("SELECT * FROM keys WHERE id = ?", (ident,))
        if not rows or rows[0]["revoked_at"] is not None:
            return None
        row = rows[0]
        digest = hashlib.sha256(key.encode()).hexdigest()
        if self._refused.get(digest) == row["hash"]:
            return None
        if self._verified.get(digest) != row["hash"]:
            if before_argon2 is not None:
                before_argon2()
            try:
                _HASHER.verify(row["hash"], key)
            except (VerifyMismatchError, VerificationError, InvalidHashError):
                self._remember(self._refused, digest, row["hash"])
                return None
            self._remember(self._verified, digest, row["hash"])
        self._note_use(ident)
        return Principal.of_key(ident, row["name"], row["role"], via=via)

    def _remember(self, cache: dict[str, str], digest: str, stored: str) -> None:
        with self._lock:
            if len(cache) >= CACHE_SIZE:
                cache.clear()
            cache[digest] = stored

    def _note_use(self, ident: str) -> None:
        """``last_used_at`` at most once a minute per key and process (a write per request
        would serialise every reader on the auth database)."""
        import time

        now = time.monotonic()
        if now - self._used.get(ident, -1e9) < 60:
            return
        self._used[ident] = now
        with self.db.write() as conn:
            conn.execute("UPDATE keys SET last_used_at = ? WHERE id = ?", (now_iso(), ident))
