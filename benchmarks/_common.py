"""What every benchmark script shares: timing, latency percentiles, writing the JSON report.

The scripts run as ``python benchmarks/<script>.py`` (this folder first on ``sys.path``) or with
``python -P`` (each script appends this folder to ``sys.path`` itself).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any


def timed(fn):
    """``(fn(), seconds)``."""
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def percentiles(samples: list[float]) -> dict[str, float]:
    """p50, p95 and max in milliseconds of latencies given in seconds."""
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return {"p50_ms": round(pick(0.50) * 1000, 2), "p95_ms": round(pick(0.95) * 1000, 2),
            "max_ms": round(ordered[-1] * 1000, 2), "n": len(samples)}


def write_report(report: dict[str, Any], out: str | Path) -> None:
    """Write the report as JSON to ``out`` and echo it on stdout."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    print(f"wrote {out}", file=sys.stderr)


def raw_executemany(path: str | Path, payload: dict[str, list[dict[str, Any]]]) -> float:
    """The naive load a competent user would write, as the baseline of every load benchmark:
    the same rows (``payload``: record type → JSON-ready dicts, as the store keeps them) into
    the same tables and indexes as ``SQLiteStore``, one ``executemany`` per table, all in ONE
    transaction, with SQLite's default pragmas (rollback journal, ``synchronous=FULL``, no WAL:
    no pragma at all). No validation, no comparison with stored rows. Seconds, from the first
    insert to the commit: the tables are made before the clock starts, as ``SQLiteStore``'s
    are when the store is opened."""
    import sqlite3

    from graphsvc.store.sqlite import COLUMNS, SCHEMA

    db = sqlite3.connect(str(path), isolation_level=None)
    db.executescript(SCHEMA)
    started = time.perf_counter()
    db.execute("BEGIN")
    for table, rows in payload.items():
        if not rows or table not in COLUMNS:
            continue
        cols = COLUMNS[table]
        db.executemany(
            f"INSERT INTO {table} ({', '.join(cols)}, data) "
            f"VALUES ({', '.join('?' * (len(cols) + 1))})",
            ((*(row.get(c) for c in cols), json.dumps(row, ensure_ascii=False)) for row in rows))
    db.execute("UPDATE meta SET value = value + 1 WHERE key = 'revision'")
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return seconds
