"""Offers derived from what the registers say (issue 9.3): each rule on a register row in the
exact export layout, the 'not confirmed' marking, confirmation by a workshop sheet, the match
penalty, and a reload that changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.analysis.matching import match_need
from graphsvc.model import Actor, IcnpoCategory
from graphsvc.store.sqlite import SQLiteStore
from loaders.enrich.offers import derive
from loaders.importer import import_files
from tests.fixtures.offer_sources import orgnr, write_enheter

ROWS = [
    {"navn": "TESTVIK FOLKEBIBLIOTEK", "organisasjonsform.kode": "ORGL",
     "naeringskode1.kode": "91.011", "naeringskode1.beskrivelse": "Drift av biblioteker",
     "institusjonellSektorkode.kode": "6500"},
    {"navn": "TESTVIK IDRETTSLAG", "organisasjonsform.kode": "FLI",
     "naeringskode1.kode": "93.120", "naeringskode1.beskrivelse": "Idrettslag og -klubber",
     "registrertIFrivillighetsregisteret": "true"},
    {"navn": "TESTVIK MENIGHET", "organisasjonsform.kode": "KIRK",
     "naeringskode1.kode": "94.910", "naeringskode1.beskrivelse": "Religiøse organisasjoner"},
    {"navn": "TESTVIK VENNEFORENING", "organisasjonsform.kode": "FLI",
     "naeringskode1.kode": "94.991", "aktivitet": "Vi driver SPRÅKKAFÉ og leksehjelp for barn",
     "registrertIFrivillighetsregisteret": "true"},
]


def _load(store: SQLiteStore, tmp_path: Path):
    return import_files(store, [write_enheter(tmp_path / "enheter.csv", ROWS)])


def _offers(store: SQLiteStore, n: int) -> dict[str, dict]:
    holder = f"brreg:{orgnr(n)}"
    return {r["category"]: r for r in store._all("resources") if r["holder"] == holder}


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "g.db")
    yield s
    s.close()


def test_nace_library_offers_a_room_and_digital_help_marked_not_confirmed(store, tmp_path):
    report = _load(store, tmp_path)
    offers = _offers(store, 1)
    assert {"space.room", "help.digital"} <= set(offers)
    room = offers["space.room"]
    assert (room["confirmed"], room["derived_by"]) == (False, "nace-library")
    assert room["provenance"]["rule"] == "nace-library"
    assert report["enrichment"]["offers"]["with_offers"] == 4


def test_idrettslag_offers_activity_and_a_church_a_meeting_place(store, tmp_path):
    _load(store, tmp_path)
    assert _offers(store, 2)["activity"]["derived_by"] == "nace-sports-club"
    assert _offers(store, 3)["social.meetingplace"]["derived_by"] == "nace-religious"


def test_aktivitet_words_give_offers_whatever_the_case_and_accents(store, tmp_path):
    _load(store, tmp_path)
    offers = _offers(store, 4)
    assert offers["inclusion.language"]["derived_by"] == "text-language"
    assert offers["learning.homework"]["derived_by"] == "text-homework"


def test_icnpo_and_orgform_rules() -> None:
    lag = Actor(id="brreg:920000007", kind="association", name="X",
                icnpo=[IcnpoCategory(code="1200", name="Idrett", primary=True)])
    assert derive(lag)["activity"][0] == "icnpo-sports"
    town = Actor(id="brreg:920000015", kind="municipality", name="Y", orgform="KOMM")
    assert derive(town)["money.funding"][0] == "orgform-municipality"


def test_category_at_load_time_makes_offers(store, tmp_path):
    csv = tmp_path / "lekeplasser.csv"
    csv.write_text("id;navn;longitude;latitude\n1;Fjellparken;5.3;60.3\n", encoding="utf-8-sig")
    import_files(store, [csv], kind="institution", category="activity")
    offer = {r["category"]: r for r in store._all("resources")}["activity"]
    assert (offer["derived_by"], offer["confirmed"]) == ("category-label", False)


def test_reload_changes_nothing(store, tmp_path):
    _load(store, tmp_path)
    revision = store.revision()
    _load(store, tmp_path)
    assert store.revision() == revision


def test_a_workshop_row_confirms_and_a_reload_keeps_it(store, tmp_path):
    _load(store, tmp_path)
    sheet = tmp_path / "verksted.csv"
    sheet.write_text("aktør;type;grend;orgnr;tilbyr\n"
                     f"Testvik folkebibliotek;institusjon;Sentrum;{orgnr(1)};space.room: salen\n",
                     encoding="utf-8")
    import_files(store, [sheet])
    assert _offers(store, 1)["space.room"].get("confirmed", True) is True
    _load(store, tmp_path)
    assert _offers(store, 1)["space.room"].get("confirmed", True) is True
    assert _offers(store, 1)["help.digital"]["confirmed"] is False


def test_match_ranks_a_derived_offer_below_a_confirmed_one_and_says_so(store, tmp_path):
    _load(store, tmp_path)
    sheet = tmp_path / "verksted.csv"
    sheet.write_text("aktør;type;orgnr;tilbyr\n"
                     f"Testvik menighet;lag/forening;{orgnr(3)};space.room\n", encoding="utf-8")
    import_files(store, [sheet])
    G = store.to_networkx()
    out = match_need(G, "space.room", lang="nb")
    names = [r["actor"]["name"] for r in out["results"]]
    assert names[0] == "TESTVIK MENIGHET", names
    derived = out["results"][1]
    assert derived["resource"]["confirmed"] is False
    assert derived["score"] < out["results"][0]["score"] - 0.15
    assert any("fra registeret (ikke bekreftet)" in s for s in derived["explanation"])
    en = match_need(G, "space.room", lang="en")["results"][1]["explanation"]
    assert any("from the register (not confirmed)" in s for s in en)
    assert not any("not confirmed" in s for s in
                   match_need(G, "space.room", lang="en")["results"][0]["explanation"])


def test_the_map_details_mark_derived_offers_not_confirmed(store, tmp_path):
    from visualisations.encoding import public_node_data

    _load(store, tmp_path)
    G = store.to_networkx()
    node = f"brreg:{orgnr(1)}"
    assert "Room / venue (from the register (not confirmed))" in public_node_data(
        G, node, lang="en")["offers"]
    assert "Lokale / rom (fra registeret (ikke bekreftet))" in public_node_data(G, node)["offers"]


def test_the_api_profile_marks_derived_offers_and_shows_what_the_register_says(store, tmp_path):
    from fastapi.testclient import TestClient

    from graphsvc.api.app import create_app
    from graphsvc.settings import Settings

    _load(store, tmp_path)
    client = TestClient(create_app(Settings(store=f"sqlite:///{tmp_path / 'g.db'}"), store=store))
    body = client.get(f"/actors/brreg:{orgnr(4)}").json()
    lang = {o["category"]: o for o in body["offers"]}["inclusion.language"]
    assert (lang["confirmed"], lang["derived_by"]) == (False, "text-language")
    assert lang["status"] == "fra registeret (ikke bekreftet)"
    assert body["activity"] == "Vi driver SPRÅKKAFÉ og leksehjelp for barn"
    assert body["kind_rule"]
    en = client.get(f"/actors/brreg:{orgnr(4)}?lang=en").json()
    assert {o["category"]: o for o in en["offers"]}["inclusion.language"]["status"] == (
        "from the register (not confirmed)")


def test_an_open_data_service_column_gives_offers_and_its_postnr_the_postnummer(store, tmp_path):
    # Stavanger's layout: byggnr;navn;adresse;postnr;poststed;service;latitude;longitude;
    csv = tmp_path / "kommunale-bygg.csv"
    csv.write_text(
        "\ufeffbyggnr;navn;adresse;postnr;poststed;service;latitude;longitude;\n"
        "1;Testvik bydelshus;Storgata 1;4005;Testvik;Kurslokale, møterom, Bibliotek og "
        "Frivilligsentral.;58.96;5.72;\n"
        "2;Testvik servicetorg;Storgata 3;4005;Testvik;Byggesaker og eiendomsopplysninger;"
        "58.97;5.73;\n",
        encoding="utf-8")
    report = import_files(store, [csv], kind="institution")
    assert report["files"][0]["ignored_columns"] == ["byggnr"]
    actors = {a.name: a for a in store.actors()}
    house = actors["Testvik bydelshus"]
    assert (house.postnummer, house.address) == ("4005", "Storgata 1, 4005 Testvik")
    assert house.activity.startswith("Kurslokale, møterom")
    offers = {r["category"]: r for r in store._all("resources") if r["holder"] == house.id}
    assert offers["space.room"]["confirmed"] is False
    assert offers["space.room"]["derived_by"].startswith("text-")
    assert not [r for r in store._all("resources")
                if r["holder"] == actors["Testvik servicetorg"].id]


def test_a_derived_offer_no_rule_gives_any_more_is_withdrawn_a_stated_one_stays(store, tmp_path):
    _load(store, tmp_path)
    sheet = tmp_path / "verksted.csv"
    sheet.write_text("aktør;type;orgnr;tilbyr\n"
                     f"Testvik venneforening;lag/forening;{orgnr(4)};learning.homework\n",
                     encoding="utf-8")
    import_files(store, [sheet])
    assert {"inclusion.language", "learning.homework"} <= set(_offers(store, 4))
    changed = [dict(r) for r in ROWS]
    changed[3]["aktivitet"] = "Vi arrangerer turer i skog og mark"
    report = import_files(store, [write_enheter(tmp_path / "enheter2.csv", changed)])
    offers = _offers(store, 4)
    assert "inclusion.language" not in offers  # the words are gone, so is the offer
    assert offers["learning.homework"].get("confirmed", True) is True  # a person said so
    assert report["enrichment"]["offers"]["withdrawn"] >= 1
    revision = store.revision()
    import_files(store, [write_enheter(tmp_path / "enheter2.csv", changed)])
    assert store.revision() == revision  # nothing more to withdraw: the reload writes nothing
