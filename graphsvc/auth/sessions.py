"""Browser sessions: a random token in an HttpOnly cookie, only its SHA-256 stored (the token
is 256 random bits, so a fast hash is enough); the CSRF token is derived from it, so nothing
else needs storing. A session ends after ``GRAPHSVC_SESSION_IDLE_HOURS`` without a request, after
``GRAPHSVC_SESSION_MAX_HOURS`` in any case, on sign-out, and when its key is revoked."""

from __future__ import annotations

import hashlib
import hmac
import secrets

from graphsvc.auth.db import AuthDB, monotonic_now
from graphsvc.auth.roles import Principal

COOKIE = "graphsvc_session"
TOUCH_EVERY = 60.0  # seconds between last_seen updates of one session


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(token: str) -> str:
    """The CSRF token of a session: only who holds the cookie's token can compute it."""
    return hmac.new(token.encode(), b"graphsvc-csrf", hashlib.sha256).hexdigest()


def create_session(db: AuthDB, principal: Principal, *, idle_s: float = 8 * 3600,
                   max_s: float = 24 * 3600) -> tuple[str, Principal]:
    """A new session for ``principal``; sessions that have ended since are deleted on the way
    (so the table holds only live ones and the few ended since the last sign-in)."""
    token = secrets.token_urlsafe(32)
    now = monotonic_now()
    with db.write() as conn:
        conn.execute("DELETE FROM sessions WHERE last_seen < ? OR created < ?",
                     (now - idle_s, now - max_s))
        conn.execute("INSERT INTO sessions (token_hash, key_id, created, last_seen) "
                     "VALUES (?,?,?,?)", (_hash(token), principal.key_id, now, now))
    return token, Principal.of_key(principal.key_id or "", principal.who, principal.role,
                                   via="cookie", csrf_token=csrf_token(token))


def session_principal(db: AuthDB, token: str, *, idle_s: float, max_s: float
                      ) -> Principal | None:
    """The principal of a live session, or None (unknown, expired, or its key revoked)."""
    rows = db.rows("SELECT s.token_hash, s.created, s.last_seen, k.id, k.name, k.role, "
                   "k.revoked_at FROM sessions s JOIN keys k ON k.id = s.key_id "
                   "WHERE s.token_hash = ?", (_hash(token),))
    if not rows:
        return None
    row, now = rows[0], monotonic_now()
    if row["revoked_at"] is not None or now - row["last_seen"] > idle_s \
            or now - row["created"] > max_s:
        end_session(db, token)
        return None
    if now - row["last_seen"] > TOUCH_EVERY:
        with db.write() as conn:
            conn.execute("UPDATE sessions SET last_seen = ? WHERE token_hash = ?",
                         (now, row["token_hash"]))
    return Principal.of_key(row["id"], row["name"], row["role"], via="cookie",
                            csrf_token=csrf_token(token))


def end_session(db: AuthDB, token: str) -> None:
    if db.path.exists():
        with db.write() as conn:
            conn.execute("DELETE FROM sessions WHERE token_hash = ?", (_hash(token),))
