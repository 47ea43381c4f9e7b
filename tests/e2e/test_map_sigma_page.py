"""The sigma.js page as written (no browser): which maps get it, that it carries each actor
once and compactly, only what a published map may carry, hostile text only inside JSON strings,
and a Content-Security-Policy that allows just its own scripts."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest

from tests.fixtures.graphs import (
    AGE_BAND,
    BACKGROUND_TEXT,
    CONSENT_TEXT,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    NAMED_PERSON,
    NAMED_PERSON_ID,
    sized_community,
    small_community,
)
from visualisations import render_map
from visualisations.map import SIGMA_FROM, _sha256


def page_data(html: str) -> dict:
    m = re.search(r"var GRAPHSVC_DATA = (\{.*?\});\n", html, re.DOTALL)
    assert m, "no graph data in the page"
    return json.loads(m.group(1))


def renderer(html: str) -> str:
    return re.search(r'<body data-renderer="(\w+)">', html).group(1)


@pytest.fixture(scope="module")
def big() -> nx.MultiDiGraph:
    """Just above the threshold, with the small community's hostile names and named person."""
    G = nx.compose(sized_community(SIGMA_FROM, seed=4), small_community())
    assert G.number_of_nodes() >= SIGMA_FROM
    return G


@pytest.fixture(scope="module")
def big_page(big) -> str:
    return render_map(big, title="Stor")


def test_large_maps_get_sigma_and_smaller_ones_vis_network(big_page):
    assert renderer(big_page) == "sigma"
    assert renderer(render_map(small_community(), title="x")) == "vis"
    small = sized_community(SIGMA_FROM - 300, seed=4)
    assert small.number_of_nodes() < SIGMA_FROM
    assert renderer(render_map(small, title="x")) == "vis"


def test_the_cluster_overview_asked_for_stays_vis_network(big):
    page = render_map(big, title="x", aggregate=True)
    assert renderer(page) == "vis" and page_data(page)["clusters"]["nodes"]


def test_every_actor_and_tie_is_shipped_once_in_columns(big, big_page):
    data = page_data(big_page)
    n = big.number_of_nodes()
    assert len(data["nm"]) == len(data["kd"]) == len(data["sz"]) == len(data["deg"]) == n
    assert len(data["xy"]) == 2 * n
    assert sum(data["deg"]) == len(data["to"]) == big.number_of_edges()
    assert "nodes" not in data and "edges" not in data  # not vis-network's objects as well
    names = sorted(data["nm"])
    assert HOSTILE_IMG in names and HOSTILE_SCRIPT in names and "Fjordvik bibliotek" in names
    # A fifth of the data vis-network's page carries for the same graph.
    vis = render_map(big, title="Stor", renderer="vis", aggregate=False)
    data_of = lambda page: re.search(r"var GRAPHSVC_DATA = (.*?);\n", page).group(1)  # noqa: E731
    assert len(data_of(big_page)) < len(data_of(vis)) / 5


def test_a_person_is_a_pseudonym_and_nothing_personal_reaches_the_page(big_page):
    for secret in (NAMED_PERSON, "Tveitbakk", NAMED_PERSON_ID, AGE_BAND, BACKGROUND_TEXT,
                   CONSENT_TEXT, "verksted-holmen", "har stor bil", "demo:", "gen:"):
        assert secret not in big_page, secret


def test_names_are_shown_when_the_caller_may_see_them(big):
    assert NAMED_PERSON in page_data(render_map(big, title="x", show_names=True))["nm"]


def test_hostile_text_stays_inside_json_strings(big_page):
    assert HOSTILE_IMG not in big_page and HOSTILE_SCRIPT not in big_page
    data_js = re.search(r"var GRAPHSVC_DATA = (\{.*?\});\n", big_page, re.DOTALL).group(1)
    assert "<" not in data_js and ">" not in data_js  # escaped as \u003c, \u003e
    assert "\\u003cimg src=x onerror=window.__pwned=1\\u003e" in data_js


def test_the_csp_allows_exactly_the_pages_scripts(big_page):
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', big_page).group(1)
    scripts = re.findall(r"<script>(.*?)</script>", big_page, re.DOTALL)
    assert len(scripts) == 3  # graphology, sigma, the page's own
    allowed = re.search(r"script-src ([^;]+);", csp.replace("&#x27;", "'")).group(1).split()
    assert sorted(allowed) == sorted(_sha256(s) for s in scripts)
    assert "default-src 'none'" in csp.replace("&#x27;", "'")


def test_english_on_request(big):
    page = render_map(big, title="x", lang="en")
    assert '<html lang="en">' in page and "Legend" in page and "Tegnforklaring" not in page
    assert page_data(page)["text"]["hits"] == "found"


def test_a_highlighted_path_is_shipped_with_its_steps(big):
    path = nx.shortest_path(big.to_undirected(as_view=True), "demo:p03", "demo:kommune")
    pairs = list(zip(path, path[1:]))
    hops = {pair: "bridging" for pair in pairs}
    data = page_data(render_map(big, title="x", highlight=path + pairs, hop_labels=hops))
    assert data["dim"] is True
    assert len(data["ehi"]) >= len(pairs)
    assert sorted(data["hop"].values())[0].startswith("1. ")
    assert len(data["hi"]) == len(path)
