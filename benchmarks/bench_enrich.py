"""Load and enrich a generated Enhetsregisteret CSV, next to loading it without enrichment.

    python benchmarks/bench_enrich.py [--rows 100000] [--out benchmarks/results/enrich.json]
                                      [--pythonpath /tmp/old-tree]

The file is FICTIONAL entities in the 54-column bulk format (``bench_loaders.generate_csv``),
all in one kommune so every classifiable row loads. Each mode runs in its own process into a
fresh SQLite store, so its peak memory (``ru_maxrss``) is its own: ``plain`` with no
enrichment steps, ``enriched`` with every step of ``loaders.enrich.STEPS`` (ties, merge,
districts, offers). Reported: seconds, rows/s, peak RSS, and what the enrichment derived.
``--pythonpath`` runs the children from another source tree (a ``git worktree`` of an earlier
commit), to measure a version from before a change on the same file.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from _common import timed, write_report  # noqa: E402


def child(mode: str, csv_path: str, db: str) -> None:
    import loaders.enrich as enrich
    from graphsvc.store.sqlite import SQLiteStore
    from loaders.importer import import_files

    if mode == "plain":
        enrich.STEPS.clear()
    store = SQLiteStore(db)
    report, seconds = timed(lambda: import_files(store, [csv_path]))
    resources = sum(1 for _ in store._all("resources"))
    store.close()
    peak_kb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"seconds": round(seconds, 2), "rows": report["rows_read"],
                      "rows_per_s": round(report["rows_read"] / seconds),
                      "actors": report["actors"]["created"], "resources": resources,
                      "peak_rss_mb": round(peak_kb / 1024, 1),
                      "steps": sorted(report.get("enrichment") or {})}))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=100_000)
    ap.add_argument("--out", default="benchmarks/results/enrich.json")
    ap.add_argument("--pythonpath", default=None, help="source tree for the children")
    ap.add_argument("--child", nargs=3, metavar=("MODE", "CSV", "DB"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        child(*args.child)
        return
    from bench_loaders import TARGET, generate_csv

    with tempfile.TemporaryDirectory() as tmp:
        csv_path = Path(tmp) / "enheter.csv"
        generate_csv(csv_path, args.rows, kommune=TARGET)
        runs = {}
        script = Path(args.pythonpath or Path(__file__).resolve().parents[1]) / "benchmarks" / \
            "bench_enrich.py"
        env = dict(os.environ, **({"PYTHONPATH": args.pythonpath} if args.pythonpath else {}))
        for mode in ("plain", "enriched"):
            out = subprocess.run([sys.executable, str(script), "--child", mode, str(csv_path),
                                  str(Path(tmp) / f"{mode}.db")],
                                 check=True, capture_output=True, text=True, env=env)
            runs[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    runs["enrichment_overhead"] = round(runs["enriched"]["seconds"] / runs["plain"]["seconds"], 2)
    write_report({"benchmark": "enrich", "rows": args.rows, "python": platform.python_version(),
                  "source": args.pythonpath or str(Path(__file__).resolve().parents[1]),
                  "machine": platform.machine(), "runs": runs}, args.out)


if __name__ == "__main__":
    main()
