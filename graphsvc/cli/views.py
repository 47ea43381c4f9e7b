"""``graphsvc map`` and ``graphsvc print``: the interactive map and the printable diagram of a
view (network, district, ego, path, gaps; the print also a booklet with a page per district)."""

from __future__ import annotations

import argparse
from pathlib import Path

from graphsvc.cli._common import emit, read_graph, view_options
from graphsvc.errors import ConfigError
from graphsvc.i18n import register
from graphsvc.settings import Settings

MESSAGES = register(__name__, {
    "nb": {"wrote": "Skrev {path} ({size} byte)"},
    "en": {"wrote": "Wrote {path} ({size} {size:byte|bytes})"},
})


def _size(n: int, lang: str) -> str:
    """``1 234 567`` in bokmål (a space groups thousands), ``1,234,567`` in English."""
    return f"{n:,}".replace(",", "\u00a0") if lang != "en" else f"{n:,}"

VIEWS = ("network", "district", "ego", "path", "gaps")


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("map", parents=[common], help="write the interactive map (HTML)")
    p.add_argument("view", nargs="?", default="network", choices=VIEWS,
                   help="what to show (default network)")
    p.add_argument("-o", "--output", default="graphsvc-map.html")
    _filters(p)
    p.add_argument("--aggregate", action=argparse.BooleanOptionalAction, default=None,
                   help="clusters by district and kind (off by default: from 2 000 actors "
                        "sigma.js draws the whole map)")
    p.set_defaults(handler=cmd_map)

    p = sub.add_parser("print", parents=[common], help="write the printable diagram "
                       "(PDF, SVG or PNG by the output's extension)")
    p.add_argument("view", nargs="?", default="network", choices=(*VIEWS, "booklet"),
                   help="what to show (default network); booklet: a PDF page per district")
    p.add_argument("-o", "--output", default="graphsvc-network.pdf")
    p.add_argument("--paper", choices=["A4", "A3"], default="A4")
    p.add_argument("--orientation", choices=["landscape", "portrait"], default="landscape")
    _filters(p)
    p.set_defaults(handler=cmd_print)


def _filters(p: argparse.ArgumentParser) -> None:
    view_options(p)
    p.add_argument("--kind", action="append", metavar="KIND",
                   help="only this actor kind (repeatable)")
    p.add_argument("--category", help="only actors offering or needing this category")
    p.add_argument("--focus", metavar="ID", help="ego view: the actor or initiative in the centre")
    p.add_argument("--depth", type=int, default=2, choices=[1, 2, 3],
                   help="ego view: ties away from the focus (default 2)")
    p.add_argument("--from", dest="source", metavar="ID", help="path view: first actor")
    p.add_argument("--to", dest="target", metavar="ID", help="path view: last actor")


def _filter_kwargs(args) -> dict:
    return {"kinds": args.kind, "category": args.category,
            "focus": args.focus, "depth": args.depth, "source": args.source,
            "target": args.target}


def cmd_map(args, settings: Settings, as_json: bool) -> int:
    G = read_graph(settings)
    lang = args.lang or settings.lang
    size = write_map(G, Path(args.output), settings, args.district, lang, view=args.view,
                     aggregate=args.aggregate, **_filter_kwargs(args))
    emit({"output": args.output, "bytes": size, "view": args.view}, as_json,
         MESSAGES("wrote", lang, path=args.output, size=_size(size, lang)))
    return 0


def cmd_print(args, settings: Settings, as_json: bool) -> int:
    G = read_graph(settings)
    lang = args.lang or settings.lang
    size = write_print(G, Path(args.output), settings, args.district, lang, args.paper,
                       args.orientation, view=args.view, **_filter_kwargs(args))
    emit({"output": args.output, "bytes": size, "view": args.view}, as_json,
         MESSAGES("wrote", lang, path=args.output, size=_size(size, lang)))
    return 0


def write_map(G, path: Path, settings: Settings, district: str | None, lang: str, *,
              view: str = "network", aggregate: bool | None = None, **filters) -> int:
    from graphsvc.views import build_view
    from visualisations import render_map

    v = build_view(G, view, lang=lang, district=district, **filters)
    html = render_map(v.graph, lang=lang, show_names=settings.show_names, aggregate=aggregate,
                      **v.render_kwargs())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path.stat().st_size


def write_print(G, path: Path, settings: Settings, district: str | None, lang: str,
                paper: str, orientation: str, *, view: str = "network", **filters) -> int:
    from graphsvc.views import booklet_views, build_view
    from visualisations import render_booklet, render_print

    fmt = path.suffix.lower().lstrip(".") or "pdf"
    if fmt not in ("pdf", "svg", "png"):
        raise ConfigError(f"{path}: the printout is .pdf, .svg or .png")
    if view == "booklet":
        if fmt != "pdf":
            raise ConfigError(f"{path}: the booklet is a PDF (.pdf)")
        pages = booklet_views(G, lang=lang, kinds=filters.get("kinds"),
                              category=filters.get("category"))
        data = render_booklet([(v.graph, v.render_kwargs()) for v in pages], paper=paper,
                              orientation=orientation, lang=lang,
                              show_names=settings.show_names)
    else:
        v = build_view(G, view, lang=lang, district=district, **filters)
        data = render_print(v.graph, paper=paper, orientation=orientation, fmt=fmt, lang=lang,
                            show_names=settings.show_names, **v.render_kwargs())
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return len(data)
