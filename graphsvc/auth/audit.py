"""The audit log: every write, import, export, erasure, key change, sign-in (ok or not) and
refused request, with who, when, what and the store revision after it."""

from __future__ import annotations

import threading
import time
from typing import Any

from graphsvc.auth.db import AuthDB, now_iso

ACTIONS = ("write", "import", "export", "erase", "sign_in", "sign_in_failed", "sign_out",
           "refused", "key_create", "key_revoke")
FIELDS = ("at", "who", "role", "action", "method", "path", "target", "status", "revision")


def record(db: AuthDB, *, who: str | None, role: str | None, action: str, method: str,
           path: str, target: str | None = None, status: int | None = None,
           revision: int | None = None) -> None:
    with db.write() as conn:
        conn.execute("INSERT INTO audit (at, who, role, action, method, path, target, status, "
                     "revision) VALUES (?,?,?,?,?,?,?,?,?)",
                     (now_iso(), who, role, action, method, path[:500], target, status,
                      revision))


def entries(db: AuthDB, *, limit: int = 100, action: str | None = None) -> list[dict[str, Any]]:
    """The newest entries first."""
    where, params = ("WHERE action = ?", (action,)) if action else ("", ())
    rows = db.rows(f"SELECT {', '.join(FIELDS)} FROM audit {where} ORDER BY seq DESC LIMIT ?",
                   (*params, limit))
    return [dict(r) for r in rows]


class Throttle:
    """How many refusals of requests with no credential at all are written per minute: at most
    ``per_address`` from one client address and ``overall`` from all, so a stranger looping on
    ``GET /actors`` cannot grow the log (and queue every sign-in behind its writes) without
    bound. Refusals of a key or a session (a wrong key, a role too small, a missing CSRF token)
    are always written.

    >>> t = Throttle(per_address=2, overall=3)
    >>> [t.allow("a", now=0.0) for _ in range(3)], t.allow("b", now=1.0), t.allow("c", now=2.0)
    ([True, True, False], True, False)
    >>> t.allow("a", now=61.0), t.suppressed  # a new minute
    (True, 2)
    """

    def __init__(self, per_address: int = 30, overall: int = 300, window: float = 60.0) -> None:
        self.per_address, self.overall, self.window = per_address, overall, window
        self._lock = threading.Lock()
        self._start = -window
        self._counts: dict[str, int] = {}
        self._total = 0
        self.suppressed = 0  # lines not written since the server started

    def allow(self, address: str, now: float | None = None) -> bool:
        now = time.monotonic() if now is None else now
        with self._lock:
            if now - self._start >= self.window:
                self._start, self._counts, self._total = now, {}, 0
            seen = self._counts.get(address, 0)
            if seen >= self.per_address or self._total >= self.overall:
                self.suppressed += 1
                return False
            self._counts[address] = seen + 1
            self._total += 1
            return True
