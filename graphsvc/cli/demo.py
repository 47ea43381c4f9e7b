"""``graphsvc demo``: the fictional Fjordvik community, end to end."""

from __future__ import annotations

import argparse
import time
from collections import Counter
from pathlib import Path

from graphsvc.cli._common import emit, open_store, serve_options, step
from graphsvc.errors import ConfigError
from graphsvc.i18n import kind_name, register
from graphsvc.settings import Settings

MESSAGES = register(__name__, {
    "nb": {
        "generating": "Lager demo-lokalsamfunnet Fjordvik ({n} aktører, frø {seed}) …",
        "writing": "Skriver det til {store} …",
        "drawing": "Tegner kartet og utskriften …",
        "summary": "Demo-lokalsamfunnet Fjordvik i {store} (revisjon {revision})",
        "actors": "  aktører: {kinds}",
        "counts": "  {initiatives} initiativ, {resources} tilbud, {needs} behov, {ties} bånd, "
                  "{districts} {districts:grend|grender}",
        "map": "  kart:      {path}",
        "print": "  utskrift:  {path}",
        "question": "Hvem kan gi {category} i {district}?",
    },
    "en": {
        "generating": "Generating the Fjordvik demo community ({n} actors, seed {seed}) …",
        "writing": "Writing it to {store} …",
        "drawing": "Drawing the map and the printout …",
        "summary": "Fjordvik demo community in {store} (revision {revision})",
        "actors": "  actors: {kinds}",
        "counts": "  {initiatives} {initiatives:initiative|initiatives}, {resources} "
                  "{resources:offer|offers}, {needs} {needs:need|needs}, {ties} {ties:tie|ties}, "
                  "{districts} {districts:district|districts}",
        "map": "  map:       {path}",
        "print": "  printout:  {path}",
        "question": "Who can give {category} in {district}?",
    },
})


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("demo", parents=[common], help="load the fictional demo community "
                       "(Fjordvik), print a summary, write the map and the printout")
    p.add_argument("--actors", type=int, default=1000, help="size, 100 to 100000 (default 1000)")
    p.add_argument("--seed", type=int, default=42, help="random seed (default 42)")
    p.add_argument("--out", default="graphsvc-out", help="folder for the map and printout "
                   "(default graphsvc-out)")
    p.add_argument("--reset", action="store_true", help="empty the store first")
    p.add_argument("--serve", action="store_true", help="then serve the API and the map")
    serve_options(p)
    p.add_argument("--lang", choices=["nb", "en"], default=None,
                   help="language of the summary, map and printout (default nb, bokmål; "
                        "env GRAPHSVC_LANG)")
    p.set_defaults(handler=cmd_demo)


def cmd_demo(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import match_need
    from graphsvc.cli.serve import cmd_serve
    from graphsvc.cli.views import write_map, write_print
    from loaders import demo as demo_module
    from loaders.demo import DISTRICT_FILES, KOMMUNE, generate_community
    from loaders.districts import apply_districts

    lang = getattr(args, "lang", None) or settings.lang
    msg = MESSAGES.bind(lang)
    store = open_store(settings)
    if args.reset:
        store.clear()
    step(msg("generating", n=args.actors, seed=args.seed), as_json)
    try:
        batch = generate_community(args.actors, seed=args.seed, located=True)
    except ValueError as exc:
        raise ConfigError(str(exc)) from exc
    step(msg("writing", store=settings.store), as_json)
    started = time.perf_counter()
    store.write(batch)
    # Organisations get their districts from Fjordvik's district files, as a real kommune's do.
    folder = Path(demo_module.__file__).parent / "demo_districts"
    districts_report = apply_districts(store, [folder / f for f in DISTRICT_FILES],
                                       kommune=KOMMUNE, lang=lang)
    write_s = time.perf_counter() - started
    G = store.to_networkx()
    kinds = Counter(d.get("kind") for _n, d in G.nodes(data=True))
    districts = sorted({d["district"] for _n, d in G.nodes(data=True) if d.get("district")})
    example = match_need(G, "help.transport", district=districts[0] if districts else None,
                         limit=3, show_names=settings.show_names, lang=lang)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    map_path, pdf_path = out / "fjordvik-map.html", out / "fjordvik-network.pdf"
    step(msg("drawing"), as_json)
    write_map(G, map_path, settings, None, lang)
    write_print(G, pdf_path, settings, None, lang, "A3", "landscape")
    summary = {
        "store": settings.store,
        "revision": districts_report["revision"],
        "district_assignment": {k: v for k, v in districts_report["kommuner"][0].items()
                                if k in ("actors", "with_district", "by_rule")},
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
        msg("summary", store=settings.store, revision=summary["revision"]),
        msg("actors", kinds=", ".join(f"{v} {kind_name(k, lang, v)}"
                                      for k, v in summary["actors"].items())),
        msg("counts", initiatives=summary["initiatives"], resources=len(batch.resources),
            needs=len(batch.needs), ties=summary["ties"], districts=len(districts)),
        msg("map", path=map_path),
        msg("print", path=pdf_path),
        msg("question", category=example["query"]["category_name"].lower(),
            district=districts[0] if districts else "-"),
        *(f"  {r['rank']}. {r['actor']['name']} ({kind_name(r['actor']['kind'], lang)}) – "
          + "; ".join(r["explanation"][-1:]) for r in example["results"]),
    ]
    emit(summary, as_json, "\n".join(lines))
    if args.serve:
        return cmd_serve(args, settings, as_json, store=store)
    store.close()
    return 0


