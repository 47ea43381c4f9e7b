"""Benchmarks: graphsvc's way against the naive way, in one run, reported as JSON.

    python benchmarks/run.py [--sizes 1000,10000] [--repeats 3] [--out benchmarks/results/latest.json]

(Runs with or without ``-P``: this folder is put last on the import path, for ``_common``.)

For each size of the generated Fjordvik community it measures
- load into SQLite: the community's rows as a JSON body holds them, validated and written by
  ``store.write(GraphBatch.model_validate(rows))`` into an empty store, against the naive way a
  competent user would write: ONE ``executemany`` per table of the same rows (``json.dumps``)
  into the same tables, in one transaction, with SQLite's default pragmas
  (``_common.raw_executemany``). Each side ``--repeats`` times, alternating, each into a new
  file; the ratio is of the medians. Also the same rows loaded again (every one compared with
  the stored one, none written) against the same naive load;
- snapshot build time (whole store → networkx), and the cached answer;
- match latency p50/p95 from the snapshot, cold and warm kept apart: ``cold`` is each query
  the first time it is asked of a new snapshot (it builds the indexes that query needs),
  ``warm`` the same queries asked again; against rebuilding the graph per request (naive);
- map (HTML) and print (PDF, A3) generation time and size.

The machine is shared: every comparison is a ratio of two figures from the same run.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.append(str(Path(__file__).parent))  # last: nothing here may hide a package
from _common import percentiles, raw_executemany, timed, write_report  # noqa: E402
from graphsvc.analysis import match_need  # noqa: E402
from graphsvc.model import GraphBatch  # noqa: E402
from graphsvc.snapshot import Snapshot  # noqa: E402
from graphsvc.store.sqlite import SQLiteStore  # noqa: E402
from graphsvc.taxonomy import load_taxonomy  # noqa: E402
from loaders.demo import generate_community  # noqa: E402


def bench_load(payload: dict, workdir: Path, tag: str, repeats: int) -> dict:
    """The load and the reload against one raw ``executemany``, alternating, in one run."""
    ours: list[float] = []
    naive: list[float] = []
    again: list[float] = []
    ours_cpu: list[float] = []
    naive_cpu: list[float] = []
    for i in range(repeats):
        cpu = time.process_time()
        naive.append(raw_executemany(workdir / f"raw-{tag}-{i}.db", payload))
        naive_cpu.append(time.process_time() - cpu)
        store = SQLiteStore(workdir / f"store-{tag}-{i}.db")
        cpu = time.process_time()
        _r, s = timed(lambda: store.write(GraphBatch.model_validate(payload)))
        ours_cpu.append(time.process_time() - cpu)
        ours.append(s)
        report, s = timed(lambda: store.write(GraphBatch.model_validate(payload)))
        again.append(s)
        assert not any(report.created.values()) and not any(report.updated.values())
        store.close()
    rows = sum(len(v) for v in payload.values())
    med = statistics.median
    return {
        "rows": rows,
        "graphsvc_s": round(med(ours), 3), "raw_executemany_s": round(med(naive), 3),
        "graphsvc_rows_per_s": round(rows / med(ours)),
        "raw_executemany_rows_per_s": round(rows / med(naive)),
        "ratio": round(med(ours) / med(naive), 2),
        "cpu_ratio": round(med(ours_cpu) / med(naive_cpu), 2),
        "reload_unchanged_s": round(med(again), 3),
        "reload_ratio": round(med(again) / med(naive), 2),
        "runs": {"graphsvc_s": [round(x, 3) for x in ours],
                 "raw_executemany_s": [round(x, 3) for x in naive],
                 "reload_unchanged_s": [round(x, 3) for x in again]},
        "target_ratio": 1.5, "target_met": med(ours) / med(naive) <= 1.5,
    }


def bench_size(n: int, workdir: Path, match_queries: int, skip_map: bool,
               repeats: int = 3) -> dict:
    result: dict = {"actors": n}
    batch, gen_s = timed(lambda: generate_community(n, seed=1))
    result["generate_s"] = round(gen_s, 2)
    result["rows"] = len(batch)
    payload = batch.model_dump(mode="json", exclude_none=True)  # what a JSON body holds
    del batch
    result["load_sqlite"] = bench_load(payload, workdir, str(n), repeats)

    store = SQLiteStore(workdir / f"batched-{n}.db")
    store.write(GraphBatch.model_validate(payload))
    snapshot = Snapshot(store)
    G, build_s = timed(snapshot.graph)
    _same, cached_s = timed(snapshot.graph)
    result["snapshot"] = {"build_s": round(build_s, 3), "cached_ms": round(cached_s * 1000, 3),
                          "nodes": G.number_of_nodes(), "edges": G.number_of_edges()}

    rng = random.Random(3)
    categories = load_taxonomy().leaves()
    districts = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    queries = [(rng.choice(categories), rng.choice(districts)) for _ in range(match_queries)]
    cold = []  # each query the first time it is asked of this snapshot
    for category, district in queries:
        _out, s = timed(lambda: match_need(G, category, district=district))
        cold.append(s)
    warm = []  # the same queries again: every index they need is built
    for category, district in queries:
        _out, s = timed(lambda: match_need(G, category, district=district))
        warm.append(s)
    slow = []
    for category, district in queries[: max(5, match_queries // 40)]:
        _out, s = timed(lambda: match_need(store.to_networkx(), category, district=district))
        slow.append(s)
    result["match"] = {"snapshot_warm": percentiles(warm), "snapshot_cold": percentiles(cold),
                       "naive_rebuild_per_request": percentiles(slow),
                       "distinct_queries": len(set(queries))}

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
    parser.add_argument("--repeats", type=int, default=3,
                        help="loads per side (alternating); the ratio is of the medians")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "latest.json"))
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s]
    report = {
        "benchmark": "graphsvc",
        "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "sizes": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            print(f"benchmarking {n} actors …", file=sys.stderr, flush=True)
            report["sizes"].append(bench_size(n, Path(tmp), args.queries, args.skip_map,
                                                    args.repeats))
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
