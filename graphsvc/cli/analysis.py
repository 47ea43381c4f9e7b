"""Analysis commands: ``graphsvc match``."""

from __future__ import annotations

import argparse

from graphsvc.cli._common import emit, read_graph
from graphsvc.settings import Settings


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("match", parents=[common], help="who can meet a need")
    p.add_argument("category", help="need category, e.g. help.transport")
    p.add_argument("--district", help="where the need is")
    p.add_argument("--seeker", metavar="ID", help="the actor with the need")
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--lang", choices=["nb", "en"], default=None)
    p.set_defaults(handler=cmd_match)


def cmd_match(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import match_need

    G = read_graph(settings)
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
    emit(out, as_json, "\n".join(lines))
    return 0


