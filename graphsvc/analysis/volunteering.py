"""Mapped volunteering by sector against the national rates (SSB), scaled by population.

Sectors are SSB's organisation types; an organisation gets its sector from its ICNPO category
(``icnpo:1200``) or, failing that, from keywords in its name (rules ``sectors``). See
docs/analysis/gaps.md for the assumptions.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import lru_cache
from importlib import resources
from typing import Any

import networkx as nx

from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.i18n import check_lang, register

VOLUNTEER_TIES = ("VOLUNTEERS_AT", "MEMBER_OF")

MESSAGES = register(__name__, {
    "nb": {
        "assume_pop": "Grafen har ikke befolkningstall; vi antar at de kartlagte enkeltpersonene "
                      "er grendas befolkning ({age} år), så tallene viser hvor stor andel av de "
                      "kartlagte som er kartlagt som frivillige, mot landssnittet",
        "given_pop": "Befolkning per grend er oppgitt",
        "proxy": "Medlemskap og frivillig innsats i en organisasjon regnes som frivillig arbeid "
                 "for den organisasjonstypen",
        "sector": "{sector}: {mapped} kartlagt, {expected} forventet etter landssnittet "
                  "({rate:g} %)",
    },
    "en": {
        "assume_pop": "The graph holds no population figures; we assume the mapped individuals "
                      "are the district's population ({age}), so the figures compare the share "
                      "of mapped individuals recorded as volunteers with the national rate",
        "given_pop": "Population per district was given",
        "proxy": "Membership of, or volunteering at, an organisation counts as voluntary work "
                 "for that organisation type",
        "sector": "{sector}: {mapped} mapped, {expected} expected from the national rate "
                  "({rate:g} %)",
    },
})
# SSB's organisation types are Norwegian data; their English names, for English answers.
SECTOR_EN = {
    "Idrett og sport": "Sports",
    "Velforeninger, grendelag og nærmiljø": "Residents' and neighbourhood associations",
    "Hobby, fritid, utendørsaktivitet og sosiale foreninger":
        "Hobbies, leisure, outdoor activities and social clubs",
    "Borettslag og boligbyggelag": "Housing cooperatives",
    "Kunst og kultur, korps og kor": "Arts and culture, bands and choirs",
    "Utdanning, opplæring og forskning": "Education, training and research",
    "Religion og livssyn, inkludert Den norske kirke":
        "Religion and belief, including the Church of Norway",
    "Yrkes-, bransje- og fagforeninger": "Professional, trade and labour associations",
    "Helse, pleie og redningsarbeid": "Health, care and rescue work",
    "Sosiale tjenester og rusmiddelomsorg": "Social services and substance abuse care",
}


def sector_name(sector: str, lang: str = "nb") -> str:
    """An SSB organisation type in the reader's language.

    >>> sector_name("Idrett og sport", "en")
    'Sports'
    """
    return SECTOR_EN.get(sector, sector) if check_lang(lang) == "en" else sector


@lru_cache(maxsize=4)
def national_rates(year: str = "y2023") -> dict[str, float]:
    """Share (percent) of the population volunteering per organisation type in ``year``.

    >>> national_rates()["Idrett og sport"]
    23.0
    """
    text = resources.files("graphsvc").joinpath("data/ssb_volunteering_by_org_type.csv") \
        .read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return {r["org_type"]: float(r[year]) for r in rows if r.get(year)}


def sector_of(attrs: Mapping[str, Any], rules: Rules) -> str | None:
    """The SSB organisation type of an organisation, by ICNPO code, else by name keyword.

    >>> r = load_rules()
    >>> sector_of({"name": "Holmen skolekorps", "kind": "association"}, r)
    'Kunst og kultur, korps og kor'
    >>> sector_of({"name": "X", "categories": ["icnpo:1200"]}, r)
    'Idrett og sport'
    """
    codes = {c.split(":", 1)[1] for c in attrs.get("categories") or () if c.startswith("icnpo:")}
    if attrs.get("kind") == "frivilligsentral":
        codes.add("8200")  # ICNPO's own code for frivillighetssentraler
    for s in rules.sectors:
        if codes & set(s.get("icnpo", ())):
            return s["org_type"]
    words = str(attrs.get("name", "")).casefold().replace("-", " ").split()
    name = " ".join(words)
    for s in rules.sectors:
        for kw in s.get("keywords", ()):
            if kw in words or (" " in kw and kw in name) or any(w.endswith(kw) for w in words
                                                                 if len(kw) > 3):
                return s["org_type"]
    return None


def volunteering_by_sector(
    G: nx.MultiDiGraph, *, population: Mapping[str, int] | None = None,
    district: str | None = None, rules: Rules | None = None, lang: str = "nb",
) -> dict[str, Any]:
    """Mapped volunteers per sector (and district) against the national rate × population.

    Parameters
    ----------
    population : district → population (aged 15+). Without it, the mapped individuals of each
        district are taken as its population, and the answer says so.
    district : only this district.

    Examples
    --------
    >>> G = nx.MultiDiGraph()
    >>> G.add_node("il", kind="association", name="Nes idrettslag", district="Nes")
    >>> for i in range(10):
    ...     G.add_node(i, kind="individual", district="Nes")
    >>> _ = G.add_edge(0, "il", key="VOLUNTEERS_AT", kind="VOLUNTEERS_AT")
    >>> out = volunteering_by_sector(G, lang="en")
    >>> row = out["sectors"][0]
    >>> row["sector"], row["mapped"], row["expected"]
    ('Idrett og sport', 1, 2.3)
    """
    rules = rules or load_rules()
    msg = MESSAGES.bind(lang)
    rates = national_rates(rules.national_rates_year)
    people: dict[str, int] = {}
    for _n, d in G.nodes(data=True):
        if d.get("kind") == "individual" and d.get("district"):
            people[d["district"]] = people.get(d["district"], 0) + 1
    pop = dict(population) if population else people
    if district is not None:
        pop = {district: pop.get(district, 0)}
    sector_cache: dict[Any, str | None] = {}
    mapped: dict[tuple[str, str], set] = {}
    for u, v, kind in G.edges(keys=True):
        if kind not in VOLUNTEER_TIES or G.nodes[u].get("kind") != "individual":
            continue
        where = G.nodes[u].get("district")
        if where not in pop:
            continue
        if v not in sector_cache:
            sector_cache[v] = sector_of(G.nodes[v], rules)
        sector = sector_cache[v]
        if sector:
            mapped.setdefault((sector, where), set()).add(u)
    total_pop = sum(pop.values())
    sectors, shortfalls = [], []
    for sector, rate in rates.items():
        n_mapped = sum(len(mapped.get((sector, d), ())) for d in pop)
        expected = round(rate / 100 * total_pop, 1)
        sectors.append({"sector": sector, "sector_name": sector_name(sector, lang),
                        "national_rate_pct": rate, "mapped": n_mapped,
                        "expected": expected,
                        "ratio": round(n_mapped / expected, 3) if expected else None,
                        "explanation": msg("sector", sector=sector_name(sector, lang), mapped=n_mapped,
                                                             expected=expected, rate=rate)})
        for d, p in pop.items():
            exp_d = rate / 100 * p
            got = len(mapped.get((sector, d), ()))
            if exp_d >= 1 and got < 0.5 * exp_d:
                shortfalls.append({"district": d, "sector": sector, "mapped": got,
                                   "expected": round(exp_d, 1)})
    shortfalls.sort(key=lambda r: (r["mapped"] - r["expected"], r["district"], r["sector"]))
    assumptions = [msg("given_pop") if population else
                   msg("assume_pop", age=rules.national_rates_age), msg("proxy")]
    return {"year": rules.national_rates_year[1:], "population": total_pop,
            "population_assumed": not population, "assumptions": assumptions,
            "sectors": sectors, "shortfalls": shortfalls}
