"""What a key check costs a request: graphsvc's way (Argon2 once per key and process, then the
SHA-256 of the key against the cache and one indexed read of the key's row, so a revoke still
takes effect at once) side by side with the naive way (Argon2 on every request), and what it adds
to a real request (``GET /health`` and ``GET /actors?limit=1`` with a Bearer key, through the
ASGI app) against the same requests with no keys configured.

    python benchmarks/bench_auth.py [--requests 200] [--out benchmarks/results/auth.json]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
import time
from pathlib import Path

from _common import percentiles, write_report

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def _latencies(fn, n: int) -> dict[str, float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", default="benchmarks/results/auth.json")
    args = parser.parse_args()

    from argon2 import PasswordHasher
    from fastapi.testclient import TestClient

    from graphsvc.api import create_app
    from graphsvc.auth import AuthDB
    from graphsvc.auth.keys import KeyChecker, create_key
    from graphsvc.settings import Settings
    from graphsvc.store.sqlite import SQLiteStore
    from loaders.demo import generate_community

    n = args.requests
    folder = Path(tempfile.mkdtemp(prefix="graphsvc-bench-auth-"))
    db = AuthDB(folder / "auth.db")
    key, row = create_key(db, "bench", "viewer")
    stored = db.rows("SELECT hash FROM keys WHERE id = ?", (row.id,))[0]["hash"]
    checker = KeyChecker(db)
    checker.check(key)  # the first check pays Argon2 and fills the cache
    hasher = PasswordHasher()

    def naive() -> None:
        db.rows("SELECT hash FROM keys WHERE id = ?", (row.id,))
        hasher.verify(stored, key)

    check = {"graphsvc_cached": _latencies(lambda: checker.check(key), n),
             "naive_argon2_every_request": _latencies(naive, max(10, n // 10))}

    store = SQLiteStore(folder / "graph.db")
    store.write(generate_community(200, seed=1))
    requests = {}
    for mode in ("no_keys", "bearer_key"):
        app = create_app(Settings(store=store.url, auth_db=str(folder / f"{mode}.db")),
                         store=store)
        headers = {}
        if mode == "bearer_key":
            made, _ = create_key(app.state.auth, "bench", "viewer")
            headers = {"Authorization": f"Bearer {made}"}
        with TestClient(app) as client:
            client.get("/actors?limit=1", headers=headers)  # warm: snapshot, key cache
            for path in ("/health", "/actors?limit=1"):
                requests[f"{mode} GET {path}"] = _latencies(
                    lambda: client.get(path, headers=headers), n)
    store.close()
    naive_ms = check["naive_argon2_every_request"]["p50_ms"]
    cached_ms = check["graphsvc_cached"]["p50_ms"]
    write_report({
        "machine": {"python": platform.python_version(), "cpu": platform.processor()
                    or platform.machine()},
        "key_check": check,
        "key_check_speedup_p50": round(naive_ms / max(cached_ms, 1e-6), 1),
        "requests": requests,
    }, args.out)


if __name__ == "__main__":
    main()
