"""Benchmarks: graphsvc's way against the naive way, in one run, reported as JSON.

    python benchmarks/run.py [--sizes 1000,10000] [--out benchmarks/results/latest.json]

For each size of the generated Fjordvik community it measures
- load into SQLite: one batched write against one write (transaction) per row; the naive way
  runs on a sample of rows and reports rows/s from it (the full run takes minutes);
- snapshot build time (whole store → networkx), and the cached answer;
- match latency p50/p95 from the snapshot, against rebuilding the graph per request (naive);
- map (HTML) and print (PDF, A3) generation time and size.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from pathlib import Path

from _common import percentiles, timed, write_report
from graphsvc.analysis import match_need
from graphsvc.model import GraphBatch
from graphsvc.snapshot import Snapshot
from graphsvc.store.sqlite import SQLiteStore
from graphsvc.taxonomy import load_taxonomy
from loaders.demo import generate_community


NAIVE_SAMPLE_ROWS = 2000


def _rows(batch: GraphBatch):
    """Every record of the batch as a one-record batch, in dependency order."""
    for kind in ("actors", "initiatives", "resources", "needs", "ties"):
        for record in getattr(batch, kind):
            yield GraphBatch(**{kind: [record]})


def bench_size(n: int, workdir: Path, match_queries: int, skip_map: bool) -> dict:
    result: dict = {"actors": n}
    batch, gen_s = timed(lambda: generate_community(n, seed=1))
    rows = len(batch)
    result["generate_s"] = round(gen_s, 2)
    result["rows"] = rows

    store = SQLiteStore(workdir / f"batched-{n}.db")
    _report, load_s = timed(lambda: store.write(batch))
    naive = SQLiteStore(workdir / f"naive-{n}.db")
    sample = []
    for one in _rows(batch):
        sample.append(one)
        if len(sample) >= min(NAIVE_SAMPLE_ROWS, rows):
            break
    _none, naive_s = timed(lambda: [naive.write(one) for one in sample])
    naive.close()
    batched_rps = rows / load_s
    naive_rps = len(sample) / naive_s
    result["load_sqlite"] = {
        "batched_rows_per_s": round(batched_rps),
        "batched_total_s": round(load_s, 2),
        "one_write_per_row_rows_per_s": round(naive_rps),
        "one_write_per_row_sample_rows": len(sample),
        "speedup": round(batched_rps / naive_rps, 1),
    }

    snapshot = Snapshot(store)
    G, build_s = timed(snapshot.graph)
    _same, cached_s = timed(snapshot.graph)
    result["snapshot"] = {"build_s": round(build_s, 3), "cached_ms": round(cached_s * 1000, 3),
                          "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}

    rng = random.Random(3)
    categories = load_taxonomy().leaves()
    districts = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    queries = [(rng.choice(categories), rng.choice(districts)) for _ in range(match_queries)]
    match_need(G, queries[0][0], district=queries[0][1])  # warm the derived caches once
    fast = []
    for category, district in queries:
        _out, s = timed(lambda: match_need(G, category, district=district))
        fast.append(s)
    slow = []
    for category, district in queries[: max(5, match_queries // 40)]:
        _out, s = timed(lambda: match_need(store.to_networkx(), category, district=district))
        slow.append(s)
    result["match"] = {"snapshot": percentiles(fast), "naive_rebuild_per_request":
                       percentiles(slow)}

    if not skip_map:
        from visualisations import render_map, render_print

        html, map_s = timed(lambda: render_map(G, title=f"Benchmark {n}"))
        pdf, print_s = timed(lambda: render_print(G, title=f"Benchmark {n}", paper="A3",
                                                   fmt="pdf"))
        result["map"] = {"seconds": round(map_s, 2), "html_bytes": len(html)}
        result["print"] = {"seconds": round(print_s, 2), "pdf_bytes": len(pdf)}
    store.close()
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated actor counts")
    parser.add_argument("--queries", type=int, default=200, help="match queries per size")
    parser.add_argument("--skip-map", action="store_true", help="skip map and print timing")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "latest.json"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report = {
        "benchmark": "graphsvc",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"benchmarking {n} actors …", file=sys.stderr, flush=True)
            report["sizes"].append(bench_size(n, Path(tmp), args.queries, args.skip_map))
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
