"""Sign-in attempts per client address and in all, per minute, counted in the auth database so
every worker process shares the count. Only checks that cost Argon2 count (a sign-in, or a
Bearer key this process has not verified before)."""

from __future__ import annotations

import math

from graphsvc.auth.db import AuthDB, monotonic_now

WINDOW = 60.0


def take_attempt(db: AuthDB, address: str, *, per_address: int, total: int) -> int | None:
    """Count one attempt from ``address``; or, over a limit, the seconds to wait (nothing
    counted)."""
    now = monotonic_now()
    with db.write() as conn:
        conn.execute("DELETE FROM attempts WHERE at < ?", (now - WINDOW,))
        mine = conn.execute("SELECT count(*), min(at) FROM attempts WHERE address = ?",
                            (address,)).fetchone()
        every = conn.execute("SELECT count(*), min(at) FROM attempts").fetchone()
        for (n, oldest), limit in ((mine, per_address), (every, total)):
            if n >= limit:
                return max(1, math.ceil(oldest + WINDOW - now))
        conn.execute("INSERT INTO attempts (at, address) VALUES (?, ?)", (now, address))
    return None
