"""Paths of trust on hand-built graphs with known answers."""

from __future__ import annotations

import pytest

from graphsvc.analysis import linking_path, path_between
from graphsvc.errors import NotFoundError
from tests.fixtures.graphs import graph_from_batch


def _graph():
    """Two routes from Anna to Carl: via the choir (strong ties) and via Berit (weak ties);
    Anna reaches the municipality through the frivilligsentral; Ole is cut off."""
    A = lambda i, k, d="Nes", **kw: {"id": f"t:{i}", "kind": k, "name": i.title(),
                                     "district": d, **kw}
    actors = [A("anna", "individual", age_band="80+"), A("berit", "individual", "Vik"),
              A("carl", "individual", age_band="80+"), A("ole", "individual"),
              A("kor", "association"), A("fs", "frivilligsentral"),
              A("kommune", "municipality", None), A("hjemmetjenesten", "institution", None),
              A("helsestasjon", "institution", None)]
    T = lambda s, t, k, w: {"source": f"t:{s}", "target": f"t:{t}", "kind": k,
                            "strength": w}
    ties = [T("anna", "kor", "MEMBER_OF", 0.9), T("carl", "kor", "MEMBER_OF", 0.9),
            T("anna", "berit", "KNOWS", 0.2), T("berit", "carl", "KNOWS", 0.2),
            T("anna", "fs", "VOLUNTEERS_AT", 0.8), T("fs", "kommune", "PARTNERS_WITH", 0.7),
            T("hjemmetjenesten", "kommune", "PART_OF", 1.0),
            T("helsestasjon", "kommune", "PART_OF", 1.0)]
    return graph_from_batch(actors=actors, ties=ties)


@pytest.fixture
def G():
    return _graph()


def test_strong_ties_are_preferred_over_fewer_weak_ones(G):
    out = path_between(G, "t:anna", "t:carl", lang="en")
    best = out["paths"][0]
    assert [n["id"] for n in best["nodes"]] == ["t:anna", "t:kor", "t:carl"]
    assert [h["class"] for h in best["hops"]] == ["bonding", "bonding"]
    assert best["weakest"] == 0.9


def test_alternatives_avoid_the_hops_already_shown(G):
    out = path_between(G, "t:anna", "t:carl", alternatives=2)
    routes = [[n["id"] for n in p["nodes"]] for p in out["paths"]]
    assert routes == [["t:anna", "t:kor", "t:carl"], ["t:anna", "t:berit", "t:carl"]]
    # Berit lives in another district and shares nothing else: both hops are bridging.
    assert [h["class"] for h in out["paths"][1]["hops"]] == ["bridging", "bridging"]
    assert out["paths"][1]["label"] == "Alternativ 1"


def test_each_hop_is_labelled_and_explained(G):
    hop = path_between(G, "t:anna", "t:kommune", lang="en", alternatives=0)["paths"][0]["hops"][-1]
    assert hop["tie"] == "PARTNERS_WITH" and hop["class"] == "linking"
    assert hop["explanation"].startswith("Crosses levels of power or authority")


def test_no_path_says_so(G):
    out = path_between(G, "t:anna", "t:ole", lang="en")
    assert out["found"] is False and out["paths"] == []
    assert out["explanation"].startswith("No known path between Person ")


def test_linking_path_to_the_municipality(G):
    out = linking_path(G, "t:anna", lang="en")
    assert out["target"]["id"] == "t:kommune"
    hops = out["paths"][0]["hops"]
    assert [h["to"]["id"] for h in hops] == ["t:fs", "t:kommune"]
    assert all(h["class"] == "linking" for h in hops)
    assert out["paths"][0]["classes"] == {"bonding": 0, "bridging": 0, "linking": 2}


def test_linking_path_to_a_named_service(G):
    out = linking_path(G, "t:carl", service="hjemme", show_names=True, lang="en")
    assert out["target"]["id"] == "t:hjemmetjenesten"
    assert [n["name"] for n in out["paths"][0]["nodes"]] == [
        "Carl", "Kor", "Anna", "Fs", "Kommune", "Hjemmetjenesten"]


def test_individuals_are_pseudonymised_unless_names_are_allowed(G):
    hidden = path_between(G, "t:anna", "t:carl")
    assert hidden["source"]["name"].startswith("Person ")
    assert "Anna" not in str(hidden)
    shown = path_between(G, "t:anna", "t:carl", show_names=True)
    assert shown["source"]["name"] == "Anna"


def test_unknown_actor_or_service_is_not_found(G):
    with pytest.raises(NotFoundError, match="no actor with id 't:nobody'"):
        path_between(G, "t:anna", "t:nobody")
    with pytest.raises(NotFoundError, match="no municipal service or institution matching"):
        linking_path(G, "t:anna", service="brannvesen")
    out = linking_path(G, "t:ole")
    assert out["found"] is False
