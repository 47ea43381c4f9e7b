"""``graphsvc list actors|initiatives``: find ids to give the other commands, with the same
filters and the same answer (``--json``: ``{data, count}``) as ``GET /actors`` and
``GET /initiatives``. Individuals are pseudonymised unless ``GRAPHSVC_SHOW_NAMES=true``."""

from __future__ import annotations

import argparse

from graphsvc.cli._common import cli_lang, emit, read_graph
from graphsvc.errors import ValidationError
from graphsvc.i18n import kind_name, register as register_texts
from graphsvc.model import ACTOR_KINDS
from graphsvc.settings import Settings
from graphsvc.snapshot import known_district, select_nodes


MESSAGES = register_texts(__name__, {
    "nb": {
        "col.id": "id", "col.kind": "aktørtype", "col.name": "navn", "col.district": "grend",
        "col.participants": "deltakere", "col.covered": "dekket",
        "none.actors": "ingen aktører passer", "none.initiatives": "ingen initiativ passer",
        "shown": "({shown} av {count} vist; bruk --limit, eller snevre inn med --q, --district)",
    },
    "en": {
        "col.id": "id", "col.kind": "kind", "col.name": "name", "col.district": "district",
        "col.participants": "participants", "col.covered": "covered",
        "none.actors": "no actors match", "none.initiatives": "no initiatives match",
        "shown": "({shown} of {count} shown; use --limit or narrow with --q, --district)",
    },
})


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("list", parents=[common], help="list actors or initiatives (ids, names, "
                                                       "districts), filtered")
    p.add_argument("what", choices=["actors", "initiatives"])
    p.add_argument("--kind", choices=ACTOR_KINDS, help="actors: only this kind")
    p.add_argument("--district", help="only this district (case-insensitive)")
    p.add_argument("--q", metavar="TEXT", help="part of the name, case- and accent-insensitive")
    p.add_argument("--limit", type=int, default=50, help="at most this many (default 50)")
    p.add_argument("--lang", choices=["nb", "en"], default=None,
                   help="language of the table (default nb, bokmål; env GRAPHSVC_LANG)")
    p.set_defaults(handler=cmd_list)


def cmd_list(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.api.routes.actors import actor_public
    from graphsvc.api.routes.initiatives import initiative_public

    if args.kind and args.what == "initiatives":
        raise ValidationError("error.kind_actors_only", kind=args.kind)
    if args.limit < 1:
        raise ValidationError("error.at_least_1", limit=args.limit, fill={"name": "--limit"})
    G = read_graph(settings)
    district = known_district(G, args.district) if args.district else None
    node_type = args.what[:-1]  # actor, initiative
    nodes = select_nodes(G, node_type, kind=args.kind, district=district, q=args.q,
                         show_names=settings.show_names)
    show = settings.show_names
    t = MESSAGES.bind(cli_lang(args, settings))
    if node_type == "actor":
        data = [actor_public(G, n, show_names=show, with_ties=False, lang=cli_lang(args, settings))
                for n in nodes[:args.limit]]
        rows = [(a.id, kind_name(a.kind, cli_lang(args, settings)), a.name, a.district or "-")
                for a in data]
        header = tuple(t(f"col.{c}") for c in ("id", "kind", "name", "district"))
    else:
        data = [initiative_public(G, n, show_names=show, with_participants=False)
                for n in nodes[:args.limit]]
        rows = [(i.id, i.name, i.district or "-", str(i.participant_count),
                 f"{len(i.coverage.covered)}/{len(i.required_categories)}") for i in data]
        header = tuple(t(f"col.{c}") for c in ("id", "name", "district", "participants",
                                                "covered"))
    body = {"data": [d.model_dump(mode="json") for d in data], "count": len(nodes)}
    emit(body, as_json, _table(header, rows, len(nodes), args.what, t))
    return 0


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], count: int, what: str,
           t) -> str:
    if not rows:
        return t(f"none.{what}")
    widths = [max(len(str(r[i])) for r in (header, *rows)) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
             for r in (header, *rows)]
    if count > len(rows):
        lines.append(t("shown", shown=len(rows), count=count))
    return "\n".join(lines)
