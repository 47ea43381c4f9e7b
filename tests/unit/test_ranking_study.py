"""bench_analysis.py --ranking-study: how many sampled sources find the exact top 10 brokers,
from every source's exact contribution. Near all sources it must find them all; a handful of
sources finds fewer; the leading values are the exact ones."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))
import bench_analysis  # noqa: E402

from graphsvc.analysis import cross_group_betweenness, partition  # noqa: E402
from graphsvc.store.base import RECORD_TYPES, build_graph, record_data  # noqa: E402
from loaders.demo import generate_community  # noqa: E402


def test_the_study_finds_the_top_10_with_nearly_every_source_and_fewer_with_few():
    batch = generate_community(400, seed=2)
    G = build_graph(**{kind: [record_data(r) for r in getattr(batch, kind)]
                       for kind in RECORD_TYPES})
    n = G.number_of_nodes()
    study = bench_analysis.ranking_study(G, ks=(10, n - 1), draws=40)
    few, nearly_all = study["samples"]
    assert nearly_all["mean_top10_found"] >= 9.5
    assert nearly_all["share_at_least_9"] == 1.0
    assert few["mean_top10_found"] < nearly_all["mean_top10_found"]
    exact = cross_group_betweenness(G, partition(G))
    actors = [x for x, d in G.nodes(data=True) if d.get("node_type", "actor") == "actor"]
    assert study["exact_top14"] == [round(v, 5) for v in sorted(
        (exact[x] for x in actors), reverse=True)[:14]]
