"""Map and print benchmarks: HTML size and time to interactive in headless Chromium, and print
generation time, for generated Fjordvik communities.

    python benchmarks/bench_maps.py [--sizes 1000,5000,20000] [--out benchmarks/results/maps.json]

Time to interactive is measured from the start of navigation to the moment the page says it is
ready (``window.graphsvc.ready``: the first frame drawn with every node placed, or the physics
settled for small maps), with the file served from 127.0.0.1 to a fresh headless Chromium page.
From ``AGGREGATE_FROM`` actors the map opens as clusters; the drill-down into the largest
district is timed too. Prints are timed on a graph never laid out before (the first request
after the store changed) and, for A4 PDF, again with the layout cached as the service keeps it
for its snapshot. Needs /usr/bin/chromium and Playwright (both installed by .ci/run).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import platform
import sys
import tempfile
import threading
import time
from datetime import datetime
from functools import partial
from pathlib import Path


from graphsvc.store.base import RECORD_TYPES, build_graph, record_data
from graphsvc.views import booklet_views, build_view
from loaders.demo import generate_community
from visualisations import render_booklet, render_map, render_print
from visualisations.aggregate import AGGREGATE_FROM

CHROMIUM = "/usr/bin/chromium"


def _timed(fn):
    started = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - started


def community(n: int):
    batch = generate_community(n, seed=1)
    return build_graph(**{k: [record_data(r) for r in getattr(batch, k)] for k in RECORD_TYPES})


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):
        pass


def _listen(page, base: str, errors: list[str], outside: list[str]) -> None:
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: r.url.startswith(base) or outside.append(r.url))


def browser_times(root: Path, files: list[str], runs: int) -> dict[str, dict]:
    from playwright.sync_api import sync_playwright

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(_Quiet, directory=str(root)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}/"
    out = {}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                         args=["--headless", "--no-sandbox", "--disable-gpu"])
            for name in files:
                samples, drill = [], None
                errors: list[str] = []
                outside: list[str] = []
                for _ in range(runs):
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    _listen(page, base, errors, outside)
                    started = time.perf_counter()
                    page.goto(base + name, wait_until="commit", timeout=120_000)
                    page.wait_for_function("() => window.graphsvc && window.graphsvc.ready",
                                           timeout=120_000, polling=20)
                    samples.append(time.perf_counter() - started)
                    if drill is None and page.evaluate("() => window.graphsvc.mode()") == "overview":
                        started = time.perf_counter()
                        page.evaluate("""() => {
                            const counts = {};
                            window.graphsvc.nodes.get().forEach(c => {
                                counts[c.cd] = (counts[c.cd] || 0) + 1; });
                            const top = Object.keys(counts).sort((a, b) => counts[b] - counts[a])[0];
                            window.graphsvc.drill(top);
                        }""")
                        page.wait_for_function("() => window.graphsvc.mode() === 'district'")
                        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
                        drill = time.perf_counter() - started
                    page.close()
                samples.sort()
                out[name] = {"time_to_interactive_s": round(samples[len(samples) // 2], 2),
                             "runs": [round(s, 2) for s in samples],
                             "console_errors": len(errors), "outside_requests": len(outside)}
                if drill is not None:
                    out[name]["drill_down_s"] = round(drill, 2)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,5000,20000")
    ap.add_argument("--runs", type=int, default=3, help="browser loads per map (median)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "maps.json"))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        files = []
        for n in sizes:
            G = community(n)
            html, map_s = _timed(partial(render_map, G, title=f"Benchmark {n}"))
            name = f"map-{n}.html"
            (root / name).write_text(html, encoding="utf-8")
            files.append(name)
            row = {"actors": n, "nodes": G.number_of_nodes(), "ties": G.number_of_edges(),
                   "aggregated": G.number_of_nodes() >= AGGREGATE_FROM,
                   "map": {"render_s": round(map_s, 2), "html_bytes": len(html.encode())},
                   "print": {}}
            for paper, fmt in (("A4", "pdf"), ("A3", "pdf"), ("A4", "svg"), ("A4", "png")):
                cold = G.copy()  # a graph never laid out: the first request after a change
                data, s = _timed(partial(render_print, cold, title=f"Benchmark {n}",
                                         paper=paper, fmt=fmt))
                row["print"][f"{paper}_{fmt}"] = {"seconds": round(s, 2), "bytes": len(data)}
            render_print(G, title="warm-up")
            _, s = _timed(partial(render_print, G, title=f"Benchmark {n}"))
            row["print"]["A4_pdf_layout_cached_s"] = round(s, 2)
            if n <= 5000:
                pages = booklet_views(G)
                data, s = _timed(partial(render_booklet,
                                         [(v.graph, v.render_kwargs()) for v in pages]))
                row["print"]["booklet_pdf"] = {"seconds": round(s, 2), "pages": len(pages),
                                               "bytes": len(data)}
                inits = [x for x, d in G.nodes(data=True) if d.get("kind") == "initiative"]
                v = build_view(G, "ego", focus=max(inits, key=G.degree))
                _, s = _timed(partial(render_print, v.graph, **v.render_kwargs()))
                row["print"]["ego_A4_pdf_s"] = round(s, 2)
            results.append(row)
            print(json.dumps(row), file=sys.stderr, flush=True)
        if Path(CHROMIUM).exists():
            times = browser_times(root, files, args.runs)
            for row, name in zip(results, files, strict=True):
                row["map"].update(times[name])
        else:
            print(f"no Chromium at {CHROMIUM}: browser timings skipped", file=sys.stderr)
    report = {"benchmark": "graphsvc maps and prints", "when": datetime.now().isoformat(
        timespec="seconds"), "python": platform.python_version(), "machine": platform.machine(),
        "interactive_budget_s": 3.0, "sizes": results}
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
