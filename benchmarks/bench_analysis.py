"""Analysis benchmarks: answers from the in-memory snapshot against the naive way, in one run.

    python benchmarks/bench_analysis.py [--sizes 1000,10000,100000] [--skip-naive]

(``-P``: do not put ``benchmarks/`` first on the import path, where ``loaders.py`` would hide
the ``loaders`` package.)

For each size of the generated Fjordvik community (``loaders.demo.generate_community``) the
graph is built exactly as the store's snapshot builds it (``build_graph``) and measured:

- match, path and team latency p50/p95 with the derived structures memoised on the snapshot,
  against the naive way: the same request with nothing memoised (recomputed per request);
- the gaps report, brokers and communities from a cold snapshot (everything derived built
  inside the timing) and warm;
- brokers' naive way: networkx's exact betweenness (extrapolated from a timed sample of
  sources where a full run takes minutes), ``constraint`` and ``effective_size``;
- at 1 000 actors, the error of sampled cross-group betweenness against the exact values.
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import time
from pathlib import Path

import networkx as nx
import numpy as np

from _common import percentiles, timed, write_report
from graphsvc.analysis import (
    brokers,
    build_team,
    communities,
    cross_group_betweenness,
    gaps_report,
    linking_path,
    match_need,
    partition,
    path_between,
    structural_holes,
)
from graphsvc.analysis._cache import trust_graph
from graphsvc.store.base import RECORD_TYPES, build_graph, record_data
from graphsvc.taxonomy import load_taxonomy
from loaders.demo import generate_community

TARGETS = {"match_p95_ms": 20, "path_p95_ms": 100, "gaps_s": 2, "brokers_s": 10}


def _cold(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Forget everything derived: the naive way recomputes per request."""
    G.graph.pop("_cache", None)
    return G


def _latencies(G, calls, naive_calls: int) -> dict:
    calls[0]()  # the first request builds the snapshot's derived structures
    fast = [timed(c)[1] for c in calls]
    slow = [timed(lambda c=c: (_cold(G), c()))[1] for c in calls[:naive_calls]]
    calls[0]()
    return {"snapshot": percentiles(fast), "naive_recomputed_per_request": percentiles(slow)}


def sampling_error(G: nx.MultiDiGraph, ks=(100, 200, 300), seeds=(0, 1, 2)) -> dict:
    """Sampled against exact cross-group betweenness (groups: Louvain communities)."""
    groups = partition(G)
    exact, exact_s = timed(lambda: cross_group_betweenness(G, groups))
    actors = [n for n, d in G.nodes(data=True) if d.get("node_type") == "actor"]
    ex = np.array([exact[n] for n in actors])
    top20 = set(np.argsort(-ex)[:20])
    out = {"exact_s": round(exact_s, 2), "nodes": G.number_of_nodes(), "samples": []}
    for k in ks:
        for seed in seeds:
            sampled, s = timed(lambda k=k, seed=seed: cross_group_betweenness(G, groups, k=k,
                                                                               seed=seed))
            sa = np.array([sampled[n] for n in actors])
            rank = lambda a: np.argsort(np.argsort(-a))
            spearman = float(np.corrcoef(rank(ex), rank(sa))[0, 1])
            idx = sorted(top20)
            rel = float(np.mean(np.abs(sa[idx] - ex[idx]) / ex[idx]))
            out["samples"].append({
                "k": k, "seed": seed, "seconds": round(s, 3), "spearman": round(spearman, 4),
                "top10_overlap": len(set(np.argsort(-ex)[:10]) & set(np.argsort(-sa)[:10])),
                "top20_overlap": len(top20 & set(np.argsort(-sa)[:20])),
                "top20_mean_relative_error": round(rel, 4)})
    return out


def bench_size(n: int, queries: int, naive: bool) -> dict:
    result: dict = {"actors": n}
    batch, gen_s = timed(lambda: generate_community(n, seed=1))
    rows = {kind: [record_data(r) for r in getattr(batch, kind)] for kind in RECORD_TYPES}
    G, build_s = timed(lambda: build_graph(**rows))
    result.update(generate_s=round(gen_s, 2), snapshot_build_s=round(build_s, 2),
                  nodes=G.number_of_nodes(), edges=G.number_of_edges())
    rng = random.Random(3)
    categories = load_taxonomy().leaves()
    districts = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    actors = sorted(x for x, d in G.nodes(data=True) if d.get("node_type") == "actor")
    people = [x for x in actors if G.nodes[x]["kind"] == "individual"]
    inits = sorted(x for x, d in G.nodes(data=True) if d.get("node_type") == "initiative")
    naive_calls = 5 if naive else 0

    # Gaps, brokers and communities from a cold snapshot: every derived structure is built
    # inside the timing (the first request after a write pays exactly this).
    _cold(G)
    _out, gaps_cold = timed(lambda: gaps_report(G))
    _out, gaps_warm = timed(lambda: gaps_report(G))
    _cold(G)
    out, brokers_cold = timed(lambda: brokers(G))
    _out, brokers_warm = timed(lambda: brokers(G))
    result["gaps"] = {"cold_s": round(gaps_cold, 3), "warm_s": round(gaps_warm, 3)}
    result["brokers"] = {"cold_s": round(brokers_cold, 3), "warm_s": round(brokers_warm, 3),
                         "exact": out["exact"], "sampled_sources": out["sources"],
                         "groups": "louvain communities"}
    _cold(G)
    _out, louvain_s = timed(lambda: communities(G))
    result["communities"] = {"cold_s": round(louvain_s, 3),
                             "count": _out["count"], "silos": _out["silos"]}
    _cold(G)
    _out, holes_s = timed(lambda: structural_holes(G))
    result["brokers"]["constraint_effective_size_s"] = round(holes_s, 3)
    if naive:
        H = nx.Graph(trust_graph(G))
        sample = min(50, len(H))
        _o, bc_s = timed(lambda: nx.betweenness_centrality(H, k=sample, seed=1))
        result["brokers"]["naive_exact_betweenness_s"] = round(bc_s * len(H) / sample, 1)
        result["brokers"]["naive_exact_betweenness_note"] = (
            f"networkx betweenness_centrality, timed on {sample} sources and scaled to all "
            f"{len(H)} (exact time is linear in sources)")
        # networkx's weighted effective_size/constraint renormalise over all neighbours for
        # every neighbour pair (cubic in degree): the municipality's hub does not finish in
        # minutes. Time them on a random sample of nodes and scale: a lower bound.
        few = random.Random(2).sample(sorted(H, key=str), min(100, len(H)))
        _o, es_s = timed(lambda: nx.effective_size(H, nodes=few, weight="strength"))
        _o, c_s = timed(lambda: nx.constraint(H, nodes=few, weight="strength"))
        result["brokers"]["naive_networkx_effective_size_s"] = round(es_s * len(H) / len(few), 1)
        result["brokers"]["naive_networkx_constraint_s"] = round(c_s * len(H) / len(few), 1)
        result["brokers"]["naive_networkx_holes_note"] = (
            f"timed on {len(few)} random nodes and scaled to {len(H)}: a lower bound, since "
            f"the hubs (max degree {max(d for _n, d in H.degree())}) cost far more")

    # Match: one query per district first (each district's frivilligsentral search tree is
    # built once per snapshot and kept); then timed queries.
    _cold(G)
    warm = [timed(lambda d=d: match_need(G, "help.transport", district=d))[1] for d in districts]
    queries = [(rng.choice(categories), rng.choice(districts)) for _ in range(queries)]
    calls = [lambda c=c, d=d: match_need(G, c, district=d) for c, d in queries]
    result["match"] = _latencies(G, calls, naive_calls)
    result["match"]["first_query_per_district"] = percentiles(warm)
    seekers = [lambda c=c, s=s: match_need(G, c, seeker=s)
               for (c, _d), s in zip(queries[:100], rng.sample(people, min(100, len(queries))),
                                     strict=True)]
    result["match_from_an_individual"] = _latencies(G, seekers, naive_calls)

    pairs = [(rng.choice(actors), rng.choice(actors)) for _ in range(100)]
    result["path"] = _latencies(G, [lambda a=a, b=b: path_between(G, a, b) for a, b in pairs],
                                naive_calls)
    result["linking_path"] = _latencies(G, [lambda a=a: linking_path(G, a)
                                            for a, _b in pairs], naive_calls)
    result["team"] = _latencies(G, [lambda i=i: build_team(G, i) for i in inits], naive_calls)

    result["meets_targets"] = {
        "match_p95_ms": result["match"]["snapshot"]["p95_ms"] < TARGETS["match_p95_ms"],
        "path_p95_ms": result["path"]["snapshot"]["p95_ms"] < TARGETS["path_p95_ms"],
        "gaps_s": gaps_cold < TARGETS["gaps_s"],
        "brokers_s": brokers_cold < TARGETS["brokers_s"],
    }
    if n == 1000:
        result["sampling_error_1k"] = sampling_error(G)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated actor counts")
    parser.add_argument("--queries", type=int, default=200, help="match queries per size")
    parser.add_argument("--skip-naive", action="store_true",
                        help="skip the naive way (networkx exact algorithms, no memoising)")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "analysis.json"))
    args = parser.parse_args(argv)
    report = {"benchmark": "graphsvc analysis", "when": time.strftime("%Y-%m-%dT%H:%M:%S"),
              "python": platform.python_version(), "networkx": nx.__version__,
              "machine": platform.machine(), "targets_at_10k": TARGETS, "sizes": []}
    for n in [int(s) for s in args.sizes.split(",") if s]:
        print(f"benchmarking analysis at {n} actors …", file=sys.stderr, flush=True)
        report["sizes"].append(bench_size(n, args.queries, not args.skip_naive))
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
