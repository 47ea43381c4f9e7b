"""The analysis endpoints on a real SQLite store holding the demo community."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from tests.integration.test_api import assert_error


@pytest.fixture(scope="module")
def store(tmp_path_factory, demo_batch):
    store = SQLiteStore(tmp_path_factory.mktemp("analysis") / "api.db")
    store.write(demo_batch)
    yield store
    store.close()


@pytest.fixture(scope="module")
def api(store):
    # English error messages, asked for as a browser would (bokmål: test_api_errors.py)
    with TestClient(create_app(Settings(store=store.url), store=store),
                    headers={"Accept-Language": "en"}) as client:
        yield client


def _person(batch, i=0):
    return [a for a in batch.actors if a.kind == "individual"][i]


def test_teams_for_an_initiative(api, demo_batch):
    init = demo_batch.initiatives[0]
    body = api.get("/teams", params={"initiative": init.id, "lang": "en"}).json()
    assert body["initiative"]["id"] == init.id
    covered = {c["category"] for m in body["team"] for c in m["covers"]}
    assert covered | {g["category"] for g in body["uncovered"]} == set(init.required_categories)
    assert body["explanation"].startswith(f"{len(body['team'])} actors cover ")
    assert_error(api.get("/teams", params={"initiative": "demo:nope"}), 404, "not_found",
                 "no initiative with id 'demo:nope'")


def test_pairs(api):
    body = api.get("/pairs", params={"limit": 3}).json()
    assert body["count"] >= len(body["pairs"])
    for p in body["pairs"]:
        assert p["a"]["offers"] == p["b"]["needs"] and p["b"]["offers"] == p["a"]["needs"]


def test_gaps_report(api, demo_batch):
    body = api.get("/gaps").json()
    assert set(body) >= {"summary", "explanation", "unmet_needs", "demand_supply", "isolated",
                         "groups", "districts", "volunteering"}
    assert body["explanation"][0].endswith("(samme grend eller hele kommunen)")
    assert body["volunteering"]["population_assumed"] is True
    district = demo_batch.actors[-1].district
    local = api.get("/gaps", params={"district": district, "lang": "en"}).json()
    assert all(i["district"] == district for i in local["unmet_needs"]["items"])
    names = {a.name for a in demo_batch.actors if a.kind == "individual"}
    assert not any(name in json.dumps(body, ensure_ascii=False) for name in names)


def test_paths_between_two_actors_and_to_the_municipality(api, demo_batch):
    a, b = _person(demo_batch, 0), _person(demo_batch, 5)
    body = api.get("/paths", params={"source": a.id, "target": b.id, "lang": "en"}).json()
    if body["found"]:
        hops = body["paths"][0]["hops"]
        assert hops[0]["from"]["id"] == a.id and hops[-1]["to"]["id"] == b.id
        assert all(h["class"] in ("bonding", "bridging", "linking") for h in hops)
    up = api.get("/paths", params={"source": "demo:f001"}).json()
    assert up["target"]["kind"] == "municipality" and up["paths"][0]["length"] >= 1
    service = api.get("/paths", params={"source": "demo:f001", "service": "bibliotek"}).json()
    assert service["target"]["name"] == "Fjordvik bibliotek"
    assert_error(api.get("/paths", params={"source": "demo:nope"}), 404, "not_found",
                 "no actor with id 'demo:nope'")


def test_brokers(api):
    body = api.get("/brokers", params={"top": 5, "lang": "en"}).json()
    assert body["count"] == 5 and body["by"] == "community"
    by_district = api.get("/brokers", params={"by": "district", "kind": "individual"}).json()
    assert all(r["actor"]["kind"] == "individual" for r in by_district["results"])
    assert all(r["actor"]["name"].startswith("Person ") for r in by_district["results"])


def test_social_capital_of_an_actor_and_of_groups(api, demo_batch):
    person = _person(demo_batch)
    body = api.get(f"/actors/{person.id}/social-capital", params={"lang": "en"}).json()
    assert body["actor"]["name"].startswith("Person ")
    assert sum(body["counts"].values()) == len(body["ties"])
    assert all(t["class"] in body["counts"] for t in body["ties"])
    assert_error(api.get("/actors/demo:nope/social-capital"), 404, "not_found",
                 "no actor with id 'demo:nope'")
    groups = api.get("/social-capital/groups", params={"age_band": "80+", "k": 2}).json()
    assert groups["count"] >= 1
    assert all(g["group"]["age_band"] == "80+" and 0 <= g["linked_share"] <= 1
               for g in groups["groups"])


def test_communities(api):
    body = api.get("/communities", params={"lang": "en"}).json()
    assert body["count"] >= 2 and body["listed"] == len(body["communities"])
    first = body["communities"][0]
    assert first["explanation"][0].startswith(first["name"][:1].upper() + first["name"][1:] + ": ")
    assert first["name"].startswith(("around ", "individuals in "))


def test_match_with_capacity_and_availability(api):
    body = api.get("/match", params={"category": "help.transport", "capacity": 3,
                                     "availability": "kveld", "lang": "en"}).json()
    assert body["query"]["capacity"] == 3 and body["query"]["availability"] == "kveld"
    assert_error(api.get("/match", params={"category": "help.transport", "lat": 60}), 422,
                 "invalid_input", "give both lat and lon")


def test_names_shown_when_the_setting_allows(store, demo_batch):
    app = create_app(Settings(store=store.url, show_names=True), store=store)
    person = _person(demo_batch)
    with TestClient(app) as client:
        body = client.get(f"/actors/{person.id}/social-capital").json()
    assert body["actor"]["name"] == person.name


def test_rules_from_the_setting(api, store, demo_batch, tmp_path):
    rules = tmp_path / "rules.json"
    rules.write_text(json.dumps({"kind_overrides": {"MEMBER_OF": "bridging", "KNOWS": "bridging"},
                                 "authority": {"individual": 1}}), "utf-8")
    app = create_app(Settings(store=store.url, social_capital_rules=str(rules)), store=store)
    members = {t.source for t in demo_batch.ties if t.kind == "MEMBER_OF"}
    person = next(t.source for t in demo_batch.ties if t.kind == "KNOWS" and t.source in members)
    default = api.get(f"/actors/{person}/social-capital").json()
    assert ("MEMBER_OF", "bonding") in {(t["kind"], t["class"]) for t in default["ties"]}
    with TestClient(app) as client:
        body = client.get(f"/actors/{person}/social-capital").json()
    classes = {(t["kind"], t["class"]) for t in body["ties"]}
    assert ("KNOWS", "bridging") in classes and ("MEMBER_OF", "bridging") in classes
    assert not any(c == "bonding" for _k, c in classes)
