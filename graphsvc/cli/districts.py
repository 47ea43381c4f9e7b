"""``graphsvc districts FILE... [--kommune CODE]``: store a kommune's district definition and
give its actors their districts (loaders/districts.py); the report says who got none."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from graphsvc import i18n
from graphsvc.cli._common import cli_lang, emit, open_store
from graphsvc.errors import ImportFailed
from graphsvc.settings import Settings

MESSAGES = i18n.register(__name__, {
    "nb": {
        "summary": "Kommune {kommune}: {districts} {districts:grend|grender} fra {files} "
                   "(revisjon {revision})",
        "assigned": "  {with_district} av {actors} {actors:aktør|aktører} har en grend: "
                    "{polygon} etter koordinater, {postnummer} etter postnummer, {given} satt "
                    "for hånd",
        "missing": "  {n} {n:aktør|aktører} uten grend:",
        "line": "    {id}{name}: {reason}",
    },
    "en": {
        "summary": "Municipality {kommune}: {districts} {districts:district|districts} from "
                   "{files} (store revision {revision})",
        "assigned": "  {with_district} of {actors} {actors:actor|actors} have a district: "
                    "{polygon} by coordinates, {postnummer} by postnummer, {given} set by hand",
        "missing": "  {n} {n:actor|actors} without a district:",
        "line": "    {id}{name}: {reason}",
    },
})


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("districts", parents=[common],
                       help="store a kommune's districts (CSV postnummer;district and/or GeoJSON "
                            "polygons) and give its actors their district")
    p.add_argument("paths", nargs="+", metavar="FILE")
    p.add_argument("--kommune", metavar="CODE",
                   help="the kommune the districts belong to (4-digit kommunenummer), unless "
                        "the files have a kommunenummer column or property")
    p.add_argument("--lang", choices=["nb", "en"], default=None,
                   help="language of the report (default nb, bokmål; env GRAPHSVC_LANG)")
    p.set_defaults(handler=cmd_districts)


def cmd_districts(args, settings: Settings, as_json: bool) -> int:
    from loaders.districts import apply_districts

    lang = cli_lang(args, settings)
    for p in args.paths:
        if not Path(p).is_file():
            raise ImportFailed("error.no_such_file", file=p)
    store = open_store(settings)
    try:
        report = apply_districts(store, args.paths, kommune=args.kommune, lang=lang)
    finally:
        store.close()
    emit(report, as_json, render(report, lang))
    return 0


def render(report: dict[str, Any], lang: str | None = None, limit: int = 50) -> str:
    t = MESSAGES.bind(lang)
    lines = []
    for k in report["kommuner"]:
        lines.append(t("summary", kommune=k["kommunenummer"], districts=len(k["districts"]),
                       files=", ".join(k["files"]), revision=report["revision"]))
        lines.append(t("assigned", with_district=k["with_district"], actors=k["actors"],
                       **k["by_rule"]))
        if k["without_district"]:
            lines.append(t("missing", n=len(k["without_district"])))
            for m in k["without_district"][:limit]:
                lines.append(t("line", id=m["id"], name=f" ({m['name']})" if m.get("name") else "",
                               reason=m["reason"]))
            if len(k["without_district"]) > limit:
                lines.append(f"    … {len(k['without_district']) - limit}")
    return "\n".join(lines)
