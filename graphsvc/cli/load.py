"""``graphsvc load``: files into the store, with an import report."""

from __future__ import annotations

import argparse
from pathlib import Path

from graphsvc.cli._common import emit, open_store
from graphsvc.errors import ImportFailed
from graphsvc.settings import Settings


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("load", parents=[common], help="load files (workshop sheets .csv/.xlsx)")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", dest="fmt", choices=["workshop"], help="default: from the name")
    p.add_argument("--strict", action="store_true",
                   help="write nothing if any row is rejected")
    p.set_defaults(handler=cmd_load)


def cmd_load(args, settings: Settings, as_json: bool) -> int:
    from loaders.importer import import_files

    for p in args.paths:
        if not Path(p).is_file():
            raise ImportFailed(f"{p}: no such file; nothing was written", file=p)
    store = open_store(settings)
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
    emit(report, as_json, "\n".join(lines))
    return 0


