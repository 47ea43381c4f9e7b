"""Analysis commands: ``graphsvc match|team|pairs|gaps|paths|brokers|communities|profile``.

Each is a thin shell over one library function; ``--json`` prints the function's answer.
"""

from __future__ import annotations

import argparse

from graphsvc.cli._common import emit, read_graph
from graphsvc.i18n import capital, class_name, kind_name, register, term, tie_name
from graphsvc.settings import Settings

MESSAGES = register(__name__, {
    "nb": {
        "match": "{count} av {candidates} mulige tilbud (samme eller beslektet kategori) for "
                 "{category}{where}",
        "match_none": "Ingen tilbud (samme eller beslektet kategori) for {category}{where}",
        "in": " i {district}",
        "score": "poeng {score:.2f}",
        "pairs": "{n} gjensidige par (hver tilbyr noe den andre trenger)",
        "unmet": "Udekkede behov:",
        "shortfall": "Flere behov enn tilbud:",
        "groups": "Grupper med svakest bånd:",
        "no_centre": "Grender uten frivilligsentral:",
        "volunteering": "Frivillig innsats etter organisasjonstype:",
        "none": "(ingen)",
        "brokers": "Brobyggere, de {n} fremste (grupper: {groups}; {mode})",
        "brokers_none": "Ingen aktører å rangere som brobyggere",
        "exact": "nøyaktig beregnet",
        "sampled": "anslått fra {sources} tilfeldige startpunkter",
        "bound": "hver verdi ligger innenfor ±{epsilon} av den nøyaktige, med {confidence} % "
                 "sikkerhet",
        "no_grouping": "ingen, alle par teller",
        "communities": "{count} fellesskap, {silos} {silos:silo|siloer}; viser de {listed} med "
                       "minst {min} aktører",
    },
    "en": {
        "match": "{count} of {candidates} candidate {candidates:offer|offers} (same or related "
                 "category) for {category}{where}",
        "match_none": "No offers (same or related category) for {category}{where}",
        "in": " in {district}",
        "score": "score {score:.2f}",
        "pairs": "{n} reciprocal {n:pair|pairs} (each offers something the other needs)",
        "unmet": "Unmet needs:",
        "shortfall": "More needs than offers:",
        "groups": "Groups with the weakest ties:",
        "no_centre": "Districts without a volunteer centre:",
        "volunteering": "Volunteering by organisation type:",
        "none": "(none)",
        "brokers": "Bridge builders, the top {n} (groups: {groups}; {mode})",
        "brokers_none": "No actors to rank as bridge builders",
        "exact": "computed exactly",
        "sampled": "estimated from {sources} sampled starting points",
        "bound": "every value lies within ±{epsilon} of the exact one, with {confidence} % "
                 "confidence",
        "no_grouping": "none, every pair counts",
        "communities": "{count} {count:community|communities}, {silos} {silos:silo|silos}; "
                       "showing the {listed} with at least {min} actors",
    },
})


def _lang(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=["nb", "en"], default=None, help="default nb (bokmål)")


def register(sub, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("match", parents=[common], help="who can meet a need")
    p.add_argument("category", help="need category, e.g. help.transport")
    p.add_argument("--district", help="where the need is")
    p.add_argument("--seeker", metavar="ID", help="the actor with the need")
    p.add_argument("--capacity", type=int, help="how much is needed (people or hours a month)")
    p.add_argument("--availability", help="when it is needed, e.g. kveld")
    p.add_argument("--limit", type=int, default=10)
    _lang(p)
    p.set_defaults(handler=cmd_match)

    p = sub.add_parser("team", parents=[common], help="a team covering an initiative's needs")
    p.add_argument("initiative", help="initiative id")
    p.add_argument("--category", action="append", dest="categories", metavar="CODE",
                   help="cover this category instead (repeatable)")
    p.add_argument("--max-size", type=int, default=6)
    _lang(p)
    p.set_defaults(handler=cmd_team)

    p = sub.add_parser("pairs", parents=[common], help="reciprocal pairs (each offers what "
                                                        "the other needs)")
    p.add_argument("--actor", metavar="ID", help="only pairs with this actor")
    p.add_argument("--district", help="only this district")
    p.add_argument("--limit", type=int, default=20)
    _lang(p)
    p.set_defaults(handler=cmd_pairs)

    p = sub.add_parser("gaps", parents=[common], help="unmet needs and missing ties")
    p.add_argument("--district", help="only this district")
    p.add_argument("--hops", type=int, default=None, help="steps within which a group counts "
                                                          "as linked to authority (default 3)")
    p.add_argument("--limit", type=int, default=10, help="items shown per list")
    _lang(p)
    p.set_defaults(handler=cmd_gaps)

    p = sub.add_parser("paths", parents=[common], help="the best path of trusted ties")
    p.add_argument("source", help="actor id the path starts from")
    p.add_argument("target", nargs="?", help="actor id; leave out for the linking path to the "
                                             "municipality")
    p.add_argument("--service", help="linking path to this service (id or part of its name)")
    p.add_argument("--alternatives", type=int, default=2)
    _lang(p)
    p.set_defaults(handler=cmd_paths)

    p = sub.add_parser("brokers", parents=[common], help="the bridge builders (brobyggere)")
    p.add_argument("--by", default="community",
                   help="what a group is: community, district, age_band, kind or none")
    p.add_argument("--top", type=int, default=20)
    p.add_argument("--kind", action="append", dest="kinds", help="only this actor kind "
                                                                 "(repeatable)")
    p.add_argument("--sources", type=int, metavar="K",
                   help="estimate from K sampled starting points instead of computing exactly "
                        "(graphs above 3 000 actors are sampled anyway); the bound is printed")
    _lang(p)
    p.set_defaults(handler=cmd_brokers)

    p = sub.add_parser("communities", parents=[common], help="communities and silos")
    p.add_argument("--resolution", type=float, default=1.0,
                   help="lower gives fewer, larger communities")
    p.add_argument("--min-size", type=int, default=2)
    _lang(p)
    p.set_defaults(handler=cmd_communities)

    p = sub.add_parser("profile", parents=[common], help="an actor's social capital")
    p.add_argument("actor", help="actor id")
    _lang(p)
    p.set_defaults(handler=cmd_profile)


def _lang_of(args, settings: Settings) -> str:
    return args.lang or settings.lang


def _opts(args, settings: Settings) -> dict:
    from graphsvc.analysis import load_rules

    return {"rules": load_rules(settings.social_capital_rules),
            "show_names": settings.show_names, "lang": _lang_of(args, settings)}


def _percent(share: float) -> int | float:
    """``0.9`` → ``90``, ``0.995`` → ``99.5``: a whole percent without a decimal."""
    value = round(100 * share, 1)
    return int(value) if value == int(value) else value


def _who(actor: dict, lang: str) -> str:
    """``Name (kind, district)`` in the reader's words."""
    where = [kind_name(actor.get("kind"), lang)] + ([actor["district"]]
                                                    if actor.get("district") else [])
    return f"{actor['name']} ({', '.join(where)})"


def _section(lines: list[str], heading: str, items: list[str], lang: str) -> None:
    lines.append("\n" + heading)
    lines.extend(f"  {i}" for i in items) if items else lines.append(
        "  " + MESSAGES("none", lang))


def cmd_match(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import match_need

    lang = _lang_of(args, settings)
    msg = MESSAGES.bind(lang)
    G = read_graph(settings)
    out = match_need(G, args.category, district=args.district, seeker=args.seeker,
                     limit=args.limit, capacity=args.capacity, availability=args.availability,
                     show_names=settings.show_names, lang=lang)
    where = msg("in", district=out["query"]["district"]) if out["query"]["district"] else ""
    lines = [msg("match" if out["count"] else "match_none", count=out["count"],
                 candidates=out["candidates"], category=out["query"]["category_name"],
                 where=where)]
    for r in out["results"]:
        lines.append(f"{r['rank']:>3}. {_who(r['actor'], lang)} – {msg('score', score=r['score'])}")
        lines.extend(f"       {e}" for e in r["explanation"])
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_team(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import build_team

    lang = _lang_of(args, settings)
    out = build_team(read_graph(settings), args.initiative, categories=args.categories,
                     max_size=args.max_size, show_names=settings.show_names, lang=lang)
    lines = [f"{out['initiative']['name']}: {out['explanation']}"]
    for i, m in enumerate(out["team"], 1):
        lines.append(f"{i:>3}. {_who(m['actor'], lang)}")
        lines.extend(f"       {e}" for e in m["explanation"])
    lines.extend(f"  ! {g['explanation']}" for g in out["uncovered"])
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_pairs(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import reciprocal_pairs

    lang = _lang_of(args, settings)
    out = reciprocal_pairs(read_graph(settings), actor=args.actor, district=args.district,
                           limit=args.limit, show_names=settings.show_names, lang=lang)
    lines = [MESSAGES("pairs", lang, n=out["count"])]
    lines.extend(f"  - {p['explanation']}" for p in out["pairs"])
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_gaps(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import gaps_report

    lang = _lang_of(args, settings)
    msg = MESSAGES.bind(lang)
    out = gaps_report(read_graph(settings), district=args.district, k=args.hops,
                      limit=args.limit, **_opts(args, settings))
    lines = [f"- {e}" for e in out["explanation"]]
    _section(lines, msg("unmet"), [i["explanation"] for i in out["unmet_needs"]["items"]], lang)
    _section(lines, msg("shortfall"), [i["explanation"] for i in out["demand_supply"]["items"]],
             lang)
    _section(lines, msg("groups"), [g["explanation"] for g in out["groups"]["weakest"]], lang)
    _section(lines, msg("no_centre"), [f"{d['district']}: {d['explanation']}"
                                       for d in out["districts"]["without_frivilligsentral"]],
             lang)
    _section(lines, msg("volunteering"), [*out["volunteering"]["assumptions"],
                                          *(s["explanation"]
                                            for s in out["volunteering"]["sectors"])], lang)
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_paths(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import linking_path, path_between

    lang = _lang_of(args, settings)
    G = read_graph(settings)
    if args.target:
        out = path_between(G, args.source, args.target, alternatives=args.alternatives,
                           **_opts(args, settings))
    else:
        out = linking_path(G, args.source, service=args.service,
                           alternatives=args.alternatives, **_opts(args, settings))
    lines = [out["explanation"]]
    for p in out["paths"]:
        lines.append(f"\n{p['label']}: {p['explanation']}")
        lines.extend(f"  {h['from']['name']} – {h['to']['name']} ({tie_name(h['tie'], lang)}, "
                     f"{class_name(h['class'], lang)}): {h['explanation']}" for h in p["hops"])
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_brokers(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import brokers

    lang = _lang_of(args, settings)
    msg = MESSAGES.bind(lang)
    out = brokers(read_graph(settings), by=args.by, top=args.top,
                  kinds=tuple(args.kinds) if args.kinds else None, k=args.sources,
                  **_opts(args, settings))
    mode = msg("exact") if out["exact"] else msg("sampled", sources=out["sources"])
    groups = msg("no_grouping") if out["by"] == "none" else term(out["by"], lang, 2)
    lines = [msg("brokers", n=out["count"], groups=groups, mode=mode) if out["count"]
             else msg("brokers_none")]
    if out["count"] and (bound := out.get("approximation")):
        lines.append("  " + capital(msg("bound", epsilon=round(float(bound["epsilon"]), 3),
                                        confidence=_percent(1 - bound["delta"]))))
    for r in out["results"]:
        lines.append(f"{r['rank']:>3}. {_who(r['actor'], lang)}")
        lines.extend(f"       {e}" for e in r["explanation"])
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_communities(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import communities

    lang = _lang_of(args, settings)
    out = communities(read_graph(settings), resolution=args.resolution,
                      min_size=args.min_size, **_opts(args, settings))
    lines = [MESSAGES("communities", lang, count=out["count"], silos=out["silos"],
                      listed=out["listed"], min=args.min_size)]
    for c in out["communities"]:
        lines.extend(f"  {e}" for e in c["explanation"])
    emit(out, as_json, "\n".join(lines))
    return 0


def cmd_profile(args, settings: Settings, as_json: bool) -> int:
    from graphsvc.analysis import social_capital_profile

    lang = _lang_of(args, settings)
    out = social_capital_profile(read_graph(settings), args.actor, **_opts(args, settings))
    lines = [_who(out["actor"], lang)]
    lines.extend(f"  {e}" for e in out["explanation"])
    lines.extend(f"  - {t['other']['name']} ({tie_name(t['kind'], lang)}, "
                 f"{class_name(t['class'], lang)}): {t['explanation']}"
                 for t in out["ties"] or [])
    emit(out, as_json, "\n".join(lines))
    return 0
