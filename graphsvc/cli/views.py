"""``graphsvc map`` and ``graphsvc print``: the interactive map and the printable diagram."""

from __future__ import annotations

import argparse
from pathlib import Path

from graphsvc.cli._common import emit, read_graph, view_options
from graphsvc.errors import ConfigError
from graphsvc.settings import Settings


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("map", parents=[common], help="write the interactive map (HTML)")
    p.add_argument("-o", "--output", default="graphsvc-map.html")
    view_options(p)
    p.set_defaults(handler=cmd_map)

    p = sub.add_parser("print", parents=[common], help="write the printable diagram "
                       "(PDF, SVG or PNG by the output's extension)")
    p.add_argument("-o", "--output", default="graphsvc-network.pdf")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    p.add_argument("--orientation", choices=["landscape", "portrait"], default="landscape")
    view_options(p)
    p.set_defaults(handler=cmd_print)


def cmd_map(args, settings: Settings, as_json: bool) -> int:
    G = read_graph(settings)
    lang = args.lang or settings.lang
    size = write_map(G, Path(args.output), settings, args.district, lang)
    emit({"output": args.output, "bytes": size}, as_json, f"Wrote {args.output} ({size:,} bytes)")
    return 0


def cmd_print(args, settings: Settings, as_json: bool) -> int:
    G = read_graph(settings)
    lang = args.lang or settings.lang
    size = write_print(G, Path(args.output), settings, args.district, lang, args.paper,
                        args.orientation)
    emit({"output": args.output, "bytes": size}, as_json, f"Wrote {args.output} ({size:,} bytes)")
    return 0


def write_map(G, path: Path, settings: Settings, district: str | None, lang: str) -> int:
    from graphsvc.views import select, title_for
    from visualisations import render_map

    html = render_map(select(G, district), title=title_for(G, lang, district), lang=lang,
                      show_names=settings.show_names)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path.stat().st_size


def write_print(G, path: Path, settings: Settings, district: str | None, lang: str,
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


