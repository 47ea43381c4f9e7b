"""What every benchmark script shares: timing, latency percentiles, writing the JSON report.

The scripts run as ``python benchmarks/<script>.py``, so this folder is first on ``sys.path``.
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
