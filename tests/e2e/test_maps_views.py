"""Every view in a real headless Chromium: loads offline without errors, the details panel
shows hostile text as text, the filters change what is visible, and the aggregated map of a big
community drills down into a district and back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from graphsvc.views import build_view
from tests.e2e.test_map_browser import HOSTILE_TITLE
from tests.fixtures.browser import node_point, serve_directory
from tests.fixtures.browser import open_map as open_page
from tests.fixtures.graphs import (
    HOSTILE_IMG,
    VIEWS,
    sized_community,
    small_community,
)
from visualisations import render_map

pytestmark = pytest.mark.browser



@pytest.fixture(scope="module")
def graph():
    return small_community()


@pytest.fixture(scope="module")
def big():
    return sized_community(400, seed=5)


@pytest.fixture(scope="module")
def site(tmp_path_factory, graph, big) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("maps")
    for name, kwargs in VIEWS.items():
        v = build_view(graph, name, **kwargs)
        html = render_map(v.graph, **{**v.render_kwargs(), "title": HOSTILE_TITLE})
        (root / f"{name}.html").write_text(html, encoding="utf-8")
    (root / "clusters.html").write_text(render_map(big, title="Stor", aggregate=True), "utf-8")
    with serve_directory(root) as url:
        yield url


@pytest.fixture
def open_map(browser, site):
    pages = []

    def _open(name: str):
        page, seen = open_page(browser, f"{site}{name}.html")
        pages.append(page)
        return page, seen

    yield _open
    for page in pages:
        page.close()


def _click_node(page, name: str) -> None:
    point = node_point(page, name)
    page.mouse.click(point["x"], point["y"])


def _visible(page) -> int:
    return page.evaluate("() => network.body.data.nodes.get({filter: n => !n.hidden}).length")


@pytest.mark.parametrize("name", [*VIEWS, "clusters"])
def test_every_view_loads_offline_without_errors(open_map, site, name):
    page, seen = open_map(name)
    assert seen["errors"] == []
    assert seen["requests"] and all(url.startswith(site) for url in seen["requests"]), seen
    assert page.evaluate("() => network.body.nodeIndices.length") > 0
    assert page.locator("#legend").is_visible()
    assert page.evaluate("() => typeof window.__pwned") == "undefined"


def test_details_panel_shows_hostile_text_as_text(open_map):
    page, seen = open_map("network")
    _click_node(page, HOSTILE_IMG)
    panel = page.locator("#details")
    panel.wait_for(state="visible")
    text = panel.inner_text()
    assert HOSTILE_IMG in text and "<img src=x onerror=window.__pwned=3>" in text
    assert "Holmen nærmiljøsentral" in text  # its ties, by name
    assert page.locator("img").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    page.click("#details-close")
    assert not panel.is_visible()
    assert seen["errors"] == []


def test_category_district_and_tie_filters_change_what_is_visible(open_map, graph):
    page, _ = open_map("network")
    total = graph.number_of_nodes()
    assert _visible(page) == total
    page.select_option("#f-district", "Holmen")
    holmen = sum(1 for _, d in graph.nodes(data=True) if d.get("district") == "Holmen")
    assert _visible(page) == holmen
    page.select_option("#f-district", "")
    page.select_option("#f-category", "culture.music")
    music = [n for n, d in graph.nodes(data=True)
             if any(h["category"] == "culture.music" for h in d["offers"] + d["needs"])]
    assert _visible(page) == len(music) == 2
    page.select_option("#f-category", "")
    page.get_by_label("Bekjentskap").uncheck()
    hidden = page.evaluate("() => network.body.data.edges.get({filter: e => e.hidden}).length")
    assert hidden == sum(1 for *_, k in graph.edges(keys=True) if k == "KNOWS")


def test_search_selects_and_opens_the_details(open_map):
    page, _ = open_map("network")
    page.fill("#search", "bibliotek")
    page.press("#search", "Enter")
    page.wait_for_function("() => network.getSelectedNodes().length === 1")
    assert "Fjordvik bibliotek" in page.locator("#details").inner_text()


def test_path_map_labels_its_hops_on_the_canvas(open_map):
    page, _ = open_map("path")
    labels = page.evaluate("() => network.body.data.edges.get({filter: e => e.label})"
                           ".map(e => e.label).sort()")
    assert labels == ["1. sammenbindende", "2. brobyggende", "3. forbindende"]


def test_clusters_drill_down_to_a_district_and_back(open_map, big):
    page, seen = open_map("clusters")
    assert page.evaluate("() => window.graphsvc.mode()") == "overview"
    clusters = page.evaluate("() => network.body.data.nodes.length")
    assert clusters < big.number_of_nodes() / 5
    _click_node(page, "Holmen")
    page.wait_for_function("() => window.graphsvc.mode() === 'district'")
    holmen = sum(1 for _, d in big.nodes(data=True) if d.get("district") == "Holmen")
    assert page.evaluate("() => network.body.data.nodes.length") == holmen
    page.click("#overview")
    assert page.evaluate("() => window.graphsvc.mode()") == "overview"
    assert page.evaluate("() => network.body.data.nodes.length") == clusters
    # Searching from the overview opens the district of the hit.
    name = next(d["name"] for _, d in big.nodes(data=True)
                if d["kind"] == "association" and d.get("district") == "Strandvik")
    page.fill("#search", name)
    page.press("#search", "Enter")
    page.wait_for_function("() => network.getSelectedNodes().length >= 1")
    assert page.evaluate("() => window.graphsvc.mode()") == "district"
    assert seen["errors"] == []
