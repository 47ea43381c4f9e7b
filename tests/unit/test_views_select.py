"""Which actors each view shows, what it marks, and how it is titled (graphsvc.views)."""

from __future__ import annotations

import math
import sys
from datetime import date
from itertools import pairwise

import networkx as nx
import pytest

from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.views import HOP_KINDS, booklet_views, build_view
from tests.fixtures.graphs import NAMED_PERSON, NAMED_PERSON_ID, small_community
from visualisations.layout import ring_layout

TODAY = date(2025, 3, 14)


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return small_community()


def test_network_is_everything_and_district_only_its_actors(G):
    assert build_view(G, "network").graph.number_of_nodes() == G.number_of_nodes()
    v = build_view(G, "district", district="Holmen", today=TODAY)
    assert {d["district"] for _, d in v.graph.nodes(data=True)} == {"Holmen"}
    assert v.title == "Ressurskart – Fjordvik kommune – Holmen"
    assert v.subtitle == "Fjordvik kommune · Grend: Holmen · 14.03.2025"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        pytest.param({"view": "district"}, ValidationError, "needs a district", id="no-district"),
        pytest.param({"view": "network", "district": "Atlantis"}, NotFoundError,
                     "no actors in district 'Atlantis'", id="unknown-district"),
        pytest.param({"view": "ego"}, ValidationError, "needs a focus", id="no-focus"),
        pytest.param({"view": "ego", "focus": "nope"}, NotFoundError, "'nope'", id="bad-focus"),
        pytest.param({"view": "path", "source": "demo:p01"}, ValidationError, "'from' and 'to'",
                     id="no-target"),
        pytest.param({"view": "path", "source": "demo:p10", "target": "demo:kommune"},
                     NotFoundError, "no path between", id="no-path"),
        pytest.param({"view": "path", "path": ["demo:vel", "demo:fs-holmen"],
                      "hops": ["bonding", "linking"]}, ValidationError, "n-1 hop labels",
                     id="hops-mismatch"),
        pytest.param({"view": "map"}, ValidationError, "unknown view 'map'", id="bad-view"),
    ],
)
def test_bad_requests_are_clear_errors(G, kwargs, error, message):
    with pytest.raises(error, match=message):
        build_view(G, **kwargs)


def test_ego_map_centres_the_focus_with_the_community_near_and_institutions_outside(G):
    v = build_view(G, "ego", focus="demo:sua", depth=1, lang="en")
    assert v.focus == "demo:sua" and v.marks == {"demo:sua": "focus"}
    assert set(v.graph) == {"demo:sua", *nx.all_neighbors(G, "demo:sua")}
    assert v.title.startswith("Resource map around Sykling uten alder Fjordvik")
    pos, rings = ring_layout(v.graph.to_undirected(as_view=True), "demo:sua")
    radius = {n: math.hypot(*p) for n, p in pos.items()}
    assert radius["demo:sua"] == 0
    inner = [r for n, r in radius.items() if G.nodes[n]["kind"] in ("individual", "association")]
    outer = [r for n, r in radius.items()
             if G.nodes[n]["kind"] in ("institution", "frivilligsentral", "municipality")]
    assert inner and outer and max(inner) < min(outer)
    assert [ring for ring, _ in rings] == [1, 2]


def test_ego_map_of_a_person_never_names_them(G):
    v = build_view(G, "ego", focus=NAMED_PERSON_ID)
    assert NAMED_PERSON not in v.title and "Person " in v.title


def test_crowded_rings_split_so_nodes_keep_their_distance():
    G = nx.star_graph(300)
    nx.set_node_attributes(G, "individual", "kind")
    pos, _ = ring_layout(G, 0)
    pts = [p for n, p in pos.items() if n]
    closest = min(math.dist(a, b) for i, a in enumerate(pts) for b in pts[i + 1:i + 40])
    assert closest > 0.02


def test_path_map_highlights_a_path_with_labelled_hops(G):
    v = build_view(G, "path", source="demo:p07", target="demo:kommune", lang="en")
    path = list(v.marks)
    assert path[0] == "demo:p07" and path[-1] == "demo:kommune"
    assert nx.is_path(G.to_undirected(), path)
    assert len(v.hop_labels) == len(path) - 1
    assert set(v.hop_labels.values()) <= set(HOP_KINDS)
    assert v.highlight == list(pairwise(path))
    assert "From Person " in v.subtitle and "to Fjordvik kommune" in v.subtitle
    assert set(path) <= set(v.graph)


def test_without_the_analysis_module_the_path_is_a_shortest_one_unlabelled(G, monkeypatch):
    monkeypatch.setitem(sys.modules, "graphsvc.analysis.paths", None)  # import fails
    v = build_view(G, "path", source="demo:p07", target="demo:kommune")
    assert len(v.marks) == nx.shortest_path_length(G.to_undirected(), "demo:p07",
                                                   "demo:kommune") + 1
    assert set(v.hop_labels.values()) == {"unlabelled"}


def test_path_map_draws_a_given_labelled_path(G):
    path = ["demo:p02", "demo:vel", "demo:fs-holmen", "demo:kommune"]
    v = build_view(G, "path", path=path, hops=["bonding", "bridging", "linking"])
    assert list(v.hop_labels.items()) == [(("demo:p02", "demo:vel"), "bonding"),
                                          (("demo:vel", "demo:fs-holmen"), "bridging"),
                                          (("demo:fs-holmen", "demo:kommune"), "linking")]
    assert all(v.marks[n] == "path" for n in path)


def test_gap_map_marks_isolated_actors_and_holders_of_unmet_needs(G):
    v = build_view(G, "gaps")
    assert v.marks["demo:p10"] == "unmet"  # isolated too, but the unmet need says more
    assert v.marks["demo:p07"] == "unmet"  # nobody offers visiting
    assert "demo:bibliotek" not in v.marks
    given = build_view(G, "gaps", unmet_needs=["demo:n4"], isolated=[])
    assert given.marks == {"demo:sykehjem": "unmet"}
    assert build_view(G, "gaps", unmet_needs=[]).marks == {"demo:p10": "isolated"}


def test_filters_keep_kinds_and_categories_but_never_the_focus_or_path(G):
    v = build_view(G, "network", kinds=["association", "frivilligsentral"], today=TODAY)
    assert {d["kind"] for _, d in v.graph.nodes(data=True)} == {"association",
                                                                 "frivilligsentral"}
    assert "Aktører: lag og forening, frivilligsentral" in v.subtitle
    v = build_view(G, "network", category="social")  # a parent category keeps its children
    assert {"demo:vel", "demo:bibliotek", "demo:p07"} <= set(v.graph)
    assert "Kategori: " in v.subtitle
    v = build_view(G, "ego", focus="demo:sua", kinds=["institution"])
    assert "demo:sua" in v.graph
    assert {d["kind"] for n, d in v.graph.nodes(data=True) if n != "demo:sua"} == {"institution"}


def test_booklet_is_the_whole_community_then_each_district(G):
    pages = booklet_views(G)
    districts = sorted({d["district"] for _, d in G.nodes(data=True) if d.get("district")})
    assert [p.name for p in pages] == ["network"] + ["district"] * len(districts)
    assert [p.title.rsplit(" – ", 1)[-1] for p in pages[1:]] == districts
