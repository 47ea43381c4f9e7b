"""``/maps/{view}.html`` and ``/prints/{view}.{fmt}`` take the same filters as the CLI and answer
errors in the one error shape."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.api.deps import get_graph
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from tests.fixtures.graphs import NAMED_PERSON, small_community
from tests.unit.test_encoding import page_data


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("api") / "maps.db")
    app = create_app(Settings(store=store.url), store=store)
    G = small_community()
    app.dependency_overrides[get_graph] = lambda: G
    with TestClient(app) as client:
        yield client
    store.close()


@pytest.mark.parametrize(
    ("view", "params", "expected"),
    [
        pytest.param("network", {}, "Ressurskart – Fjordvik kommune", id="network"),
        pytest.param("district", {"district": "Holmen"}, "Grend: Holmen", id="district"),
        pytest.param("ego", {"focus": "demo:sua", "depth": 1}, "Ressurskart rundt Sykling",
                     id="ego"),
        pytest.param("path", {"from": "demo:p07", "to": "demo:kommune"}, "Vei i nettverket",
                     id="path"),
        pytest.param("gaps", {"district": "Åsheim"}, "Udekket behov", id="gaps"),
        pytest.param("network", {"kind": ["association", "frivilligsentral"], "lang": "en"},
                     "Actors: association, volunteer centre", id="kinds-en"),
    ],
)
def test_every_view_as_a_map(api, view, params, expected):
    response = api.get(f"/maps/{view}.html", params=params)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert expected in response.text
    assert NAMED_PERSON not in response.text


def test_kind_filter_reaches_the_map(api):
    data = page_data(api.get("/maps/network.html", params={"kind": "association"}).text)
    assert {n["group"] for n in data["nodes"]} == {"association"}


def test_aggregate_on_request(api):
    data = page_data(api.get("/maps/network.html", params={"aggregate": "true"}).text)
    assert data["clusters"]["nodes"]
    assert "clusters" not in page_data(api.get("/maps/network.html").text)


def test_path_map_from_and_to(api):
    data = page_data(api.get("/maps/path.html",
                             params={"from": "demo:p07", "to": "demo:kommune"}).text)
    labels = sorted(e["label"] for e in data["edges"] if "label" in e)
    assert labels and labels[0].startswith("1. ")
    assert {x.split(". ")[1] for x in labels} <= {"sammenbindende", "brobyggende", "forbindende",
                                                  "uklassifisert"}


@pytest.mark.parametrize(("fmt", "magic"), [("pdf", b"%PDF"), ("svg", b"<?xml"),
                                            ("png", b"\x89PNG")])
def test_every_view_prints(api, fmt, magic):
    response = api.get(f"/prints/ego.{fmt}", params={"focus": "demo:fs-holmen",
                                                     "paper": "A3", "orientation": "portrait"})
    assert response.status_code == 200, response.text
    assert response.content.startswith(magic)
    assert "graphsvc-ego-" in response.headers["content-disposition"]


def test_booklet(api):
    response = api.get("/prints/booklet.pdf", params={"lang": "en"})
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", response.content)) == 6


@pytest.mark.parametrize(
    ("url", "params", "status", "message"),
    [
        pytest.param("/maps/ego.html", {}, 422, "needs a focus", id="no-focus"),
        pytest.param("/maps/ego.html", {"focus": "nope"}, 404, "'nope'", id="unknown-focus"),
        pytest.param("/maps/district.html", {}, 422, "needs a district", id="no-district"),
        pytest.param("/maps/path.html", {"from": "demo:p10", "to": "demo:kommune"}, 404,
                     "no path between", id="no-path"),
        pytest.param("/prints/network.pdf", {"district": "Atlantis", "lang": "en"}, 422,
                     "unknown district 'Atlantis'", id="unknown-district"),
        pytest.param("/prints/network.pdf", {"district": "Atlantis"}, 422,
                     "ukjent grend 'Atlantis'; kjente grender: ", id="unknown-district-nb"),
    ],
)
def test_errors_have_the_one_shape(api, url, params, status, message):
    response = api.get(url, params=params)
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and message in body["error"]["message"]


@pytest.mark.parametrize(("url", "status"), [
    ("/maps/everything.html", 404), ("/prints/network.jpg", 404),  # the path names nothing
    ("/maps/network.html?colour=red", 422),
])
def test_unknown_views_formats_and_parameters_are_rejected(api, url, status):
    response = api.get(url)
    assert response.status_code == status, response.text
    assert set(response.json()) == {"error"}
