"""The workbench's core in a real Chromium, on the demo community served by the real app:
each core panel's task end to end (Finn, Profil, Last inn, Skriv ut), neighbour highlighting,
the view's state in the URL, the language switch, sign-in, and axe-core. Every test also
checks that the page logged no error and asked nothing of any host but 127.0.0.1.

One app and one page serve the module (tests navigate the page); the sign-in test has an app
with keys of its own."""

from __future__ import annotations

import json
import re
import urllib.request
from pathlib import Path

import pytest

from graphsvc import i18n
from tests.fixtures.workbench import (
    colour_pixels, go, open_workbench, outside_hosts, run_axe, screenshot, served_demo, watch,
)

pytestmark = pytest.mark.browser

TEMPLATE = Path(__file__).parents[2] / "loaders" / "templates" / "workshop_template.csv"
GREEN = "#009E73"  # frivilligsentral (visualisations/encoding.py KIND_COLOUR)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with served_demo(tmp_path_factory.mktemp("workbench")) as served:
        yield served


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=30) as response:
        return json.load(response)


@pytest.fixture(scope="module")
def graph(site):
    """graph.json as the page gets it, with each node as a dict."""
    g = get_json(site.url + "/workbench/graph.json?lang=nb")
    g["by_id"] = {row[0]: dict(zip(g["node_columns"], row, strict=True)) for row in g["nodes"]}
    return g


def shown_line(graph, ids) -> str:
    """The count the header shows for these node ids: actors and initiatives apart."""
    kinds = [graph["by_id"][i]["kind"] == "initiative" for i in graph["by_id"]]
    picked = [graph["by_id"][i]["kind"] == "initiative" for i in ids]
    actors, initiatives = kinds.count(False), kinds.count(True)
    line = f"{picked.count(False)} av {actors} aktører"
    if initiatives:
        line += f" og {picked.count(True)} av {initiatives} initiativ"
    return line + " vises"


@pytest.fixture(scope="module")
def shared(browser, site):
    page, seen = open_workbench(browser, site.url + "/?lang=nb")
    yield page, seen
    page.close()


@pytest.fixture
def wb(shared, site):
    """The module's page, and after the test: no console error, nothing asked of another host."""
    page, seen = shared
    seen["errors"].clear()
    yield page, seen
    assert seen["errors"] == []
    assert outside_hosts(seen) == []


def neighbours(g, node_id: str) -> set[str]:
    ids = [row[0] for row in g["nodes"]]
    near = {node_id}
    for a, b, *_ in g["edges"]:
        if node_id in (ids[a], ids[b]):
            near |= {ids[a], ids[b]}
    return near


def node_point(page, node_id: str) -> dict[str, float]:
    return page.evaluate("""(id) => {
        const net = WB.map.network;
        const p = net.canvasToDOM(net.getPositions([id])[id]);
        const box = document.getElementById("wb-map").getBoundingClientRect();
        return {x: box.left + p.x, y: box.top + p.y};
    }""", node_id)


def in_view(page, ids: list[str]) -> int:
    """How many of these nodes are drawn inside the map's box."""
    return page.evaluate("""(ids) => {
        const net = WB.map.network, box = document.getElementById("wb-map");
        const w = box.clientWidth, h = box.clientHeight;
        return ids.filter(id => { const p = net.canvasToDOM(net.getPositions([id])[id]);
                                  return p.x >= 0 && p.y >= 0 && p.x <= w && p.y <= h; }).length;
    }""", ids)


def filled(page, ids: list[str]) -> float:
    """How much of the map's width or height these nodes span (1.0: edge to edge)."""
    return page.evaluate("""(ids) => {
        const net = WB.map.network, box = document.getElementById("wb-map");
        const ps = ids.map(id => net.canvasToDOM(net.getPositions([id])[id]));
        const xs = ps.map(p => p.x), ys = ps.map(p => p.y);
        return Math.max((Math.max(...xs) - Math.min(...xs)) / box.clientWidth,
                        (Math.max(...ys) - Math.min(...ys)) / box.clientHeight);
    }""", ids)


def panel_text(page) -> str:
    return page.locator("#wb-panel .wb-pane:not([hidden])").inner_text()


# ---- the page ------------------------------------------------------------------------------


def test_the_page_draws_the_whole_community_offline_in_bokmal(wb, site, graph):
    page, seen = wb
    go(page, site.url + "/?lang=nb")
    health = get_json(site.url + "/health")
    assert page.evaluate("() => WB.map.network.body.nodeIndices.length") == \
        health["actors"] + health["initiatives"]
    assert page.evaluate("() => WB.map.network.body.data.edges.length") == health["ties"]
    tabs = page.locator("#wb-tabs [role=tab]").all_inner_texts()
    assert tabs[0] == "Finn" and "Profil" in tabs and tabs[-2:] == ["Last inn", "Skriv ut"]
    assert page.locator("#wb-kommune").inner_text() == "– Fjordvik kommune"
    # an initiative is not counted as an actor: "1000 av 1000 aktører og 3 av 3 initiativ vises"
    assert page.locator("#wb-shown").inner_text() == shown_line(graph, graph["by_id"])
    assert health["initiatives"] and page.locator("#wb-shown").inner_text().startswith(
        f"{health['actors']} av {health['actors']} aktører og ")
    page.locator("#wb-legend summary").click()
    legend = page.locator("#wb-legend-body").inner_text()
    assert "Frivilligsentral (2)" in legend and "Bekjentskap" in legend
    assert "Enkeltpersoner vises med pseudonym." in legend
    # Pseudonyms only: no individual's name is in what the page got.
    assert all(n["name"].startswith("Person ") for n in graph["by_id"].values()
               if n["kind"] == "individual")
    page.locator("#wb-legend summary").click()
    assert {u.split("?")[0].rsplit("/", 1)[-1] for u in seen["requests"]} >= {
        "workbench.css", "vis-network.min.js", "workbench.js", "panels_core.js", "graph.json"}


def test_the_page_allows_only_its_own_scripts_and_styles(site):
    with urllib.request.urlopen(site.url + "/", timeout=30) as response:
        csp = response.headers["Content-Security-Policy"]
        html = response.read().decode()
    assert "script-src 'self';" in csp and "style-src 'self';" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    # No inline script runs: the only inline <script> is the texts' JSON data block.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="wb-texts"']
    assert "Person " not in html and "Holmen" not in html  # the shell carries no data


# ---- Finn ------------------------------------------------------------------------------------


def test_filters_hide_the_rest_zoom_to_what_is_left_and_list_it(wb, site, graph):
    page, _ = wb
    go(page, site.url + "/?lang=nb#panel=finn")
    holmen = [i for i, n in graph["by_id"].items() if n["district"] == "Holmen"]
    before = page.evaluate("() => WB.map.network.getScale()")
    assert in_view(page, holmen) == len(holmen)  # the whole map is in view at first
    page.select_option("#wb-finn-district", "Holmen")
    assert page.locator("#wb-shown").inner_text() == shown_line(graph, holmen)
    hidden = page.evaluate("() => WB.map.network.body.data.nodes.get().filter(n => n.hidden)"
                           ".length")
    assert hidden == len(graph["nodes"]) - len(holmen)
    assert in_view(page, holmen) == len(holmen) and filled(page, holmen) > 0.8  # fitted
    # The table of what is shown: every row is in Holmen, the best connected first.
    table = page.locator("#wb-finn-table table")
    assert table.locator("caption").inner_text() == "Aktørene som vises"
    rows = table.locator("tbody tr")
    assert rows.count() == min(len(holmen), 200)
    assert set(table.locator("tbody tr td:nth-child(3)").all_inner_texts()) == {"Holmen"}
    ties = [int(x) for x in table.locator("tbody tr td:nth-child(4)").all_inner_texts()]
    assert ties == sorted(ties, reverse=True)
    assert rows.first.locator("td").first.inner_text() == "Holmen frivilligsentral"
    # Sorting by name
    table.locator("thead button", has_text="Navn").click()
    names = table.locator("tbody tr td:nth-child(1)").all_inner_texts()
    assert names == sorted(names, key=lambda s: s.casefold()) or names[0] < names[-1]
    # Kind narrows further, within Holmen
    page.select_option("#wb-finn-kind", "association")
    left = [i for i in holmen if graph["by_id"][i]["kind"] == "association"]
    assert page.locator("#wb-shown").inner_text() == shown_line(graph, left)
    assert in_view(page, left) == len(left) and filled(page, left) > 0.6
    # Two frivilligsentraler: zoomed well in on them
    page.select_option("#wb-finn-district", "")
    page.select_option("#wb-finn-kind", "frivilligsentral")
    fs = [i for i, n in graph["by_id"].items() if n["kind"] == "frivilligsentral"]
    assert page.evaluate("() => WB.map.network.getScale()") > before * 1.5
    assert in_view(page, fs) == 2 and filled(page, fs) > 0.3
    page.click("#wb-finn-reset")
    assert page.locator("#wb-shown").inner_text() == shown_line(graph, graph["by_id"])


def test_a_search_with_many_hits_lists_them_and_the_profile_follows_the_chosen_one(
        wb, site, graph):
    page, _ = wb
    go(page, site.url + "/?lang=nb#panel=finn")
    page.fill("#wb-finn-q", "holmen")
    page.click("#wb-finn-form button[type=submit]")
    expected = sorted(n["name"] for n in graph["by_id"].values() if "holmen" in n["name"].lower())
    assert len(expected) > 3
    hits = page.locator("#wb-finn-hits")
    assert hits.locator("h3").inner_text() == f"{len(expected)} aktører funnet"
    assert hits.locator("li a").all_inner_texts() == sorted(expected, key=str)  \
        or sorted(hits.locator("li a").all_inner_texts()) == sorted(expected)
    # The hits are highlighted and in view
    found = [i for i, n in graph["by_id"].items() if n["name"] in expected]
    assert sorted(page.evaluate("() => WB.map.highlighted()")) == sorted(found)
    assert in_view(page, found) == len(found)
    # Choosing the third hit shows that one, not the first
    third = hits.locator("li a").nth(2)
    name = third.inner_text()
    third.click()
    page.locator("#wb-profil-name").wait_for()
    assert page.locator("#wb-tab-profil").get_attribute("aria-selected") == "true"
    assert page.locator("#wb-profil-name").inner_text() == name
    chosen = next(i for i, n in graph["by_id"].items() if n["name"] == name)
    assert page.evaluate("() => WB.state.get().selected") == chosen


# ---- neighbours and Profil ---------------------------------------------------------------------


def test_clicking_a_node_highlights_its_neighbours_dims_the_rest_and_opens_profil(
        wb, site, graph, tmp_path):
    page, _ = wb
    go(page, site.url + "/?lang=nb")
    fs = next(i for i, n in graph["by_id"].items() if n["name"] == "Holmen frivilligsentral")
    before = screenshot(page, tmp_path / "before.png")
    # Zoomed in on it, as a planner would in a crowded map, then clicked on the canvas.
    page.evaluate("(id) => WB.map.network.focus(id, {scale: 2.2})", fs)
    point = node_point(page, fs)
    page.mouse.click(point["x"], point["y"])
    page.locator("#wb-profil-name").wait_for()
    assert page.locator("#wb-profil-name").inner_text() == "Holmen frivilligsentral"
    assert set(page.evaluate("() => WB.map.highlighted()")) == neighbours(graph, fs)
    dimmed = page.evaluate("() => WB.map.network.body.data.nodes.get()"
                           ".filter(n => n.opacity < 1).length")
    assert dimmed == len(graph["nodes"]) - len(neighbours(graph, fs))
    after = screenshot(page, tmp_path / "selected.png")
    # The frivilligsentral's own green, undimmed, is on the canvas.
    assert colour_pixels(after, GREEN) > 40
    # An individual far from both frivilligsentraler: now every green is dimmed.
    lonely = next(i for i, n in graph["by_id"].items() if n["kind"] == "individual"
                  and not any(graph["by_id"][j]["kind"] == "frivilligsentral"
                              for j in neighbours(graph, i)))
    page.evaluate("(id) => WB.map.select(id, {stay: true})", lonely)
    dim = screenshot(page, tmp_path / "dimmed.png")
    assert colour_pixels(dim, GREEN) < 5 < colour_pixels(before, GREEN)


def test_profil_shows_details_offers_needs_ties_and_social_capital(wb, site):
    page, _ = wb
    actor = get_json(site.url + "/actors/demo:a00001?lang=nb")
    capital = get_json(site.url + "/actors/demo:a00001/social-capital?lang=nb")
    go(page, site.url + "/?lang=nb#panel=profil&sel=demo%3Aa00001")
    page.locator("#wb-profil-capital").wait_for()
    text = panel_text(page)
    assert page.locator("#wb-profil-name").inner_text() == actor["name"] == "Holmen idrettslag"
    for offer in actor["offers"]:
        assert offer["category_name"] in text
    counts = capital["counts"]
    assert (f"{counts['bonding']} sammenbindende, {counts['bridging']} brobyggende og "
            f"{counts['linking']} forbindende bånd") in text
    assert f"{capital['authority_hops']} ledd til kommunen" in text
    assert "Burts begrensning: " + f"{capital['constraint']:.3f}".rstrip("0").replace(".", ",") \
        in text
    ties = page.locator("#wb-pane-profil table tbody tr")
    assert ties.count() == len(actor["ties"])
    first = ties.first.locator("td").all_inner_texts()
    assert first[0] == "medlemskap" and first[2] == "sammenbindende"
    assert first[1] == actor["ties"][0]["other_name"]
    # A tie's other end is a link to its profile
    ties.first.locator("a").click()
    page.wait_for_function("(id) => WB.state.get().selected === id",
                           arg=actor["ties"][0]["other"])
    page.locator("#wb-profil-name").wait_for()
    assert page.locator("#wb-profil-name").inner_text() == actor["ties"][0]["other_name"]


def test_profil_of_an_initiative_shows_what_it_needs_and_who_takes_part(wb, site):
    page, _ = wb
    it = get_json(site.url + "/initiatives/demo:init001")
    go(page, site.url + "/?lang=nb#panel=profil&sel=demo%3Ainit001")
    page.locator("#wb-profil-required").wait_for()
    assert page.locator("#wb-profil-name").inner_text() == it["name"]
    needs = page.locator("#wb-profil-required li").all_inner_texts()
    assert [f"{c['category_name']}: dekket av deltakerne" for c in it["coverage"]["covered"]] \
        + [f"{c['category_name']}: ingen deltaker tilbyr det" for c in it["coverage"]["missing"]] \
        == needs
    assert len(needs) == len(it["required_categories"])
    people = page.locator("#wb-profil-participants li").all_inner_texts()
    assert sorted(people) == sorted(p["name"] for p in it["participants"])
    # Its participants are the neighbours highlighted on the map
    assert set(page.evaluate("() => WB.map.highlighted()")) >= {p["id"] for p in it["participants"]}


# ---- URL state ---------------------------------------------------------------------------------


def test_a_copied_address_reopens_panel_filters_selection_and_zoom(wb, browser, site):
    page, _ = wb
    go(page, site.url + "/?lang=nb#panel=finn")
    page.select_option("#wb-finn-district", "Eidby")
    page.select_option("#wb-finn-kind", "association")
    page.evaluate("() => WB.map.select('demo:a00001', {stay: true})")
    page.evaluate("() => { WB.map.network.moveTo({scale: 1.7, position: {x: 40, y: -30}});"
                  " WB.map.network.emit('zoom', {}); }")
    page.click("#wb-tab-print")
    page.select_option("#wb-print-paper", "A3")
    page.wait_for_function("() => /z=1\\.7/.test(location.hash)")
    url = page.evaluate("() => location.href")
    other, seen = open_workbench(browser, url)
    try:
        assert other.locator("#wb-tab-print").get_attribute("aria-selected") == "true"
        assert other.locator("#wb-print-paper").input_value() == "A3"
        state = other.evaluate("() => WB.state.get()")
        assert state["filters"] == {"district": "Eidby", "kind": "association"}
        assert state["selected"] == "demo:a00001"
        assert other.evaluate("() => WB.map.network.getScale()") == pytest.approx(1.7, rel=0.01)
        pos = other.evaluate("() => WB.map.network.getViewPosition()")
        assert pos["x"] == pytest.approx(40, abs=1) and pos["y"] == pytest.approx(-30, abs=1)
        assert other.locator("#wb-print-what").inner_text() == \
            "Utskriften viser aktørene rundt Holmen idrettslag, bare lag og forening."
        other.click("#wb-tab-finn")
        assert other.locator("#wb-finn-district").input_value() == "Eidby"
        assert other.locator("#wb-finn-kind").input_value() == "association"
        assert seen["errors"] == [] and outside_hosts(seen) == []
    finally:
        other.close()


# ---- language ---------------------------------------------------------------------------------


def _bokmal_words() -> set[str]:
    """Words that only the bokmål texts use (the core's and the shared vocabulary)."""
    from graphsvc.web.page import catalogue

    nb, en = catalogue("nb"), catalogue("en")
    vocab = i18n.VOCABULARY.table
    phrases = [nb[k] for k in nb if nb[k] != en[k]] + \
              [vocab["nb"][k] for k in vocab["nb"] if vocab["nb"][k] != vocab["en"][k]]
    english = set(re.findall(r"\w+", " ".join(en.values()).lower() + " "
                             + " ".join(vocab["en"].values()).lower()))
    words = set(re.findall(r"[^\W\d_]{4,}", re.sub(r"\{[^}]*\}", " ", " ".join(phrases)).lower()))
    return words - english


def test_the_language_switch_shows_the_panel_in_english_with_no_bokmal_left(wb, site):
    page, _ = wb
    go(page, site.url + "/?lang=nb#panel=profil&sel=demo%3Aa00001")
    page.locator("#wb-profil-capital").wait_for()
    page.locator("#wb-lang a", has_text="English").click()
    page.wait_for_function("() => window.WB && WB.ready && WB.lang === 'en'")
    page.locator("#wb-profil-capital").wait_for()
    assert "lang=en" in page.url and "sel=demo%3Aa00001" in page.url
    assert page.locator("html").get_attribute("lang") == "en"
    tabs = page.locator("#wb-tabs [role=tab]").all_inner_texts()
    assert tabs[0] == "Find" and "Profile" in tabs and tabs[-2:] == ["Load data", "Print"]
    text = page.locator("#wb-pane-profil").inner_text()
    assert "bonding" in text and "membership" in text
    for name in page.locator("#wb-pane-profil a, #wb-profil-name").all_inner_texts():
        text = text.replace(name, " ")  # names stay as they are
    left = set(re.findall(r"[^\W\d_]{4,}", text.lower())) & _bokmal_words()
    assert left == set()
    header = page.locator("#wb-header").inner_text() + page.locator("#wb-map-bar").inner_text()
    header = header.replace(page.locator("#wb-kommune").inner_text(), " ")  # a name
    assert set(re.findall(r"[^\W\d_]{4,}", header.lower())) & _bokmal_words() <= {"norsk",
                                                                                  "bokmål"}


# ---- Skriv ut ----------------------------------------------------------------------------------


def test_print_downloads_the_current_view_as_pdf_svg_and_png(wb, site, tmp_path):
    page, _ = wb
    go(page, site.url + "/?lang=nb#panel=finn&district=Holmen")
    page.click("#wb-tab-print")
    assert page.locator("#wb-print-what").inner_text() == "Utskriften viser grenda Holmen."
    page.select_option("#wb-print-paper", "A3")
    with page.expect_download() as pdf:
        page.click("#wb-print-pdf")
    path = tmp_path / pdf.value.suggested_filename
    pdf.value.save_as(path)
    assert path.read_bytes()[:5] == b"%PDF-" and path.suffix == ".pdf"
    asked = pdf.value.url
    assert "/prints/district.pdf?" in asked and "district=Holmen" in asked and "paper=A3" in asked
    with page.expect_download() as svg:
        page.click("#wb-print-svg")
    svg_text = Path(svg.value.path()).read_text("utf-8")
    assert "<svg" in svg_text and "Holmen" in svg_text
    with page.expect_download() as png:
        page.click("#wb-print-png")
    png_path = tmp_path / "map.png"
    png.value.save_as(png_path)
    assert png.value.suggested_filename.endswith(".png")
    from matplotlib import image

    pixels = image.imread(str(png_path))
    size = page.evaluate("() => [WB.map.canvas().height, WB.map.canvas().width]")
    assert list(pixels.shape[:2]) == size
    assert colour_pixels((pixels[..., :3] * 255).round().astype("uint8"), GREEN) > 10


# ---- Last inn ----------------------------------------------------------------------------------


def test_loading_a_workshop_sheet_shows_the_report_and_refreshes_the_map(wb, site, tmp_path):
    page, _ = wb
    go(page, site.url + "/?lang=nb#panel=import")
    before = page.evaluate("() => WB.map.nodes().length")
    page.set_input_files("#wb-import-file", str(TEMPLATE))
    page.fill("#wb-import-workshop", "Testverksted")
    page.click("#wb-import-form button[type=submit]")
    page.locator("#wb-import-report .wb-done").wait_for()
    report = page.locator("#wb-import-report").inner_text()
    assert "Importrapport" in report
    assert "4 rader lest, 0 avvist" in report
    assert "Aktører: 3 nye, 0 oppdatert, 0 uendret" in report
    assert "Kartet er oppdatert." in report
    assert page.evaluate("() => WB.map.nodes().length") == before + 4  # 3 actors, 1 initiative
    assert page.evaluate("() => WB.map.network.body.nodeIndices.length") == before + 4
    # A sheet with a broken row: the report names file, line and what is wrong.
    bad = tmp_path / "verksted-feil.csv"
    lines = TEMPLATE.read_text("utf-8").splitlines()
    bad.write_text("\n".join([lines[0], lines[1], lines[1].split(";")[0] + "2;x"]) + "\n",
                   encoding="utf-8")
    page.set_input_files("#wb-import-file", str(bad))
    page.click("#wb-import-form button[type=submit]")
    page.locator("#wb-import-report .wb-rejected li").first.wait_for()
    rejected = page.locator("#wb-import-report .wb-rejected li").first.inner_text()
    assert rejected.startswith("verksted-feil.csv, linje 3")


# ---- sign-in -----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def keyed(tmp_path_factory):
    pytest.importorskip("graphsvc.auth", reason="sign-in (graphsvc.auth) is not built yet")
    with served_demo(tmp_path_factory.mktemp("keyed"), actors=120,
                     keys={"Kari planlegger": "planner", "Ola redaktør": "editor"}) as served:
        yield served


def test_with_keys_the_page_asks_for_one_and_then_shows_the_map(browser, keyed):
    page = browser.new_page(viewport={"width": 1200, "height": 800})
    seen = watch(page)
    try:
        page.goto(keyed.url + "/?lang=nb#panel=finn")
        form = page.locator("#wb-signin-form")
        form.wait_for()
        assert form.locator("h2").inner_text() == "Logg inn på arbeidsbenken"
        assert not [u for u in seen["requests"] if "graph.json" in u]  # nothing before sign-in
        assert run_axe(page) == []
        page.fill("#wb-key", "gsk_0123456789_" + "x" * 43)
        page.click("#wb-signin-form button[type=submit]")
        page.locator("#wb-signin-error").filter(has_text=re.compile(r"\w")).wait_for()
        assert page.locator("#wb-signin-error").inner_text()
        page.fill("#wb-key", keyed.keys["Kari planlegger"])
        page.click("#wb-signin-form button[type=submit]")
        page.wait_for_function("() => window.WB && WB.ready")
        assert page.locator("#wb-signin").is_hidden()
        assert page.locator("#wb-session").inner_text().startswith(
            "Logget inn: Kari planlegger (planlegger)")
        assert page.evaluate("() => WB.map.nodes().length") > 100
        # A planner may not load data: the server's reason is shown, nothing changes.
        before = page.evaluate("() => WB.map.nodes().length")
        page.click("#wb-tab-import")
        page.set_input_files("#wb-import-file", str(TEMPLATE))
        page.click("#wb-import-form button[type=submit]")
        page.locator("#wb-import-report .wb-error").wait_for()
        assert "krever rollen redaktør" in page.locator("#wb-import-report").inner_text()
        # An editor may: the upload carries the session's CSRF token and is loaded.
        page.click("#wb-sign-out")
        page.locator("#wb-signin-form").wait_for()
        page.fill("#wb-key", keyed.keys["Ola redaktør"])
        page.click("#wb-signin-form button[type=submit]")
        page.wait_for_function("() => window.WB && WB.ready")
        page.click("#wb-tab-import")
        page.set_input_files("#wb-import-file", str(TEMPLATE))
        page.click("#wb-import-form button[type=submit]")
        page.locator("#wb-import-report .wb-done").wait_for()
        assert page.evaluate("() => WB.map.nodes().length") == before + 4
        # the errors the browser logs are the refused wrong key and the planner's upload
        assert len(seen["errors"]) == 2 and "401" in seen["errors"][0] \
            and "403" in seen["errors"][1], seen["errors"]
        assert outside_hosts(seen) == []
    finally:
        page.close()


# ---- hostile names -----------------------------------------------------------------------------


def test_hostile_names_are_shown_as_text_and_never_run(browser, tmp_path_factory):
    from graphsvc.model import Actor, GraphBatch, Tie
    from tests.fixtures.graphs import HOSTILE_IMG, HOSTILE_SCRIPT

    with served_demo(tmp_path_factory.mktemp("hostile"), actors=100) as served:
        served.store.write(GraphBatch(
            actors=[Actor(id="demo:hostile1", kind="association", name=HOSTILE_IMG,
                          district="Holmen"),
                    Actor(id="demo:hostile2", kind="association", name=HOSTILE_SCRIPT)],
            ties=[Tie(source="demo:hostile1", target="demo:hostile2", kind="PARTNERS_WITH")]))
        page, seen = open_workbench(browser, served.url + "/?lang=nb#panel=finn")
        try:
            page.fill("#wb-finn-q", "<")
            page.click("#wb-finn-form button[type=submit]")
            assert sorted(page.locator("#wb-finn-hits li a").all_inner_texts()) == \
                sorted([HOSTILE_IMG, HOSTILE_SCRIPT])
            page.locator("#wb-finn-hits li a", has_text="onerror").click()
            page.locator("#wb-profil-capital").wait_for()
            assert page.locator("#wb-profil-name").inner_text() == HOSTILE_IMG
            assert HOSTILE_SCRIPT in page.locator("#wb-pane-profil table").inner_text()
            assert page.locator("img").count() == 0
            assert page.locator("#wb-panel script").count() == 0
            assert page.evaluate("() => typeof window.__pwned") == "undefined"
            assert seen["errors"] == [] and outside_hosts(seen) == []
        finally:
            page.close()


# ---- accessibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("panel", ["finn", "profil", "import", "print"])
def test_no_serious_or_critical_accessibility_violation(wb, site, panel):
    page, _ = wb
    go(page, site.url + f"/?lang=nb#panel={panel}&sel=demo%3Aa00001")
    if panel == "profil":
        page.locator("#wb-profil-capital").wait_for()
    if panel == "finn":
        page.fill("#wb-finn-q", "holmen")
        page.click("#wb-finn-form button[type=submit]")
        page.locator("#wb-legend summary").click()
    assert run_axe(page) == []
