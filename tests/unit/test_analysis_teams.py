"""Teams for an initiative, reciprocal pairs, and matching by coordinates, capacity and
availability, on hand-built graphs with known answers."""

from __future__ import annotations

import pytest

from graphsvc.analysis import build_team, match_need, reciprocal_pairs
from graphsvc.errors import NotFoundError, ValidationError
from tests.fixtures.graphs import graph_from_batch


def _graph():
    A = lambda i, k, d, **kw: {"id": f"t:{i}", "kind": k, "name": i, "district": d, **kw}
    actors = [A("fs", "frivilligsentral", "Nes"), A("sykkel", "association", "Nes"),
              A("verksted", "business", "Vik"), A("allsidig", "association", "Vik"),
              A("ola", "individual", "Nes"), A("kari", "individual", "Nes"),
              A("kor", "association", "Nes"), A("sykehjem", "institution", "Nes")]
    initiatives = [{"id": "t:sua", "name": "Sykling uten alder – Nes", "district": "Nes",
                    "required_categories": ["activity.cycling", "space.vehicle",
                                            "help.transport", "help.respite"]}]
    R = lambda i, h, c, **kw: {"id": f"t:{i}", "holder": f"t:{h}", "category": c, **kw}
    resources = [R("o1", "sykkel", "activity.cycling", capacity=4),
                 R("o2", "verksted", "space.vehicle"),
                 R("o3", "allsidig", "activity.cycling"), R("o4", "allsidig", "space.vehicle"),
                 R("o5", "allsidig", "help.transport"),
                 R("o6", "fs", "help.transport"),
                 R("o7", "kor", "culture.music"), R("o8", "sykehjem", "space.room")]
    needs = [R("n1", "kor", "space.room"), R("n2", "sykehjem", "culture.music")]
    T = lambda s, t, k: {"source": f"t:{s}", "target": f"t:{t}", "kind": k}
    ties = [T("fs", "sua", "COORDINATES"), T("sykkel", "sua", "PARTICIPATES_IN")]
    return graph_from_batch(actors=actors, initiatives=initiatives, resources=resources,
                            needs=needs, ties=ties)


@pytest.fixture
def G():
    return _graph()


def test_team_covers_what_it_can_and_returns_the_rest_as_gaps(G):
    out = build_team(G, "t:sua", show_names=True, lang="en")
    # The local, involved actors win their categories; the all-rounder in Vik fills the van.
    assert [m["actor"]["id"] for m in out["team"]] == ["t:sykkel", "t:fs", "t:allsidig"]
    assert [c["category"] for m in out["team"] for c in m["covers"]] == [
        "activity.cycling", "help.transport", "space.vehicle"]
    assert [g["category"] for g in out["uncovered"]] == ["help.respite"]
    assert out["uncovered"][0]["explanation"] == \
        "Nobody in the municipality offers respite for carers"
    assert out["explanation"] == "3 actors cover 3 of 4 categories; missing: Respite for carers"
    assert "already takes part in the initiative" in out["team"][0]["explanation"]


def test_among_equals_one_actor_covering_more_wins(G):
    G.remove_nodes_from(["t:sykkel", "t:fs"])   # leave only actors from Vik, none involved
    G.graph.pop("_cache", None)
    out = build_team(G, "t:sua", categories=["activity.cycling", "space.vehicle",
                                             "help.transport"])
    assert [m["actor"]["id"] for m in out["team"]] == ["t:allsidig"]   # one covers all three
    assert out["uncovered"] == []


def test_a_team_limit_leaves_offered_categories_uncovered(G):
    out = build_team(G, "t:sua", categories=["activity.cycling", "culture.music"],
                     max_size=1, lang="en")
    assert [g["category"] for g in out["uncovered"]] == ["culture.music"]
    assert out["uncovered"][0]["offered_by_anyone"] is True
    assert out["uncovered"][0]["explanation"] == "Music and song: not covered within a team of 1"


def test_team_errors(G):
    with pytest.raises(NotFoundError):
        build_team(G, "t:nothing")
    with pytest.raises(ValidationError, match="unknown category 'x.y'"):
        build_team(G, "t:sua", categories=["x.y"])


def test_reciprocal_pairs(G):
    out = reciprocal_pairs(G, show_names=True, lang="en")
    assert out["count"] == 1
    pair = out["pairs"][0]
    assert {pair["a"]["id"], pair["b"]["id"]} == {"t:kor", "t:sykehjem"}
    assert pair["same_district"] is True
    assert reciprocal_pairs(G, actor="t:fs")["count"] == 0


def test_match_ranks_by_capacity_when_the_need_is_large(G):
    small = match_need(G, "activity.cycling", district="Vik")
    assert small["results"][0]["actor"]["id"] == "t:allsidig"  # same district
    big = match_need(G, "activity.cycling", capacity=4, lang="en")
    assert big["results"][0]["actor"]["id"] == "t:sykkel"      # the only one with capacity 4


def test_match_by_coordinates_and_availability():
    A = lambda i, lat, lon: {"id": f"t:{i}", "kind": "individual", "name": i,
                             "lat": lat, "lon": lon}
    G = graph_from_batch(
        actors=[A("near", 62.00, 6.00), A("far", 62.30, 6.00), A("me", 62.01, 6.00)],
        resources=[{"id": "t:r1", "holder": "t:near", "category": "help.digital",
                    "availability": "dagtid"},
                   {"id": "t:r2", "holder": "t:far", "category": "help.digital",
                    "availability": "kveld"}])
    out = match_need(G, "help.digital", seeker="t:me", lang="en")
    assert [r["actor"]["id"] for r in out["results"]] == ["t:near", "t:far"]
    assert out["results"][0]["distance_km"] == pytest.approx(1.11, abs=0.01)
    assert "About 1.1 km away" in out["results"][0]["explanation"]
    evening = match_need(G, "help.digital", lang="en", availability="Kveld")
    assert evening["results"][0]["actor"]["id"] == "t:far"
    assert "Available when needed: kveld" in evening["results"][0]["explanation"]
    with pytest.raises(ValidationError, match="give both lat and lon"):
        match_need(G, "help.digital", lat=62.0)
