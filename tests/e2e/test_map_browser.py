"""The interactive map in a real headless Chromium: it draws offline, makes no request beyond
its own file, runs no hostile name, and shows its legend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.fixtures.browser import node_point, open_map, serve_directory
from tests.fixtures.graphs import HOSTILE_IMG, HOSTILE_SCRIPT, small_community
from visualisations import render_map

HOSTILE_TITLE = "<img src=x onerror=window.__pwned=9> Fjordvik"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def graph():
    return small_community()


@pytest.fixture(scope="module")
def site(tmp_path_factory, graph) -> Iterator[str]:
    """The map written to a file and served from a throwaway server on 127.0.0.1."""
    root: Path = tmp_path_factory.mktemp("map")
    (root / "map.html").write_text(render_map(graph, title=HOSTILE_TITLE), encoding="utf-8")
    with serve_directory(root) as url:
        yield url


@pytest.fixture
def opened(browser, site):
    """The map open in a fresh page, with everything the page logged and requested."""
    page, seen = open_map(browser, site + "map.html")
    try:
        yield page, seen, site
    finally:
        page.close()


def test_map_draws_every_node_offline_without_errors(opened, graph):
    page, seen, site = opened
    assert seen["errors"] == []
    assert seen["requests"] and all(url.startswith(site) for url in seen["requests"]), seen
    assert page.evaluate("() => network.body.data.nodes.length") == graph.number_of_nodes()
    assert page.evaluate("() => network.body.nodeIndices.length") == graph.number_of_nodes()
    assert page.evaluate("() => network.body.data.edges.length") == graph.number_of_edges()
    assert page.evaluate("() => network.physics.options.enabled") is False  # settled


def test_hostile_names_show_as_text_and_never_run(opened):
    page, seen, _ = opened
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.locator("img").count() == 0
    names = page.evaluate("() => network.body.data.nodes.get().map(n => n.name)")
    assert HOSTILE_IMG in names and HOSTILE_SCRIPT in names
    # Hover the hostile association: its tooltip shows the name and the hostile offer as text.
    point = node_point(page, HOSTILE_IMG)
    page.mouse.move(point["x"], point["y"])
    tooltip = page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible")
    assert HOSTILE_IMG in tooltip.inner_text()
    assert "<img src=x onerror=window.__pwned=3>" in tooltip.inner_text()
    assert page.locator("img").count() == 0
    assert page.evaluate("() => typeof window.__pwned") == "undefined"
    assert seen["errors"] == []


def test_legend_is_visible(opened):
    page, _, _ = opened
    legend = page.locator("#legend")
    assert legend.is_visible()
    for label in ("Tegnforklaring", "Enkeltperson", "Frivilligsentral", "Kommune", "Initiativ",
                  "Medlemskap og deltakelse", "Bekjentskap"):
        assert legend.get_by_text(label, exact=True).first.is_visible(), label


def test_search_and_kind_filter(opened, graph):
    page, seen, _ = opened
    page.fill("#search", "holmen velforening")
    page.press("#search", "Enter")
    page.wait_for_function("() => network.getSelectedNodes().length === 1")
    assert page.locator("#search-status").inner_text() == "1 treff"
    page.get_by_label("Enkeltperson").uncheck()
    hidden = page.evaluate("() => network.body.data.nodes.get({filter: n => n.hidden}).length")
    individuals = sum(1 for _, d in graph.nodes(data=True) if d["kind"] == "individual")
    assert hidden == individuals
    assert seen["errors"] == []
