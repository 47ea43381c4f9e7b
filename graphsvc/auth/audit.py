"""The audit log: every write, import, export, erasure, key change, sign-in (ok or not) and
refused request, with who, when, what and the store revision after it."""

from __future__ import annotations

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
