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
