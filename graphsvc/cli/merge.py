"""``graphsvc merge KEEP OTHER`` and ``graphsvc keep-apart A B``: a person's answer to a pair
the import listed as uncertain (loaders/enrich/dedupe.py). Both are remembered and honoured on
every later import; ``merge`` also merges now, in one write."""

from __future__ import annotations

import argparse

from graphsvc import i18n
from graphsvc.cli._common import cli_lang, emit, open_store
from graphsvc.settings import Settings

MESSAGES = i18n.register(__name__, {
    "nb": {
        "merged": "{other} er slått sammen med {kept}: {ties} {ties:bånd|bånd}, {offers} "
                  "{offers:tilbud|tilbud} og {needs} {needs:behov|behov} flyttet (revisjon "
                  "{revision}); senere innlastinger av {other} havner på {kept}",
        "apart": "{a} og {b} holdes adskilt ved alle senere innlastinger (revisjon {revision})",
    },
    "en": {
        "merged": "{other} merged into {kept}: {ties} {ties:tie|ties}, {offers} "
                  "{offers:offer|offers} and {needs} {needs:need|needs} moved (store revision "
                  "{revision}); later loads of {other} land on {kept}",
        "apart": "{a} and {b} are kept apart on every later load (store revision {revision})",
    },
})


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("merge", parents=[common],
                       help="merge actor OTHER into KEEP now (ties, offers and needs move, OTHER "
                            "is erased) and on every later import")
    p.add_argument("keep", metavar="KEEP", help="id of the actor to keep")
    p.add_argument("other", metavar="OTHER", help="id of the duplicate to merge into it")
    p.add_argument("--lang", choices=["nb", "en"], default=None,
                   help="language of the answer (default nb, bokmål; env GRAPHSVC_LANG)")
    p.set_defaults(handler=cmd_merge)
    p = sub.add_parser("keep-apart", parents=[common],
                       help="remember that actors A and B are different organisations, so no "
                            "import merges or lists them again")
    p.add_argument("a", metavar="A", help="id of one actor")
    p.add_argument("b", metavar="B", help="id of the other")
    p.add_argument("--lang", choices=["nb", "en"], default=None,
                   help="language of the answer (default nb, bokmål; env GRAPHSVC_LANG)")
    p.set_defaults(handler=cmd_keep_apart)


def cmd_merge(args, settings: Settings, as_json: bool) -> int:
    from loaders.enrich.dedupe import merge_actors

    store = open_store(settings)
    try:
        r = merge_actors(store, args.keep, args.other)
    finally:
        store.close()
    t = MESSAGES.bind(cli_lang(args, settings))
    emit(r, as_json, t("merged", other=r["merged"], kept=r["kept"], ties=r["ties_moved"],
                       offers=r["resources_moved"], needs=r["needs_moved"],
                       revision=r["revision"]))
    return 0


def cmd_keep_apart(args, settings: Settings, as_json: bool) -> int:
    from loaders.enrich.dedupe import keep_apart

    store = open_store(settings)
    try:
        r = keep_apart(store, args.a, args.b)
    finally:
        store.close()
    t = MESSAGES.bind(cli_lang(args, settings))
    a, b = r["kept_apart"]
    emit(r, as_json, t("apart", a=a, b=b, revision=r["revision"]))
    return 0
