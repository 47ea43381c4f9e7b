"""The workbench against the plain map it replaced at ``/``: what the browser gets and how soon
a planner can work, for generated Fjordvik communities.

    python benchmarks/bench_workbench.py [--sizes 1000,5000] [--out benchmarks/results/workbench.json]

Per size, side by side in one run:

- ``graph.json`` (the workbench's data, ``graphsvc.web.graph.workbench_graph``): build time and
  bytes; against ``/maps/network.html`` (``render_map``: data, script and page in one file);
- in headless Chromium, served by the real app on 127.0.0.1: time from navigation to
  ``WB.ready`` (map drawn, layout settled, panels placed) against ``/maps/network.html`` to
  ``graphsvc.ready`` (first visits, then again with the server's caches warm; ``map_renderer``
  says which renderer drew the map page: sigma.js from 2 000 nodes, while the workbench
  draws with vis-network at every size); on the
  workbench, the time of a neighbour highlight
  (``WB.map.select``) and of a district filter with its zoom (``WB.filter``), as the page runs
  them (``performance.now`` around the call). Needs /usr/bin/chromium and Playwright.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from graphsvc.web.graph import workbench_graph  # noqa: E402
from tests.fixtures.browser import ARGS, CHROMIUM  # noqa: E402
from tests.fixtures.workbench import served_demo  # noqa: E402
from visualisations import render_map  # noqa: E402


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def measure(n: int, browser) -> dict:
    with tempfile.TemporaryDirectory() as tmp, served_demo(Path(tmp), actors=n, seed=1) as site:
        # Each on a graph of its own: the layout is cached per graph object, as the service
        # caches it per snapshot, so neither profits from the other's.
        G = site.store.to_networkx()
        data, build_s = _timed(lambda: workbench_graph(site.store.to_networkx()))
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        html, map_s = _timed(lambda: render_map(site.store.to_networkx(), title="Fjordvik"))
        out = {"actors": n, "nodes": G.number_of_nodes(), "ties": G.number_of_edges(),
               "graph_json": {"build_s": round(build_s, 3), "bytes": len(body)},
               "map_html": {"build_s": round(map_s, 3), "bytes": len(html.encode())}}
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.set_default_timeout(600_000)
        started = time.perf_counter()
        page.goto(site.url + "/?lang=nb")
        page.wait_for_function("() => window.WB && WB.ready === true", polling=50)
        out["workbench_ready_s"] = round(time.perf_counter() - started, 2)
        hub = page.evaluate("() => WB.map.nodes().reduce((a, b) => "
                            "WB.map.degree(a) >= WB.map.degree(b) ? a : b)")
        out["select_ms"] = page.evaluate("""(id) => { const t = performance.now();
            WB.map.select(id, {stay: true}); return Math.round(performance.now() - t); }""", hub)
        out["filter_ms"] = page.evaluate("""() => { const t = performance.now();
            WB.filter({district: WB.options.districts[0][0]});
            return Math.round(performance.now() - t); }""")
        started = time.perf_counter()
        page.goto(site.url + "/maps/network.html")
        page.wait_for_function("() => window.graphsvc && window.graphsvc.ready", polling=50)
        out["map_ready_s"] = round(time.perf_counter() - started, 2)
        # which renderer drew the map page: sigma.js from visualisations.map.SIGMA_FROM nodes,
        # while the workbench draws with vis-network at every size
        out["map_renderer"] = page.evaluate("() => document.body.dataset.renderer || 'vis'")
        # Again, with the server's layout and graph.json kept for this snapshot (every later
        # visit until the store changes).
        started = time.perf_counter()
        page.goto(site.url + "/?lang=nb")
        page.wait_for_function("() => window.WB && WB.ready === true", polling=50)
        out["workbench_ready_again_s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        page.goto(site.url + "/maps/network.html")
        page.wait_for_function("() => window.graphsvc && window.graphsvc.ready", polling=50)
        out["map_ready_again_s"] = round(time.perf_counter() - started, 2)
        out["console_errors"] = errors
        page.close()
        return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,5000")
    parser.add_argument("--out", default=str(Path(__file__).parent / "results" / "workbench.json"))
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        for n in (int(s) for s in args.sizes.split(",")):
            results.append(measure(n, browser))
            print(json.dumps(results[-1]), flush=True)
        browser.close()
    report = {"benchmark": "workbench", "at": datetime.now().isoformat(timespec="seconds"),
              "machine": platform.platform(), "python": platform.python_version(),
              "results": results}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
