"""A map as a municipality first sees it, built from register-format files with a district
definition and no ties (issue 9): in a real Chromium it groups the actors on one island per
district, its side panel says what the map still lacks and whom to invite, and an organisation's
details show the offers derived from the register as not confirmed."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.store.sqlite import SQLiteStore
from loaders.districts import apply_districts
from loaders.importer import import_files
from tests.fixtures.browser import node_point, open_map, serve_directory
from tests.fixtures.offer_sources import write_enheter
from visualisations import render_map

pytestmark = pytest.mark.browser

ROWS = [
    {"navn": "TESTVIK FOLKEBIBLIOTEK", "organisasjonsform.kode": "ORGL",
     "naeringskode1.kode": "91.011", "institusjonellSektorkode.kode": "6500"},
    {"navn": "TESTVIK IDRETTSLAG", "organisasjonsform.kode": "FLI",
     "naeringskode1.kode": "93.120", "forretningsadresse.postnummer": "4010"},
    {"navn": "TESTVIK MENIGHET", "organisasjonsform.kode": "KIRK",
     "naeringskode1.kode": "94.910", "forretningsadresse.postnummer": "4010"},
    {"navn": "TESTVIK VENNEFORENING", "organisasjonsform.kode": "FLI",
     "naeringskode1.kode": "94.991", "aktivitet": "Språkkafé og leksehjelp"},
]


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("registers")
    store = SQLiteStore(root / "g.db")
    try:
        defs = root / "grender.csv"
        defs.write_text("postnummer;grend\n4005;Sentrum\n4010;Våland\n", "utf-8")
        apply_districts(store, [defs], kommune="1103")
        import_files(store, [write_enheter(root / "enheter.csv", ROWS)])
        G = store.to_networkx()
    finally:
        store.close()
    (root / "map.html").write_text(render_map(G, title="Testvik"), encoding="utf-8")
    with serve_directory(root) as url:
        yield url


@pytest.fixture
def page(browser, site):
    page, seen = open_map(browser, site + "map.html")
    try:
        yield page
        assert seen["errors"] == []
    finally:
        page.close()


def test_one_island_per_district_with_its_actors_on_it(page):
    islands = page.evaluate("() => GRAPHSVC_DATA.islands")
    assert [i["label"] for i in islands] == ["Sentrum (2)", "Våland (2)"]
    inside = page.evaluate("""(islands) => {
        const pos = network.getPositions();
        return network.body.data.nodes.get().map(n => {
            const p = pos[n.id];
            const i = islands.find(i => Math.hypot(p.x - i.x, p.y - i.y) <= i.r);
            return [n.name, i ? i.label : null];
        });
    }""", islands)
    assert sorted(inside) == [["TESTVIK FOLKEBIBLIOTEK", "Sentrum (2)"],
                              ["TESTVIK IDRETTSLAG", "Våland (2)"],
                              ["TESTVIK MENIGHET", "Våland (2)"],
                              ["TESTVIK VENNEFORENING", "Sentrum (2)"]]


def test_the_side_panel_says_what_the_map_lacks_and_whom_to_invite(page):
    panel = page.locator("#lacks")
    assert panel.is_visible()
    text = panel.inner_text()
    assert "HVA KARTET MANGLER" in text.upper()
    assert "Sentrum: Ingen frivilligsentral" in text
    assert "INVITER TIL NESTE VERKSTED" in text.upper()
    assert "Sentrum: 2 aktører i grenda, ingen bekreftede tilbud" in text


def test_an_organisations_details_show_its_derived_offers_as_not_confirmed(page):
    point = node_point(page, "TESTVIK FOLKEBIBLIOTEK")
    page.mouse.click(point["x"], point["y"])
    details = page.locator("#details-body")
    details.wait_for(state="visible")
    assert "Lokale / rom (fra registeret (ikke bekreftet))" in details.inner_text()
