"""What a planner reads off the API for a community whose answers are known in advance: the
order of match results, the hops of a path, the communities found, and a print that shows
something. (The demo-data tests in test_api.py and test_analysis_api.py check shapes; these
check answers.)"""

from __future__ import annotations

import io
import re
import zlib

import matplotlib.image
import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.model import GraphBatch
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore

# Two tight groups, Holmen and Vik, joined by one weak tie between their sentrals.
HOLMEN = ["t:h-fs", "t:h-vel", "t:h-kor", "t:h-lag"]
VIK = ["t:v-fs", "t:v-vel", "t:v-kor", "t:v-lag"]


def _batch() -> GraphBatch:
    actors = [{"id": i, "kind": "frivilligsentral" if i.endswith("-fs") else "association",
               "name": f"{'Holmen' if i.startswith('t:h') else 'Vik'} {i.split('-', 1)[1]}",
               "district": "Holmen" if i.startswith("t:h") else "Vik"} for i in HOLMEN + VIK]
    ties = []
    for group in (HOLMEN, VIK):
        ties += [{"source": a, "target": b, "kind": "PARTNERS_WITH", "strength": 0.9}
                 for n, a in enumerate(group) for b in group[n + 1:]]
    ties.append({"source": "t:h-fs", "target": "t:v-fs", "kind": "PARTNERS_WITH",
                 "strength": 0.3})
    resources = [
        {"id": "r:skyss-vik", "holder": "t:v-lag", "category": "help.transport", "capacity": 20},
        {"id": "r:skyss-holmen", "holder": "t:h-lag", "category": "help.transport",
         "capacity": 2},
        {"id": "r:hjelp-holmen", "holder": "t:h-kor", "category": "help"},
    ]
    return GraphBatch.model_validate({"actors": actors, "ties": ties, "resources": resources})


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("visible") / "api.db")
    store.write(_batch())
    with TestClient(create_app(Settings(store=store.url), store=store)) as client:
        yield client
    store.close()


def test_match_lists_the_offers_in_the_order_a_planner_expects(api):
    body = api.get("/match", params={"category": "help.transport", "district": "Holmen",
                                     "capacity": 12}).json()
    # Exact and local first; then the broader 'help' offer, local and one step away; last the
    # exact offer in Vik, two steps away, whose capacity does not make up for the distance.
    assert [r["resource"]["id"] for r in body["results"]] == [
        "r:skyss-holmen", "r:hjelp-holmen", "r:skyss-vik"]
    assert [r["fit"] for r in body["results"]] == ["exact", "parent", "exact"]
    assert [r["social_distance"] for r in body["results"]] == [1, 1, 2]
    assert [r["rank"] for r in body["results"]] == [1, 2, 3]
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == 3
    assert body["introducer"]["id"] == "t:h-fs"
    assert [i["id"] for i in body["results"][2]["introducers"]] == ["t:v-fs"]


def test_a_path_between_the_groups_goes_through_both_sentrals(api):
    body = api.get("/paths", params={"source": "t:h-vel", "target": "t:v-kor",
                                     "lang": "en"}).json()
    assert body["found"]
    hops = [(h["from"]["id"], h["to"]["id"]) for h in body["paths"][0]["hops"]]
    assert hops == [("t:h-vel", "t:h-fs"), ("t:h-fs", "t:v-fs"), ("t:v-fs", "t:v-kor")]
    assert body["paths"][0]["length"] == 3


def test_the_communities_found_are_the_two_groups(api):
    body = api.get("/communities", params={"lang": "en"}).json()
    found = sorted(sorted(m["id"] for m in c["members"]) for c in body["communities"])
    assert found == [sorted(HOLMEN), sorted(VIK)]
    assert body["count"] == 2 and {c["size"] for c in body["communities"]} == {4}
    assert {c["districts"]["Holmen" if "t:h-fs" in str(c["members"]) else "Vik"]
            for c in body["communities"]} == {4}
    assert all(c["ties_out"]["bridging"] == 1 for c in body["communities"])


@pytest.mark.parametrize("fmt", ["png", "pdf"])
def test_a_print_shows_the_network_not_a_blank_page(api, fmt):
    response = api.get(f"/prints/network.{fmt}", params={"paper": "A4"})
    assert response.status_code == 200
    if fmt == "pdf":
        # The page's content stream draws: many path operators (moveto/lineto/curveto and
        # fills), as a page with the network has and a blank page has not.
        pdf = response.content
        assert pdf.startswith(b"%PDF") and b"/Type /Page" in pdf
        drawn = b"".join(zlib.decompress(s) for s in
                         re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S)
                         if s[:1] == b"x")
        ops = re.findall(rb"(?m) (m|l|c|re)$", drawn)
        assert len(ops) > 100, f"only {len(ops)} drawing operators: a blank page?"
        return
    pixels = matplotlib.image.imread(io.BytesIO(response.content), format="png")[..., :3]
    grey = pixels.mean(axis=2)
    assert grey.max() - grey.min() > 0.4  # drawn content: dark marks on a light page
    assert grey.std() > 0.02
    assert (grey < 0.5).mean() > 0.001
