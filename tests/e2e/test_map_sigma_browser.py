"""A map above the sigma threshold in a real headless Chromium (software WebGL): it opens with
sigma.js offline, without console errors or requests beyond its own file, and a planner has
the vis-network page's legend, filters, search, details of a clicked actor, hover text and
path highlighting; hostile names stay text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

from tests.fixtures.browser import open_map, serve_directory
from tests.fixtures.graphs import HOSTILE_IMG, HOSTILE_SCRIPT, sized_community, small_community
from visualisations import render_map
from visualisations.encoding import KIND_COLOUR
from visualisations.map import SIGMA_FROM

HOSTILE_TITLE = "<img src=x onerror=window.__pwned=9> Fjordvik"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph:
    """Just above the threshold, with the small community's named actors and hostile names."""
    return nx.compose(sized_community(SIGMA_FROM, seed=4), small_community())


@pytest.fixture(scope="module")
def path(graph) -> list:
    return nx.shortest_path(graph.to_undirected(as_view=True), "demo:p03", "demo:kommune")


@pytest.fixture(scope="module")
def site(tmp_path_factory, graph, path) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("sigma")
    (root / "map.html").write_text(render_map(graph, title=HOSTILE_TITLE), "utf-8")
    (root / "en.html").write_text(render_map(graph, title="Fjordvik", lang="en"), "utf-8")
    pairs = list(zip(path, path[1:]))
    (root / "path.html").write_text(render_map(
        graph, title="Vei", highlight=path + pairs, hop_labels=dict.fromkeys(pairs, "bridging"),
        marks={path[0]: "focus"}), "utf-8")
    with serve_directory(root) as url:
        yield url


@pytest.fixture
def opened(browser, site):
    """The big map open in a fresh page, with what it logged and requested."""
    page, seen = open_map(browser, site + "map.html")
    try:
        yield page, seen, site
    finally:
        page.close()


def search(page, text: str) -> str:
    page.fill("#search", text)
    page.press("#search", "Enter")
    return page.locator("#search-status").inner_text()


def test_opens_with_sigma_offline_and_draws_every_actor(opened, graph):
    page, seen, site = opened
    assert seen["errors"] == []
    assert seen["requests"] and all(url.startswith(site) for url in seen["requests"]), seen
    assert page.evaluate("() => document.body.dataset.renderer") == "sigma"
    assert page.evaluate("() => window.graphsvc.graph.order") == graph.number_of_nodes()
    assert page.evaluate("() => window.graphsvc.graph.size") == graph.number_of_edges()
    # Drawn with WebGL: sigma's node layer holds a WebGL context.
    assert page.evaluate("""() => [...document.querySelectorAll('#network canvas')]
        .some(c => c.classList.contains('sigma-nodes'))""")
    assert page.evaluate("() => typeof vis") == "undefined"  # vis-network is not in the page


def test_legend_is_visible(opened):
    page, _, _ = opened
    legend = page.locator("#legend")
    for label in ("Tegnforklaring", "Enkeltperson", "Frivilligsentral", "Kommune", "Initiativ",
                  "Medlemskap og deltakelse", "Bekjentskap", "Hva kartet mangler"):
        assert legend.get_by_text(label, exact=True).first.is_visible(), label


def test_search_selects_the_hit_and_opens_its_details(opened):
    page, seen, _ = opened
    assert search(page, "holmen nærmiljøsentral") == "1 treff"
    assert page.evaluate("() => window.graphsvc.selected()") == ["Holmen nærmiljøsentral"]
    assert page.locator("#details h2").inner_text() == "Holmen nærmiljøsentral"
    assert search(page, "finnes ikke i fjordvik") == "Ingen treff"
    assert page.evaluate("() => window.graphsvc.selected()") == []
    assert seen["errors"] == []


def test_clicking_an_actor_shows_its_details(opened, graph):
    page, seen, _ = opened
    name = "Holmen nærmiljøsentral"
    search(page, name)  # brings it into view, drawn above its neighbours
    page.click("#details-close")
    page.wait_for_timeout(600)  # the camera's 400 ms move
    assert page.locator("#details").is_hidden()
    point = page.evaluate("(n) => window.graphsvc.point(n)", name)
    page.mouse.click(point["x"], point["y"])
    details = page.locator("#details")
    details.wait_for(state="visible")
    assert details.locator("h2").inner_text() == name
    text = details.inner_text()
    assert "Frivilligsentral · Holmen" in text
    assert f"BÅND ({graph.degree('demo:fs-holmen')})" in text  # h3 in capitals
    assert "→ Holmen velforening (samarbeider med)" in text
    assert f"← {HOSTILE_IMG} (samarbeider med)" in text  # as text
    assert "← Person " in text  # its volunteer, by pseudonym
    box = page.locator("#network").bounding_box()
    page.wait_for_timeout(400)  # two clicks within 300 ms are sigma's double click (zoom)
    page.mouse.click(box["x"] + box["width"] - 8, box["y"] + box["height"] - 8)  # empty stage
    details.wait_for(state="hidden")
    assert seen["errors"] == []


def test_two_quick_clicks_select_and_do_not_zoom(opened):
    """A planner clicking two actors quickly (within sigma's 300 ms double-click time) gets the
    second one's details, and the map stays where it was."""
    page, seen, _ = opened
    first, second = "Holmen nærmiljøsentral", "Holmen velforening"
    search(page, first)
    page.wait_for_timeout(600)  # the camera's 400 ms move
    ratio = page.evaluate("() => window.graphsvc.sigma.getCamera().ratio")
    a = page.evaluate("(n) => window.graphsvc.point(n)", first)
    b = page.evaluate("(n) => window.graphsvc.point(n)", second)
    page.mouse.click(a["x"], a["y"])
    page.mouse.click(b["x"], b["y"])
    page.wait_for_timeout(600)  # a zoom would have run by now
    assert page.evaluate("() => window.graphsvc.sigma.getCamera().ratio") == ratio
    assert page.locator("#details h2").inner_text() == second
    page.mouse.dblclick(b["x"], b["y"])
    page.wait_for_timeout(600)
    assert page.evaluate("() => window.graphsvc.sigma.getCamera().ratio") == ratio
    assert seen["errors"] == []


def test_filters_hide_kinds_districts_categories_and_ties(opened, graph):
    page, seen, _ = opened
    hidden = lambda: page.evaluate("() => window.graphsvc.hiddenCount()")  # noqa: E731
    assert hidden() == 0
    page.get_by_label("Enkeltperson").uncheck()
    individuals = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "individual")
    assert hidden() == individuals
    assert search(page, "person ") == "Ingen treff"  # a search finds only what is shown
    page.get_by_label("Enkeltperson").check()
    page.select_option("#f-district", "Holmen")
    assert hidden() == sum(1 for _, d in graph.nodes(data=True) if d.get("district") != "Holmen")
    page.select_option("#f-district", "")
    page.select_option("#f-category", "help.transport")
    offering = sum(1 for _, d in graph.nodes(data=True)
                   if "help.transport" in {h["category"] for h in
                                           [*(d.get("offers") or []), *(d.get("needs") or [])]})
    assert 0 < graph.number_of_nodes() - hidden() == offering
    page.select_option("#f-category", "")
    page.get_by_label("Bekjentskap").uncheck()
    off = page.evaluate("""() => { const s = window.graphsvc.sigma;
        return window.graphsvc.graph.edges().filter(e => s.getEdgeDisplayData(e).hidden).length; }""")
    assert off == sum(1 for *_, d in graph.edges(data=True) if d.get("kind") == "KNOWS")
    assert seen["errors"] == []


def test_hostile_names_show_as_text_and_never_run(opened):
    page, seen, _ = opened
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert search(page, HOSTILE_IMG) == "1 treff"
    assert page.locator("#details h2").inner_text() == HOSTILE_IMG
    page.wait_for_timeout(600)
    point = page.evaluate("(n) => window.graphsvc.point(n)", HOSTILE_IMG)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert HOSTILE_IMG in tooltip.inner_text()
    assert "<img src=x onerror=window.__pwned=3>" in tooltip.inner_text()
    assert search(page, HOSTILE_SCRIPT) == "1 treff"
    assert page.evaluate("() => document.images.length") == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert seen["errors"] == []


def test_a_path_is_drawn_black_over_a_dimmed_map_with_its_steps(browser, site, path):
    page, seen = open_map(browser, site + "path.html")
    try:
        shown = page.evaluate("""() => {
            const s = window.graphsvc.sigma, g = window.graphsvc.graph, D = GRAPHSVC_DATA;
            const colours = g.nodes().map(n => s.getNodeDisplayData(n).color);
            const black = g.edges().filter(e => s.getEdgeDisplayData(e).color === '#000000');
            const labelled = g.edges().map(e => s.getEdgeDisplayData(e).label).filter(Boolean);
            return {colours, black: black.length, labelled,
                    onPath: D.hi.concat(Object.keys(D.mk).map(Number))};
        }""")
        on_path = set(shown["onPath"])
        assert len(on_path) == len(path)
        assert shown["black"] >= len(path) - 1
        assert sorted(shown["labelled"])[0] == "1. brobyggende"
        assert len(shown["labelled"]) == len(path) - 1
        kind_colours = {c.lower() for c in KIND_COLOUR.values()}
        assert all(shown["colours"][i].lower() in kind_colours for i in on_path)
        dimmed = [c for i, c in enumerate(shown["colours"]) if i not in on_path]
        assert dimmed and not any(c.lower() in kind_colours for c in dimmed)
        legend = page.locator("#legend")
        assert legend.get_by_text("Uthevet", exact=True).is_visible()
        assert legend.locator("ol.hops li").count() == len(path) - 1
        assert seen["errors"] == []
    finally:
        page.close()


def test_english_on_request(browser, site):
    page, seen = open_map(browser, site + "en.html")
    try:
        assert page.locator("#legend h2").inner_text() == "Legend"
        assert search(page, "holmen nærmiljøsentral") == "1 found"
        assert "TIES (" in page.locator("#details").inner_text().upper()
        assert seen["errors"] == []
    finally:
        page.close()
