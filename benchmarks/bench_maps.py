"""Map and print benchmarks: page bytes and time to interactive in headless Chromium, the
vis-network page and the sigma.js page of the same graph side by side, and print generation
time, for generated Fjordvik communities.

    python benchmarks/bench_maps.py [--sizes 1000,2000,3000,5000,20000,50000] [--runs 3]
                                    [--no-prints] [--out benchmarks/results/maps.json]

**Interactive** means: the page has drawn its first frame with every node placed (for a small
vis-network map: the physics has settled), which the page itself records as
``window.graphsvc.readyAt`` (``performance.now()``, so counted from the start of navigation),
*and* a search for one organisation's name has answered: the hit is selected, its details are
open and the next frame is drawn. The search is timed inside the page, from submitting the form
to that frame, and added to ``readyAt``; the time Playwright takes to notice readiness is not
counted. Each page is a file served from 127.0.0.1 to a fresh page of one headless Chromium
(software WebGL, ``--disable-gpu``); the median of ``--runs`` loads is reported, with console
errors and requests outside 127.0.0.1 counted.

Both pages draw the whole graph with the same precomputed layout: vis-network is what the
page did before sigma.js (below ``AGGREGATE_FROM`` nodes; above it vis-network opens a cluster
overview instead, timed as ``vis_clusters``). ``SIGMA_FROM`` is where ``render_map`` switches.
Prints are timed on a graph never laid out before (the first request after the store changed)
and, for A4 PDF, again with the layout cached as the service keeps it for its snapshot. Needs
/usr/bin/chromium and Playwright (both installed by .ci/run).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import platform
import sys
import tempfile
import threading
from collections import Counter
from datetime import datetime
from functools import partial
from pathlib import Path

sys.path.append(str(Path(__file__).parent))  # last: nothing here may hide a package
from _common import timed, write_report  # noqa: E402
from graphsvc.store.base import RECORD_TYPES, build_graph, record_data  # noqa: E402
from graphsvc.views import booklet_views, build_view  # noqa: E402
from loaders.demo import generate_community  # noqa: E402
from visualisations import render_booklet, render_map, render_print  # noqa: E402
from visualisations.aggregate import AGGREGATE_FROM  # noqa: E402
from visualisations.map import SIGMA_FROM  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
BUDGET_S = 3.0
SEARCH = """async (name) => {
    const box = document.getElementById("search");
    box.value = name;
    const started = performance.now();
    document.getElementById("search-form").requestSubmit();
    await new Promise(r => requestAnimationFrame(() => r()));
    const status = document.getElementById("search-status").textContent;
    const details = !document.getElementById("details").hidden;
    return {ms: performance.now() - started, status, details};
}"""


def community(n: int):
    batch = generate_community(n, seed=1)
    return build_graph(**{k: [record_data(r) for r in getattr(batch, k)] for k in RECORD_TYPES})


def search_name(G) -> str:
    """An organisation whose name is in no other actor's name (a search with one hit)."""
    names = [str(d.get("name")).lower() for _, d in G.nodes(data=True)]
    counts = Counter(names)
    for _, d in sorted(G.nodes(data=True), key=lambda x: str(x[0])):
        name = str(d.get("name"))
        if (d.get("kind") == "association" and counts[name.lower()] == 1
                and sum(name.lower() in other for other in names) == 1):
            return name
    raise ValueError("no association with a name of its own")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - stdlib name
        pass


def browser_times(root: Path, pages: list[tuple[str, str]], runs: int) -> dict[str, dict]:
    """For each (file, name to search): readiness, search and interactive times in seconds."""
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
            for file, name in pages:
                samples = []
                errors: list[str] = []
                outside: list[str] = []
                for _ in range(runs):
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
                    page.on("pageerror", lambda e: errors.append(str(e)))
                    page.on("request", lambda r: r.url.startswith(base) or outside.append(r.url))
                    page.goto(base + file, wait_until="commit", timeout=180_000)
                    page.wait_for_function("() => window.graphsvc && window.graphsvc.ready",
                                           timeout=180_000, polling=20)
                    ready = page.evaluate("() => window.graphsvc.readyAt") / 1000
                    sample = {"ready_s": ready}
                    phases = page.evaluate("() => window.graphsvc.phases || null")
                    if phases:  # sigma: script parsed, graph built, sigma set up (s)
                        sample.update({f"{k}_s": v / 1000 for k, v in phases.items()})
                    if page.evaluate("() => window.graphsvc.mode()") == "full":
                        found = page.evaluate(SEARCH, name)
                        if found["status"] != "1 treff" or not found["details"]:
                            errors.append(f"search for {name!r} answered {found}")
                        sample["search_ms"] = found["ms"]
                        sample["interactive_s"] = ready + found["ms"] / 1000
                    samples.append(sample)
                    page.close()
                samples.sort(key=lambda s: s.get("interactive_s", s["ready_s"]))
                mid = samples[len(samples) // 2]
                out[file] = {**{k: round(v, 3) for k, v in mid.items()},
                             "runs_s": [round(s.get("interactive_s", s["ready_s"]), 2)
                                        for s in samples],
                             "console_errors": len(errors), "outside_requests": len(outside)}
                if errors:
                    out[file]["first_error"] = errors[0][:300]
                print(file, out[file], file=sys.stderr, flush=True)
            browser.close()
    finally:
        server.shutdown()
        server.server_close()
    return out


def prints(G, n: int) -> dict:
    row = {}
    for paper, fmt in (("A4", "pdf"), ("A3", "pdf"), ("A4", "svg"), ("A4", "png")):
        cold = G.copy()  # a graph never laid out: the first request after a change
        data, s = timed(partial(render_print, cold, title=f"Benchmark {n}", paper=paper, fmt=fmt))
        row[f"{paper}_{fmt}"] = {"seconds": round(s, 2), "bytes": len(data)}
    render_print(G, title="warm-up")
    _, s = timed(partial(render_print, G, title=f"Benchmark {n}"))
    row["A4_pdf_layout_cached_s"] = round(s, 2)
    if n <= 5000:
        pages = booklet_views(G)
        data, s = timed(partial(render_booklet, [(v.graph, v.render_kwargs()) for v in pages]))
        row["booklet_pdf"] = {"seconds": round(s, 2), "pages": len(pages), "bytes": len(data)}
        inits = [x for x, d in G.nodes(data=True) if d.get("kind") == "initiative"]
        v = build_view(G, "ego", focus=max(inits, key=G.degree))
        _, s = timed(partial(render_print, v.graph, **v.render_kwargs()))
        row["ego_A4_pdf_s"] = round(s, 2)
    return row


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="1000,2000,3000,5000,20000")
    ap.add_argument("--runs", type=int, default=3, help="browser loads per page (median)")
    ap.add_argument("--no-prints", action="store_true", help="time the maps only")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "maps.json"))
    args = ap.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        pages = []
        for n in sizes:
            G = community(n)
            name = search_name(G)
            row = {"actors": n, "nodes": G.number_of_nodes(), "ties": G.number_of_edges(),
                   "default_renderer": "sigma" if G.number_of_nodes() >= SIGMA_FROM else "vis"}
            kinds = [("vis", {"renderer": "vis", "aggregate": False}),
                     ("sigma", {"renderer": "sigma"})]
            if G.number_of_nodes() >= AGGREGATE_FROM:
                kinds.append(("vis_clusters", {"renderer": "vis", "aggregate": True}))
            for label, kw in kinds:
                cold = G.copy()  # each page pays its own layout (the service caches one)
                html, s = timed(partial(render_map, cold, title=f"Benchmark {n}", **kw))
                file = f"map-{n}-{label}.html"
                (root / file).write_text(html, encoding="utf-8")
                pages.append((file, name))
                row[label] = {"render_s": round(s, 2), "html_bytes": len(html.encode())}
            if not args.no_prints:
                row["print"] = prints(G, n)
            results.append(row)
            print(row, file=sys.stderr, flush=True)
        if Path(CHROMIUM).exists():
            times = browser_times(root, pages, args.runs)
            for row in results:
                for label in ("vis", "sigma", "vis_clusters"):
                    if label in row:
                        row[label].update(times[f"map-{row['actors']}-{label}.html"])
                v, s = row["vis"], row["sigma"]
                row["vis_over_sigma"] = {
                    "interactive": round(v["interactive_s"] / s["interactive_s"], 2),
                    "html_bytes": round(v["html_bytes"] / s["html_bytes"], 2)}
        else:
            print(f"no Chromium at {CHROMIUM}: browser timings skipped", file=sys.stderr)
    under = {label: max((r["nodes"] for r in results
                         if r[label].get("interactive_s", 1e9) <= BUDGET_S), default=None)
             for label in ("vis", "sigma")}
    report = {"benchmark": "graphsvc maps and prints", "when": datetime.now().isoformat(
        timespec="seconds"), "python": platform.python_version(), "machine": platform.machine(),
        "sigma_from_nodes": SIGMA_FROM, "interactive_budget_s": BUDGET_S,
        "largest_interactive_under_budget": under, "sizes": results}
    write_report(report, args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
