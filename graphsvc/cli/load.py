"""``graphsvc load``: files into the store, with an import report (text, or ``--json``), and a
progress bar on stderr when stderr is a terminal.

Exit status: 0 everything loaded; 3 loaded, but some rows or ties were rejected (listed in the
report); 1 nothing was written (a file could not be read, every row was rejected, or
``--strict`` and something was rejected)."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from graphsvc.cli._common import emit, open_store
from graphsvc.errors import ImportFailed
from graphsvc.settings import Settings
from loaders.detect import FORMATS

SOME_REJECTED = 3  # the exit status when rows were loaded but some were rejected


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser(
        "load", parents=[common],
        help="load files: Enhetsregisteret, Frivillighetsregisteret, open data, kommune codes, "
             "workshop sheets")
    p.add_argument("paths", nargs="+", metavar="PATH")
    p.add_argument("--format", dest="fmt", choices=FORMATS,
                   help="default: detected from each file's content")
    p.add_argument("--kommune", dest="kommuner", action="extend", nargs="+", metavar="CODE",
                   help="keep only records in these kommuner (4-digit kommunenummer)")
    p.add_argument("--kind", help="open data: the actor kind of every row when the file has "
                                  "no 'type' column (e.g. institution)")
    p.add_argument("--category", help="open data: a taxonomy category for every row when the "
                                      "file has no 'kategori' column (e.g. social.meetingplace)")
    p.add_argument("--include", action="append", choices=["business"], default=None,
                   help="Enhetsregisteret: also load these kinds, which are otherwise counted "
                        "in the report (business: shops, companies, private practices)")
    p.add_argument("--workshop", metavar="NAME",
                   help="workshop sheets: the workshop of rows with no 'verksted' column value; "
                        "it scopes the ids of people (default: their kommune)")
    p.add_argument("--strict", action="store_true",
                   help="write nothing if any row is rejected")
    p.set_defaults(handler=cmd_load)


def cmd_load(args, settings: Settings, as_json: bool) -> int:
    from loaders.importer import import_files

    for p in args.paths:
        if not Path(p).is_file():
            raise ImportFailed(f"{p}: no such file; nothing was written", file=p)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    store = open_store(settings)
    try:
        report = import_files(store, args.paths, fmt=args.fmt, strict=args.strict,
                              kommuner=args.kommuner, kind=args.kind, category=args.category,
                              include=args.include,
                              workshop=args.workshop, progress=bar)
    finally:
        if bar:
            bar.close()
        store.close()
    emit(report, as_json, render(report))
    return SOME_REJECTED if report["rejected"] else 0


def render(report: dict[str, Any]) -> str:
    """The import report as a person reads it."""
    w = report["written"]
    changed = any(w["created"].values()) or any(w["updated"].values())
    outcome = (f"store revision {w['revision']}" if changed else
               f"nothing changed, so nothing was written (store revision {w['revision']})")
    lines = [f"Read {report['rows_read']} row(s) from {len(report['files'])} file(s); {outcome}."]
    for f in report["files"]:
        ties = f", {f['ties_rejected']} tie(s) left out" if f.get("ties_rejected") else ""
        lines.append(f"  {f['file']} ({f['format']}): {f['rows_read']} row(s), "
                     f"{f['rejected']} rejected{ties}")
    for kind in ("actors", "initiatives", "resources", "needs", "ties"):
        lines.append(f"  {kind:<11} created {w['created'].get(kind, 0):>5}  "
                     f"updated {w['updated'].get(kind, 0):>5}  "
                     f"unchanged {w['unchanged'].get(kind, 0):>5}")
    if report["skipped"]:
        lines.append(f"{sum(report['skipped'].values())} entities skipped (not loaded):")
        for reason, n in report["skipped"].items():
            lines.append(f"  {n:>7}  {reason}")
    if report["orgnrs_without_actor"]:
        shown = report["orgnrs_without_actor"][:20]
        more = len(report["orgnrs_without_actor"]) - len(shown)
        tail = f" and {more} more" if more else ""
        lines.append("orgnrs with no actor: " + ", ".join(shown) + tail)
    people = report.get("people") or {}
    if people.get("matched"):
        lines.append(f"{len(people['matched'])} person(s) matched to people already stored "
                     "(same id):")
        lines.extend(f"  {p['file']}:{p['line']}: {p['id']}" for p in people["matched"])
    if people.get("likely_duplicates"):
        lines.append(f"{len(people['likely_duplicates'])} person(s) may already be stored under "
                     "another id (same name, district and kommune); give the row that 'id' if "
                     "so:")
        lines.extend(f"  {p['file']}:{p['line']}: {p['id']} looks like {', '.join(p['others'])}"
                     for p in people["likely_duplicates"])
    for left_out, heading in (("row", "row(s) rejected (not loaded)"),
                              ("tie", "tie(s) left out (the rest of the row loaded)")):
        problems = [r for r in report["rejected"] if r.get("left_out", "row") == left_out]
        if not problems:
            continue
        count = len({(r["file"], r["line"]) for r in problems}) if left_out == "row" \
            else len(problems)
        lines.append(f"{count} {heading}:")
        for r in problems:
            field = f" field '{r['field']}'" if r["field"] else ""
            lines.append(f"  {r['file']}:{r['line']}{field}: {r['reason']}")
    return "\n".join(lines)


class ProgressBar:
    """``name [#######.....]  45%  120.3/268.0 MB`` redrawn in place, at most 10 times a second."""

    def __init__(self, out: TextIO, width: int = 30) -> None:
        self.out, self.width = out, width
        self._last = 0.0
        self._drawn = False

    def __call__(self, name: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self._last < 0.1 and done < total:
            return
        self._last = now
        frac = min(done / total, 1.0) if total else 1.0
        filled = int(frac * self.width)
        self.out.write(f"\r{name[:30]} [{'#' * filled}{'.' * (self.width - filled)}] "
                       f"{frac:4.0%} {done / 1e6:.1f}/{total / 1e6:.1f} MB")
        self.out.flush()
        self._drawn = True

    def close(self) -> None:
        if self._drawn:
            self.out.write("\n")
            self.out.flush()
