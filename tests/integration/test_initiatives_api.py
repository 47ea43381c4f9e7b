"""Initiatives are first-class: listed, searched and fetched with their participants and what
those participants cover of the required categories; individuals stay pseudonymised."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.model import GraphBatch
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore

PERSON = "Åse Sørbø"

BATCH = {
    "actors": [
        {"id": "t:klubb", "kind": "association", "name": "Tromøya sykkelklubb",
         "district": "Tromøya"},
        {"id": "t:ase", "kind": "individual", "name": PERSON, "district": "Tromøya"},
        {"id": "t:fs", "kind": "frivilligsentral", "name": "Tromøya frivilligsentral",
         "district": "Tromøya"},
        {"id": "t:lag", "kind": "association", "name": "Hisøy pensjonistlag",
         "district": "Hisøy"},
    ],
    "initiatives": [
        {"id": "t:sua", "name": "Sykling uten alder – Tromøya", "district": "Tromøya",
         "required_categories": ["activity.cycling", "help.transport", "help.digital"]},
        {"id": "t:sr", "name": "Senior ressurs – Hisøy", "district": "Hisøy",
         "required_categories": ["social.visit"]},
    ],
    "resources": [
        {"id": "t:klubb:sykkel", "holder": "t:klubb", "category": "activity.cycling"},
        {"id": "t:ase:kjoring", "holder": "t:ase", "category": "help.transport",
         "description": f"{PERSON} kjører på tirsdager"},
        {"id": "t:fs:digital", "holder": "t:fs", "category": "help.digital"},
    ],
    "ties": [
        {"source": "t:klubb", "target": "t:sua", "kind": "PARTICIPATES_IN"},
        {"source": "t:ase", "target": "t:sua", "kind": "PARTICIPATES_IN"},
        {"source": "t:fs", "target": "t:sua", "kind": "COORDINATES"},  # coordinates, not in it
    ],
}


@pytest.fixture(params=[False, True], ids=["pseudonyms", "names"])
def api(request, tmp_path):
    store = SQLiteStore(tmp_path / "initiatives.db")
    store.write(GraphBatch.model_validate(BATCH))
    app = create_app(Settings(store=store.url, show_names=request.param), store=store)
    with TestClient(app) as client:
        client.show_names = request.param
        yield client
    store.close()


def test_initiatives_are_listed_with_their_coverage(api):
    body = api.get("/initiatives").json()
    assert body["count"] == 2
    assert [i["id"] for i in body["data"]] == ["t:sr", "t:sua"]
    sua = body["data"][1]
    assert sua["participant_count"] == 2 and sua["participants"] is None
    assert sua["coverage"]["share"] == pytest.approx(2 / 3, abs=0.001)


@pytest.mark.parametrize(("params", "ids"), [
    ({"district": "Hisøy"}, ["t:sr"]),
    ({"district": "tromøya"}, ["t:sua"]),  # districts whatever their case
    ({"q": "SYKLING"}, ["t:sua"]),
    ({"q": "tromoya"}, ["t:sua"]),  # ø found by o
    ({"q": "ressurs", "district": "Tromøya"}, []),
    ({"limit": 1, "offset": 1}, ["t:sua"]),
])
def test_initiatives_are_filtered_and_searched(api, params, ids):
    body = api.get("/initiatives", params=params).json()
    assert [i["id"] for i in body["data"]] == ids


def test_one_initiative_says_who_takes_part_and_what_is_covered(api):
    body = api.get("/initiatives/t:sua").json()
    assert body["name"] == "Sykling uten alder – Tromøya"
    assert body["required_categories"] == ["activity.cycling", "help.transport", "help.digital"]
    people = {p["id"]: p for p in body["participants"]}
    assert set(people) == {"t:klubb", "t:ase"}  # the coordinator is not a participant
    assert people["t:klubb"]["name"] == "Tromøya sykkelklubb"
    covered = {c["category"]: c["offered_by"] for c in body["coverage"]["covered"]}
    assert covered == {"activity.cycling": ["t:klubb"], "help.transport": ["t:ase"]}
    assert [(c["category"], c["category_name"]) for c in body["coverage"]["missing"]] == [
        ("help.digital", "Digital hjelp")]


def test_participants_are_pseudonymised_unless_names_are_shown(api):
    text = api.get("/initiatives/t:sua").text
    person = next(p for p in api.get("/initiatives/t:sua").json()["participants"]
                  if p["id"] == "t:ase")
    if api.show_names:
        assert person["name"] == PERSON and person["pseudonymised"] is False
    else:
        assert PERSON not in text
        assert person["name"].startswith("Person ") and person["pseudonymised"] is True


def test_actors_are_searched_by_name_without_revealing_people(api):
    found = api.get("/actors", params={"q": "tromoya"}).json()
    assert {a["id"] for a in found["data"]} == {"t:klubb", "t:fs"}
    by_name = api.get("/actors", params={"q": "ase sorbo"}).json()["data"]
    assert [a["id"] for a in by_name] == (["t:ase"] if api.show_names else [])


def test_initiatives_are_not_actors(api):
    response = api.get("/actors/t:sua")
    assert response.status_code == 404
    assert "/initiatives/t:sua" in response.json()["error"]["message"]
    assert api.get("/initiatives/t:klubb").status_code == 404
    assert all(a["kind"] != "initiative" for a in api.get("/actors").json()["data"])
