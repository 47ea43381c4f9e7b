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

from graphsvc.cli._common import cli_lang, emit, open_store
from graphsvc.errors import ImportFailed, RowError
from graphsvc import i18n
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
    p.add_argument("--lang", choices=["nb", "en"], default=None,
                   help="language of the report and its reasons (default nb, bokmål; "
                        "env GRAPHSVC_LANG)")
    p.add_argument("--max-rows", type=_positive, metavar="N",
                   help="rows one import may read, all files together (default 3000000; "
                        "env GRAPHSVC_MAX_IMPORT_ROWS)")
    p.add_argument("--max-records", type=_positive, metavar="N",
                   help="records one import may keep to write (default 1000000; env "
                        "GRAPHSVC_MAX_IMPORT_RECORDS)")
    p.add_argument("--max-decompressed-mb", type=_positive, metavar="MB",
                   help="megabytes one file may give after decompression (default 4096; env "
                        "GRAPHSVC_MAX_DECOMPRESSED_MB)")
    p.set_defaults(handler=cmd_load)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cmd_load(args, settings: Settings, as_json: bool) -> int:
    from loaders.importer import import_files

    lang = cli_lang(args, settings)
    for p in args.paths:
        if not Path(p).is_file():
            raise ImportFailed("error.no_such_file", file=p)
    bar = ProgressBar(sys.stderr) if sys.stderr.isatty() else None
    store = open_store(settings)
    try:
        report = import_files(store, args.paths, fmt=args.fmt, strict=args.strict,
                              kommuner=args.kommuner, kind=args.kind, category=args.category,
                              include=args.include,
                              workshop=args.workshop, progress=bar, lang=lang,
                              limits=_limits(args, settings))
        lacks = _coverage(store, lang)  # the first thing a planner needs to know next
    finally:
        if bar:
            bar.close()
        store.close()
    report["coverage"] = {k: lacks[k] for k in ("totals", "invite", "explanation")}
    from graphsvc.cli.coverage import summary

    emit(report, as_json, "\n".join([render(report, lang), *summary(lacks, lang)]))
    return SOME_REJECTED if report["rejected"] else 0


def _limits(args, settings: Settings):
    """The loader limits: the options, else the settings (docs/loaders.md "Limits")."""
    from loaders.streams import Limits

    return Limits().but(
        max_rows=args.max_rows or settings.max_import_rows,
        max_records=args.max_records or settings.max_import_records,
        max_bytes=(args.max_decompressed_mb or settings.max_decompressed_mb) << 20)


def _coverage(store, lang: str) -> dict[str, Any]:
    """What the map still lacks after this load (``graphsvc coverage``), for its summary."""
    from graphsvc.analysis import coverage

    return coverage(store.to_networkx(), limit=5, lang=lang)


MESSAGES = i18n.register(__name__, {
    "nb": {
        "outcome.changed": "lagret som revisjon {revision}",
        "outcome.unchanged": "ingenting endret seg, så ingenting ble skrevet (revisjon "
                             "{revision})",
        "read": "Leste {rows} {rows:rad|rader} fra {files} {files:fil|filer}; {outcome}.",
        "file": "  {file} ({format}): {rows} {rows:rad|rader}, {rejected} avvist",
        "file.ties": ", {ties} {ties:bånd|bånd} utelatt",
        "kind.actors": "aktører",
        "kind.initiatives": "initiativ",
        "kind.resources": "tilbud",
        "kind.needs": "behov",
        "kind.ties": "bånd",
        "counts": "  {kind:<11} nye {created:>5}  endret {updated:>5}  uendret {unchanged:>5}",
        "skipped": "{n} {n:oppføring|oppføringer} hoppet over (ikke lastet):",
        "no_actor": "organisasjonsnumre uten aktør: {orgnrs}",
        "more": " og {n} til",
        "matched": "{n} {n:person|personer} kjent igjen som allerede lagret (samme id):",
        "duplicates": "{n} {n:person|personer} kan allerede være lagret med en annen id (samme "
                      "navn, grend og kommune); gi i så fall raden den id-en i kolonnen 'id':",
        "looks_like": "  {file}:{line}: {id} ligner {others}",
        "rows": "{n} {n:rad|rader} avvist (ikke lastet):",
        "ties": "{n} {n:bånd|bånd} utelatt (resten av raden ble lastet):",
        "ignored": "    ubrukte kolonner: {columns}",
        "enrich.ties": "Bånd registrene kjenner: {n} ({how})",
        "enrich.ties.rule.subunit-of-main-unit": "underenhet til hovedenhet",
        "enrich.ties.rule.municipal-unit": "kommunal enhet til kommunen",
        "enrich.ties.rule.frivilligsentral-municipal": "frivilligsentral til kommunen",
        "enrich.ties.rule.branch-of-national": "lokallag til landsorganisasjon",
        "enrich.ties.rule.unit-of-parent": "enhet til overordnet enhet",
        "enrich.ties.parents": "  {n} {n:overordnet enhet|overordnede enheter} er ikke lastet, "
                               "så {n:dens|deres} underenheter står uten bånd oppover",
        "enrich.offers": "Tilbud fra registrene (ikke bekreftet): {new} {new:nytt|nye}, "
                         "{withdrawn} trukket tilbake; {with_offers} av {actors} "
                         "organisasjoner har minst ett tilbud",
        "enrich.offers.none": "  uten tilbud: {ids}",
        "enrich.districts": "Grender i kommune {knr}: {with_district} av {actors} "
                            "{actors:aktør|aktører} har grend ({polygon} etter koordinater, "
                            "{postnummer} etter postnummer, {given} satt for hånd)",
        "enrich.districts.adopted": "  {n} {n:aktør|aktører} uten kommunenummer "
                                    "{n:ligger|ligger} i kommunens grender og hører nå til den",
        "enrich.districts.none": "  uten grend: {ids}",
        "enrich.merged": "Slått sammen med en aktør fra registeret: {n}",
        "enrich.merged.one": "  {id} → {into}",
        "enrich.uncertain": "{n} {n:mulig dublett|mulige dubletter} å avgjøre (samme organisasjon? "
                            "bekreft med 'graphsvc merge A B', eller 'graphsvc keep-apart A B'):",
        "enrich.uncertain.one": "  {id} ({name}) ~ {candidate} ({candidate_name}): {why}",
        "why.name": "navnelikhet {score} %",
        "why.address": "samme adresse",
        "why.distance": "{m} m fra hverandre",
    },
    "en": {
        "outcome.changed": "store revision {revision}",
        "outcome.unchanged": "nothing changed, so nothing was written (store revision "
                             "{revision})",
        "read": "Read {rows} {rows:row|rows} from {files} {files:file|files}; {outcome}.",
        "file": "  {file} ({format}): {rows} {rows:row|rows}, {rejected} rejected",
        "file.ties": ", {ties} {ties:tie|ties} left out",
        "kind.actors": "actors",
        "kind.initiatives": "initiatives",
        "kind.resources": "resources",
        "kind.needs": "needs",
        "kind.ties": "ties",
        "counts": "  {kind:<11} created {created:>5}  updated {updated:>5}  "
                  "unchanged {unchanged:>5}",
        "skipped": "{n} {n:entity|entities} skipped (not loaded):",
        "no_actor": "orgnrs with no actor: {orgnrs}",
        "more": " and {n} more",
        "matched": "{n} {n:person|people} matched to people already stored (same id):",
        "duplicates": "{n} {n:person|people} may already be stored under another id (same "
                      "name, district and municipality); give the row that 'id' if so:",
        "looks_like": "  {file}:{line}: {id} looks like {others}",
        "rows": "{n} {n:row|rows} rejected (not loaded):",
        "ties": "{n} {n:tie|ties} left out (the rest of the row loaded):",
        "ignored": "    columns not used: {columns}",
        "enrich.ties": "Ties the registers know: {n} ({how})",
        "enrich.ties.rule.subunit-of-main-unit": "sub-unit to main unit",
        "enrich.ties.rule.municipal-unit": "municipal unit to the municipality",
        "enrich.ties.rule.frivilligsentral-municipal": "volunteer centre to the municipality",
        "enrich.ties.rule.branch-of-national": "local branch to national organisation",
        "enrich.ties.rule.unit-of-parent": "unit to its parent unit",
        "enrich.ties.parents": "  {n} parent {n:unit is|units are} not loaded, so {n:its|their} "
                               "sub-units have no tie upwards",
        "enrich.offers": "Offers from the registers (not confirmed): {new} new, {withdrawn} "
                         "withdrawn; {with_offers} of {actors} organisations have at least one",
        "enrich.offers.none": "  without offers: {ids}",
        "enrich.districts": "Districts in municipality {knr}: {with_district} of {actors} "
                            "{actors:actor has|actors have} a district ({polygon} by "
                            "coordinates, {postnummer} by postnummer, {given} set by hand)",
        "enrich.districts.adopted": "  {n} {n:actor|actors} with no municipality number "
                                    "{n:lies|lie} in its districts and now {n:belongs|belong} "
                                    "to it",
        "enrich.districts.none": "  without a district: {ids}",
        "enrich.merged": "Merged with an actor from the register: {n}",
        "enrich.merged.one": "  {id} → {into}",
        "enrich.uncertain": "{n} possible {n:duplicate|duplicates} to decide (the same "
                            "organisation? confirm with 'graphsvc merge A B', or 'graphsvc "
                            "keep-apart A B'):",
        "enrich.uncertain.one": "  {id} ({name}) ~ {candidate} ({candidate_name}): {why}",
        "why.name": "names {score} % alike",
        "why.address": "same address",
        "why.distance": "{m} m apart",
    },
})


def render(report: dict[str, Any], lang: str | None = None) -> str:
    """The import report as a person reads it, in ``lang`` (default bokmål). The report's
    reasons are in the language it was made in (``import_files(lang=…)``)."""
    t = MESSAGES.bind(lang)
    w = report["written"]
    changed = any(w["created"].values()) or any(w["updated"].values())
    outcome = t("outcome.changed" if changed else "outcome.unchanged", revision=w["revision"])
    lines = [t("read", rows=report["rows_read"], files=len(report["files"]), outcome=outcome)]
    for f in report["files"]:
        ties = t("file.ties", ties=f["ties_rejected"]) if f.get("ties_rejected") else ""
        lines.append(t("file", file=f["file"], format=f["format"], rows=f["rows_read"],
                       rejected=f["rejected"]) + ties)
        if f.get("ignored_columns"):
            lines.append(t("ignored", columns=", ".join(f["ignored_columns"])))
    for kind in ("actors", "initiatives", "resources", "needs", "ties"):
        lines.append(t("counts", kind=t(f"kind.{kind}"), created=w["created"].get(kind, 0),
                       updated=w["updated"].get(kind, 0),
                       unchanged=w["unchanged"].get(kind, 0)))
    if report["skipped"]:
        lines.append(t("skipped", n=sum(report["skipped"].values())))
        for reason, n in report["skipped"].items():
            lines.append(f"  {n:>7}  {reason}")
    if report["orgnrs_without_actor"]:
        shown = report["orgnrs_without_actor"][:20]
        more = len(report["orgnrs_without_actor"]) - len(shown)
        tail = t("more", n=more) if more else ""
        lines.append(t("no_actor", orgnrs=", ".join(shown)) + tail)
    people = report.get("people") or {}
    if people.get("matched"):
        lines.append(t("matched", n=len(people["matched"])))
        lines.extend(f"  {p['file']}:{p['line']}: {p['id']}" for p in people["matched"])
    if people.get("likely_duplicates"):
        lines.append(t("duplicates", n=len(people["likely_duplicates"])))
        lines.extend(t("looks_like", file=p["file"], line=p["line"], id=p["id"],
                       others=", ".join(p["others"])) for p in people["likely_duplicates"])
    lines.extend(_enrichment(report.get("enrichment") or {}, t, lang))
    for left_out in ("row", "tie"):
        problems = [r for r in report["rejected"] if r.get("left_out", "row") == left_out]
        if not problems:
            continue
        count = len({(r["file"], r["line"]) for r in problems}) if left_out == "row" \
            else len(problems)
        lines.append(t(f"{left_out}s", n=count))
        for r in problems:
            lines.append("  " + RowError(r["file"], r["line"], r["field"], r["reason"]).in_(lang))
    return "\n".join(lines)


def _shown(ids: list[str], t: Any, names: dict[str, str] | None = None, most: int = 10) -> str:
    """The first ``most`` by name (an individual, who has none here, by id), and how many more."""
    more = len(ids) - most
    said = [(names or {}).get(i) or i for i in ids[:most]]
    return "; ".join(said) + (t("more", n=more) if more > 0 else "")


def _enrichment(e: dict[str, Any], t: Any, lang: str | None) -> list[str]:
    """What the enrichment steps derived (loaders/enrich), as the planner needs to check it."""
    lines: list[str] = []
    ties = e.get("ties") or {}
    if ties.get("ties"):
        how = i18n.join([f"{n} {t('enrich.ties.rule.' + rule)}" for rule, n in
                         ties["ties"].items()], lang or i18n.DEFAULT_LANG)
        lines.append(t("enrich.ties", n=sum(ties["ties"].values()), how=how))
    if ties.get("parent_not_loaded"):
        lines.append(t("enrich.ties.parents", n=len(ties["parent_not_loaded"])))
    merge = e.get("merge") or {}
    if merge.get("merged"):
        lines.append(t("enrich.merged", n=len(merge["merged"])))
        lines.extend(t("enrich.merged.one", id=m["id"], into=m["into"])
                     for m in merge["merged"][:20])
    if merge.get("uncertain"):
        lines.append(t("enrich.uncertain", n=len(merge["uncertain"])))
        for u in merge["uncertain"]:
            why = [t("why.name", score=round(u["name_score"]))] if "name_score" in u else []
            if u.get("same_address"):
                why.append(t("why.address"))
            if u.get("distance_m") is not None:
                why.append(t("why.distance", m=round(u["distance_m"])))
            lines.append(t("enrich.uncertain.one", id=u["id"], name=u["name"],
                           candidate=u["candidate"], candidate_name=u["candidate_name"],
                           why=", ".join(why)))
    for knr, d in sorted((e.get("districts") or {}).items()):
        rules = d.get("by_rule", {})
        lines.append(t("enrich.districts", knr=knr, with_district=d["with_district"],
                       actors=d["actors"], polygon=rules.get("polygon", 0),
                       postnummer=rules.get("postnummer", 0), given=rules.get("given", 0)))
        if d.get("adopted"):
            lines.append(t("enrich.districts.adopted", n=d["adopted"]))
        if d.get("without_district"):
            lines.append(t("enrich.districts.none",
                           ids=_shown(d["without_district"], t, d.get("names"))))
    offers = e.get("offers") or {}
    if offers.get("actors"):
        lines.append(t("enrich.offers", new=offers["offers"], withdrawn=offers.get("withdrawn", 0),
                       with_offers=offers["with_offers"], actors=offers["actors"]))
        if offers.get("without_offers"):
            lines.append(t("enrich.offers.none",
                           ids=_shown(offers["without_offers"], t, offers.get("names"))))
    return lines


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
