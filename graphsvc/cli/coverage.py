"""``graphsvc coverage``: what the map still lacks, per district, and whom to invite to the next
workshop; a thin shell over :func:`graphsvc.analysis.coverage`."""

from __future__ import annotations

from typing import Any

from graphsvc.cli._common import cli_lang, emit, read_graph
from graphsvc.i18n import join
from graphsvc.i18n import register as register_texts
from graphsvc.settings import Settings

MESSAGES = register_texts(__name__, {
    "nb": {
        "row": "{name}: {actors} {actors:aktør|aktører}, {ties} med bånd, {confirmed} med "
               "bekreftede tilbud, {derived} bare med tilbud fra registeret, {needs} med behov",
        "missing": "mangler: {what}",
        "invite": "Hvem bør inviteres til neste verksted:",
        "invite_none": "Ingen å foreslå å invitere",
        "short": "Neste verksted: {first}",
    },
    "en": {
        "row": "{name}: {actors} {actors:actor|actors}, {ties} with ties, {confirmed} with "
               "confirmed offers, {derived} with offers only from the register, {needs} with "
               "needs",
        "missing": "missing: {what}",
        "invite": "Whom to invite to the next workshop:",
        "invite_none": "Nobody to suggest inviting",
        "short": "Next workshop: {first}",
    },
})


def register(sub, common) -> None:
    p = sub.add_parser("coverage", parents=[common],
                       help="what the map still lacks, and whom to invite to the next workshop")
    p.add_argument("--district", help="only this district")
    p.add_argument("--limit", type=int, default=20, help="invitations shown")
    p.add_argument("--lang", choices=["nb", "en"], default=None, help="default nb (bokmål)")
    p.set_defaults(handler=cmd_coverage)


def render(out: dict[str, Any], lang: str) -> str:
    msg = MESSAGES.bind(lang)
    lines = list(out["explanation"])
    for d in out["districts"]:
        lines.append("  " + msg("row", name=d["name"], actors=d["actors"], ties=d["with_ties"],
                                confirmed=d["with_confirmed_offers"],
                                derived=d["with_derived_offers"], needs=d["with_needs"]))
        if d["missing"]:
            lines.append("    " + msg("missing", what="; ".join(m["explanation"]
                                                            for m in d["missing"])))
    lines.append(msg("invite") if out["invite"] else msg("invite_none"))
    lines.extend(f"  {n}. {i['name']}: {i['reason']}" for n, i in enumerate(out["invite"], 1))
    return "\n".join(lines)


def summary(out: dict[str, Any], lang: str) -> list[str]:
    """Three lines for the end of the load report."""
    msg = MESSAGES.bind(lang)
    missing = [f"{d['name']}: {m['explanation']}" for d in out["districts"] for m in d["missing"]]
    first = (f"{out['invite'][0]['name']}: {out['invite'][0]['reason']}" if out["invite"]
             else msg("invite_none"))
    shown = join(missing[:3], lang) + (" …" if len(missing) > 3 else "")
    return [out["explanation"][0], msg("missing", what=shown), msg("short", first=first)]


def cmd_coverage(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import coverage
    from graphsvc.snapshot import known_district

    lang = cli_lang(args, settings)
    G = read_graph(settings)
    district = known_district(G, args.district) if args.district else None
    out = coverage(G, district=district, limit=args.limit, lang=lang)
    emit(out, as_json, render(out, lang))
    return 0
