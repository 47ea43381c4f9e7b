"""The ``graphsvc`` command: a thin shell over the library.

Library errors become one clear line on stderr and a non-zero exit (1: the work failed, 2: the
command line was wrong). ``--json`` prints machine-readable output on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from graphsvc import __version__
from graphsvc.errors import ConfigError, GraphsvcError, ImportFailed
from graphsvc.settings import Settings

COMMANDS = ("demo", "load", "serve", "map", "print", "match")


def _common() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", default=argparse.SUPPRESS, metavar="URL",
                        help="sqlite:///path.db or neo4j://host:7687 (env GRAPHSVC_STORE; "
                             "default sqlite:///graphsvc.db)")
    common.add_argument("--json", action="store_true", default=argparse.SUPPRESS,
                        help="machine-readable output on stdout")
    return common


def build_parser() -> argparse.ArgumentParser:
    common = _common()
    parser = argparse.ArgumentParser(
        prog="graphsvc", parents=[common],
        description="Map a community's complementary resources as a graph, connect them, "
                    "and show them.")
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("demo", parents=[common], help="load the fictional demo community "
                       "(Fjordvik), print a summary, write the map and the printout")
    p.add_argument("--actors", type=int, default=1000, help="size, 100 to 100000 (default 1000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", default="graphsvc-out", help="folder for the map and printout "
                   "(default graphsvc-out)")
    p.add_argument("--reset", action="store_true", help="empty the store first")
    p.add_argument("--serve", action="store_true", help="then serve the API and the map")
    _serve_options(p)

    p = sub.add_parser("load", parents=[common], help="load files (workshop sheets .csv/.xlsx)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", dest="fmt", choices=["workshop"], help="default: from the name")
    p.add_argument("--strict", action="store_true",
                   help="write nothing if any row is rejected")

    p = sub.add_parser("serve", parents=[common], help="serve the API and the map")
    _serve_options(p)

    p = sub.add_parser("map", parents=[common], help="write the interactive map (HTML)")
    p.add_argument("-o", "--output", default="graphsvc-map.html")
    _view_options(p)

    p = sub.add_parser("print", parents=[common], help="write the printable diagram "
                       "(PDF, SVG or PNG by the output's extension)")
    p.add_argument("-o", "--output", default="graphsvc-network.pdf")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    p.add_argument("--orientation", choices=["landscape", "portrait"], default="landscape")
    _view_options(p)

    p = sub.add_parser("match", parents=[common], help="who can meet a need")
    p.add_argument("category", help="need category, e.g. help.transport")
    p.add_argument("--district", help="where the need is")
    p.add_argument("--seeker", metavar="ID", help="the actor with the need")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--lang", choices=["nb", "en"], default=None)
    return parser


def _serve_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default=None, help="default 127.0.0.1 (env GRAPHSVC_HOST)")
    p.add_argument("--port", type=int, default=None, help="default 8000 (env GRAPHSVC_PORT)")


def _view_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--district", help="only this district")
    p.add_argument("--lang", choices=["nb", "en"], default=None, help="default nb (bokmål)")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    as_json = getattr(args, "json", False)
    try:
        overrides = {"store": args.store} if hasattr(args, "store") else {}
        settings = Settings(**overrides)
        return int(HANDLERS[args.command](args, settings, as_json) or 0)
    except ImportFailed as exc:
        _fail(exc, as_json)
        for row in exc.rows[:50]:
            print(f"  {row}", file=sys.stderr)
        return 1
    except GraphsvcError as exc:
        _fail(exc, as_json)
        return 1
    except KeyboardInterrupt:
        return 130


def _fail(exc: GraphsvcError, as_json: bool) -> None:
    if as_json:
        print(json.dumps(exc.to_dict(), ensure_ascii=False))
    print(f"graphsvc: error: {exc.message}", file=sys.stderr)


def _emit(data: Any, as_json: bool, text: str) -> None:
    print(json.dumps(data, ensure_ascii=False, indent=2, default=str) if as_json else text)


def _store(settings: Settings):
    from graphsvc.store import open_store

    return open_store(settings.store, settings)


def _step(message: str, as_json: bool) -> None:
    if not as_json:
        print(message, file=sys.stderr, flush=True)


# ---- commands -------------------------------------------------------------------------------
def cmd_demo(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import match_need
    from loaders.demo import generate_community

    store = _store(settings)
    if args.reset:
        store.clear()
    _step(f"Generating the Fjordvik demo community ({args.actors} actors, seed {args.seed}) …",
          as_json)
    try:
        batch = generate_community(args.actors, seed=args.seed)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    _step(f"Writing it to {settings.store} …", as_json)
    started = time.perf_counter()
    report = store.write(batch)
    write_s = time.perf_counter() - started
    G = store.to_networkx()
    kinds = Counter(d.get("kind") for _n, d in G.nodes(data=True))
    districts = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    example = match_need(G, "help.transport", district=districts[0] if districts else None,
                         limit=3, show_names=settings.show_names, lang=settings.lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    map_path, pdf_path = out / "fjordvik-map.html", out / "fjordvik-network.pdf"
    _step("Drawing the map and the printout …", as_json)
    _write_map(G, map_path, settings, None, settings.lang)
    _write_print(G, pdf_path, settings, None, settings.lang, "A3", "landscape")
    summary = {
        "store": settings.store,
        "revision": report.revision,
        "write_seconds": round(write_s, 2),
        "actors": {k: v for k, v in sorted(kinds.items()) if k != "initiative"},
        "initiatives": kinds.get("initiative", 0),
        "districts": districts,
        "resources": len(batch.resources),
        "needs": len(batch.needs),
        "ties": G.number_of_edges(),
        "map": str(map_path),
        "print": str(pdf_path),
        "example_match": example,
    }
    lines = [
        f"Fjordvik demo community in {settings.store} (revision {report.revision})",
        "  actors: " + ", ".join(f"{v} {k}" for k, v in summary["actors"].items()),
        f"  {summary['initiatives']} initiatives, {len(batch.resources)} resources offered, "
        f"{len(batch.needs)} needs, {summary['ties']} ties, {len(districts)} districts",
        f"  map:      {map_path}",
        f"  printout: {pdf_path}",
        f"Who can give transport (help.transport) in {districts[0] if districts else '-'}?",
        *(f"  {r['rank']}. {r['actor']['name']} ({r['actor']['kind']}) – "
          + "; ".join(r["explanation"][-1:]) for r in example["results"]),
    ]
    _emit(summary, as_json, "\n".join(lines))
    if args.serve:
        return cmd_serve(args, settings, as_json, store=store)
    store.close()
    return 0


def cmd_load(args, settings: Settings, as_json: bool) -> int:
    from loaders.importer import import_files

    for p in args.paths:
        if not Path(p).is_file():
            raise ImportFailed(f"{p}: no such file; nothing was written", file=p)
    store = _store(settings)
    try:
        report = import_files(store, args.paths, fmt=args.fmt, strict=args.strict)
    finally:
        store.close()
    w = report["written"]
    lines = [f"Read {report['rows_read']} row(s) from {len(report['files'])} file(s); "
             f"store revision {w['revision']}."]
    for kind in ("actors", "initiatives", "resources", "needs", "ties"):
        lines.append(f"  {kind:<11} created {w['created'].get(kind, 0):>5}  "
                     f"updated {w['updated'].get(kind, 0):>5}  "
                     f"unchanged {w['unchanged'].get(kind, 0):>5}")
    if report["rejected"]:
        lines.append(f"{len(report['rejected'])} row(s) rejected (not loaded):")
        for r in report["rejected"]:
            field = f" field '{r['field']}'" if r["field"] else ""
            lines.append(f"  {r['file']}:{r['line']}{field}: {r['reason']}")
    _emit(report, as_json, "\n".join(lines))
    return 0


def cmd_serve(args, settings: Settings, as_json: bool, store=None) -> int:
    import uvicorn

    from graphsvc.api import create_app

    host = args.host or settings.host
    port = args.port or settings.port
    if host not in ("127.0.0.1", "localhost", "::1") and not settings.allow_remote_without_keys:
        raise ConfigError(
            f"refusing to listen on {host}: no API keys are configured, so graphsvc serves "
            "localhost only (set GRAPHSVC_ALLOW_REMOTE_WITHOUT_KEYS=true behind a proxy that "
            "authenticates)")
    app = create_app(settings, store=store)
    print(f"Serving on http://{host}:{port}/  (map: /maps/network.html, API docs: /docs)",
          file=sys.stderr, flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")
    return 0


def cmd_map(args, settings: Settings, as_json: bool) -> int:
    store = _store(settings)
    G = store.to_networkx()
    store.close()
    lang = args.lang or settings.lang
    size = _write_map(G, Path(args.output), settings, args.district, lang)
    _emit({"output": args.output, "bytes": size}, as_json, f"Wrote {args.output} ({size:,} bytes)")
    return 0


def cmd_print(args, settings: Settings, as_json: bool) -> int:
    store = _store(settings)
    G = store.to_networkx()
    store.close()
    lang = args.lang or settings.lang
    size = _write_print(G, Path(args.output), settings, args.district, lang, args.paper,
                        args.orientation)
    _emit({"output": args.output, "bytes": size}, as_json, f"Wrote {args.output} ({size:,} bytes)")
    return 0


def cmd_match(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import match_need

    store = _store(settings)
    G = store.to_networkx()
    store.close()
    out = match_need(G, args.category, district=args.district, seeker=args.seeker,
                     limit=args.limit, show_names=settings.show_names,
                     lang=args.lang or settings.lang)
    lines = [f"{out['count']} of {out['candidates']} offer(s) for "
             f"{out['query']['category_name']} ({args.category})"
             + (f" in {args.district}" if args.district else "")]
    for r in out["results"]:
        lines.append(f"{r['rank']:>3}. {r['actor']['name']} ({r['actor']['kind']}, "
                     f"{r['actor']['district'] or '-'}) score {r['score']:.2f}")
        lines.extend(f"       {e}" for e in r["explanation"])
    _emit(out, as_json, "\n".join(lines))
    return 0


def _write_map(G, path: Path, settings: Settings, district: str | None, lang: str) -> int:
    from graphsvc.views import select, title_for
    from visualisations import render_map

    html = render_map(select(G, district), title=title_for(G, lang, district), lang=lang,
                      show_names=settings.show_names)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path.stat().st_size


def _write_print(G, path: Path, settings: Settings, district: str | None, lang: str,
                 paper: str, orientation: str) -> int:
    from graphsvc.views import select, title_for
    from visualisations import render_print

    fmt = path.suffix.lower().lstrip(".") or "pdf"
    if fmt not in ("pdf", "svg", "png"):
        raise ConfigError(f"{path}: the printout is .pdf, .svg or .png")
    data = render_print(select(G, district), title=title_for(G, lang, district), paper=paper,
                        orientation=orientation, fmt=fmt, lang=lang,
                        show_names=settings.show_names)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)


HANDLERS = {"demo": cmd_demo, "load": cmd_load, "serve": cmd_serve, "map": cmd_map,
            "print": cmd_print, "match": cmd_match}

if __name__ == "__main__":
    sys.exit(main())
