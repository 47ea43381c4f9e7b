"""The Norwegian keyword rules that turn what an organisation says it does into offers
(graphsvc/data/offer_rules.json, issue 9.3): words that must give an offer, and the common words
of register texts that looked like them and gave nonsense (Rogaland 'rows', a culture 'walks',
welfare was a neighbourhood association, every 'hus' a room)."""

from __future__ import annotations

import pytest

from loaders.enrich.offers import text_rules


def categories(text: str) -> set[str]:
    return {code for _rule, code, _word in text_rules(text)}


@pytest.mark.parametrize("text, category", [
    ("Barnekor og mannskoret", "culture.music"),        # a compound's head ('-kor')
    ("Drift av idrettshallen", "space.room"),
    ("Samfunnshuset er åpent for alle", "space.room"),
    ("Samfunnshuset er åpent for alle", "social.meetingplace"),
    ("Gamaldans hver tirsdag", "activity"),
    ("Holmen vel", "social.meetingplace"),            # 'vel' as a word
    ("Turer i skog og mark", "activity.walk"),
    ("Utleie av lokaler til møter", "space.room"),
    ("Leksehjelp for skolebarn", "learning.homework"),
    ("Skolebarn og ungdom", "activity"),
    ("Minnefondet deler ut stipend", "money.funding"),
    ("Middag for eldre på torsdager", "food"),
    ("Norskkurs og språkkafé", "inclusion.language"),
    ("Kulturhuset i bydelen", "social.meetingplace"),
])
def test_words_that_say_what_an_organisation_offers(text: str, category: str) -> None:
    assert category in categories(text)


@pytest.mark.parametrize("text, not_category", [
    ("Rogaland", "activity"),                         # was 'ro' (rowing)
    ("Rus og psykiatri (ROP)", "activity"),
    ("Stiftelsens formål er å fremme kultur", "activity.walk"),  # 'sti', '-tur' in kultur
    ("Kultur og natur", "activity.walk"),
    ("Velferd for ansatte", "social.meetingplace"),   # 'vel' in velferd
    ("Parkering og drift av garasjeanlegg", "social.meetingplace"),
    ("Matematikk for voksne", "food"),
    ("Lokale lag og foreninger i kommunen", "space.room"),  # 'lokale' the adjective
    ("Hustad skole", "space.room"),                   # 'hus' at the start of a name
    ("Huseierlag", "space.room"),
    ("Sykehuset og sykehusapoteket", "space.room"),
    ("Frisklivssentralen", "reuse"),
    ("Overskudd utdeles ikke", "money.funding"),      # a cooperative's bylaws
    ("Søker tilskudd til drift", "money.funding"),
    ("Partiets kulturgrunnlag", "culture"),
    ("Et forslag på grunnlag av", "social"),
    ("Trøndelag", "social"),
    ("Skiftet av styre", "activity"),                 # 'ski'
    ("Dansk-norsk forening", "activity"),             # 'dans'
    ("Barnehagen", "activity"),                       # a kindergarten is learning, not sport
    ("Dekorasjon og interiør", "culture.music"),
])
def test_common_register_words_that_are_not_offers(text: str, not_category: str) -> None:
    assert not_category not in categories(text), text_rules(text)


# ---- every rule in the file does what it says --------------------------------------------------
from graphsvc.model import Actor, IcnpoCategory  # noqa: E402
from loaders.enrich.offers import derive, rules  # noqa: E402

_DATA = rules()


def _word(stem: str) -> str:
    """A word the stem must match: itself, a compound ending in it, or one containing it."""
    if stem.startswith("-"):
        return "grende" + stem[1:]
    if stem.startswith("*"):
        return "stor" + stem[1:] + "a"
    return stem.lstrip("=")


@pytest.mark.parametrize("rule", _DATA["text"], ids=lambda r: r["id"])
def test_every_stem_of_a_text_rule_triggers_it(rule) -> None:
    missed = [s for s in rule["stems"] if rule["id"] not in {r for r, _c, _w in
                                                            text_rules(_word(s))}]
    assert missed == []


# What an actor needs, besides a plain association named "X", for each kind of rule to apply.
_TRIGGER = {
    "nace": lambda r: {"nace": r["prefix"]},
    "icnpo": lambda r: {"icnpo": [IcnpoCategory(code=r["codes"][0], name="X", primary=True)]},
    "orgform": lambda r: {"orgform": r["code"]},
    "kind": lambda r: {"kind": r["kind"]},
}


@pytest.mark.parametrize("part, rule", [(part, r) for part in _TRIGGER for r in _DATA[part]],
                         ids=lambda x: x["id"] if isinstance(x, dict) else x)
def test_every_register_rule_gives_its_offers(part, rule) -> None:
    fields = {"kind": "association"} | _TRIGGER[part](rule)
    found = derive(Actor(id="brreg:920000007", name="X", **fields))
    assert {code: found[code][0] for code in rule["offers"]} == dict.fromkeys(rule["offers"],
                                                                              rule["id"])


def test_every_offer_is_a_taxonomy_category() -> None:
    from graphsvc.taxonomy import load_taxonomy

    known = {c.code for c in load_taxonomy()}
    offered = {c for part in ("nace", "orgform", "icnpo", "kind", "text")
               for r in _DATA[part] for c in r["offers"]}
    assert offered - known == set()
