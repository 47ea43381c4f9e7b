"""The HTTP API on a real SQLite store holding the demo community (in-process client)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore


@pytest.fixture
def api(tmp_path, demo_batch):
    store = SQLiteStore(tmp_path / "api.db")
    store.write(demo_batch)
    app = create_app(Settings(store=store.url), store=store)
    # English error messages, asked for as a browser would; bokmål: test_api_errors.py
    with TestClient(app, headers={"Accept-Language": "en"}) as client:
        yield client
    store.close()


def assert_error(response, status: int, code: str, message_part: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    assert message_part in body["error"]["message"]


def test_health_reports_what_the_store_holds(api, demo_batch):
    body = api.get("/health").json()
    assert body["status"] == "ok"
    assert body["actors"] == len(demo_batch.actors)
    assert body["initiatives"] == len(demo_batch.initiatives)
    assert body["revision"] == 1


def test_match_returns_ranked_offers_with_explanations(api):
    body = api.get("/match", params={"category": "help.transport"}).json()
    results = body["results"]
    assert 1 <= len(results) <= 10
    scores = [r["score"] for r in results]
    assert scores == sorted(scores, reverse=True)
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    top = results[0]
    assert top["fit"] == "exact"
    assert top["explanation"][0] == "Tilbyr nøyaktig det som trengs: Transport og følge"
    # Someone introduces the contact: the frivilligsentral when no asker is named.
    assert body["introducer"]["kind"] == "frivilligsentral"
    assert any("via" in e or "kjenner" in e or "kontaktpunkt" in e for e in top["explanation"])


def test_match_in_english_and_by_district(api, demo_batch):
    district = demo_batch.actors[-1].district
    body = api.get("/match", params={"category": "social.visit", "district": district,
                                     "lang": "en"}).json()
    assert body["query"]["category_name"] == "Visiting friend"
    exact_here = [r for r in body["results"] if r["fit"] == "exact"
                  and r["actor"]["district"] == district]
    if exact_here:  # same-district exact offers come before exact offers elsewhere
        first_elsewhere = next((r["rank"] for r in body["results"] if r["fit"] == "exact"
                                and r["actor"]["district"] != district), 99)
        assert exact_here[0]["rank"] < first_elsewhere


def test_match_for_a_stored_need_traces_from_the_asker(api, demo_batch):
    need = next(n for n in demo_batch.needs if n.holder.startswith("demo:p"))
    body = api.get("/match", params={"need": need.id}).json()
    assert body["query"]["seeker"] == need.holder
    assert all(r["actor"]["id"] != need.holder for r in body["results"])


def test_individuals_are_pseudonymised_by_default(api, demo_batch):
    person = next(a for a in demo_batch.actors if a.kind == "individual")
    body = api.get(f"/actors/{person.id}").json()
    assert body["pseudonymised"] is True
    assert body["name"].startswith("Person ")
    assert person.name not in api.get("/actors", params={"kind": "individual",
                                                         "limit": 1000}).text


def test_unknown_things_get_the_one_error_shape(api):
    assert_error(api.get("/actors/demo:nobody"), 404, "not_found", "demo:nobody")
    assert_error(api.get("/match", params={"category": "help.teleport"}), 422,
                 "invalid_input", "help.teleport")
    assert_error(api.get("/match", params={"limit": 0, "category": "help.transport"}), 422,
                 "invalid_input", "limit")
    assert_error(api.get("/no/such/route"), 404, "not_found", "nothing at /no/such/route")


def test_writes_are_seen_by_the_next_answer(api):
    new = {
        "actors": [{"id": "test:bil", "kind": "business", "name": "Testvik taxi",
                    "district": "Holmen"}],
        "resources": [{"id": "test:bil:offer", "holder": "test:bil",
                       "category": "help.transport", "capacity": 5}],
    }
    assert api.post("/actors", json=new).json()["created"]["actors"] == 1
    ids = [r["actor"]["id"] for r in api.get("/match", params={
        "category": "help.transport", "district": "Holmen", "limit": 100}).json()["results"]]
    assert "test:bil" in ids
    assert api.delete("/actors/test:bil").status_code == 204
    assert_error(api.get("/actors/test:bil"), 404, "not_found", "test:bil")


def test_a_write_with_an_unknown_reference_writes_nothing(api):
    before = api.get("/health").json()
    bad = {
        "actors": [{"id": "test:x", "kind": "association", "name": "X-lag"}],
        "ties": [{"source": "test:x", "target": "test:missing", "kind": "PARTNERS_WITH"}],
    }
    assert_error(api.post("/actors", json=bad), 422, "unknown_reference", "test:missing")
    assert api.get("/health").json() == before


def test_map_is_self_contained_html(api):
    response = api.get("/maps/network.html")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "Fjordvik kommune" in html
    for external in ('src="http', "src='http", 'href="http', "@import url(http"):
        assert external not in html


@pytest.mark.parametrize("fmt,magic", [
    pytest.param("pdf", b"%PDF", id="pdf"),
    pytest.param("svg", b"<?xml", id="svg"),
    pytest.param("png", b"\x89PNG", id="png"),
])
def test_prints_in_every_format(api, fmt, magic):
    response = api.get(f"/prints/network.{fmt}", params={"paper": "A3"})
    assert response.status_code == 200
    assert response.content.startswith(magic)


def test_import_upload_reports_the_bad_row(api):
    csv = ("aktør;type;grend;tilbyr\n"
           "Testvik sjakklubb;lag;Holmen;social.meetingplace\n"
           "Testvik kor;lag;Holmen;help.teleport\n").encode()
    body = api.post("/imports", files={"file": ("verksted.csv", csv, "text/csv")}).json()
    assert body["written"]["created"]["actors"] == 1
    [bad] = body["rejected"]
    assert (bad["file"], bad["line"]) == ("verksted.csv", 3)
    assert "help.teleport" in bad["reason"]


def test_a_misspelt_district_or_category_is_named_not_silently_ignored(api):
    response = api.get("/match", params={"category": "help.transport", "district": "Nowhere"})
    assert_error(response, 422, "invalid_input", "unknown district 'Nowhere'; known: ")
    response = api.get("/match", params={"category": "help.transprt"})
    assert_error(response, 422, "invalid_input", "did you mean 'help.transport'?")


def test_district_is_matched_case_insensitively_and_explained(api, demo_batch):
    district = demo_batch.actors[-1].district
    lower = api.get("/match", params={"category": "help.transport",
                                      "district": district.lower()}).json()
    assert lower["query"]["district"] == district
    anywhere = api.get("/match", params={"category": "help.transport", "lang": "en"}).json()
    assert all("another district" not in line
               for r in anywhere["results"] for line in r["explanation"])


@pytest.mark.parametrize("page,assets", [
    pytest.param("/docs", ("swagger-ui-bundle.js", "swagger-ui.css"), id="swagger"),
    pytest.param("/redoc", ("redoc.standalone.js",), id="redoc"),
])
def test_api_docs_work_offline(api, page, assets):
    html = api.get(page).text
    assert "/openapi.json" in html
    assert "cdn" not in html.lower() and "https://" not in html
    for asset in assets:
        url = re.search(rf'"([^"]*{re.escape(asset)})"', html).group(1)
        assert url.startswith("/") and api.get(url).status_code == 200


def test_export_gives_a_person_everything_held_about_them_and_erasure_removes_it(api, demo_batch):
    person = next(a for a in demo_batch.actors if a.kind == "individual"
                  and any(t.source == a.id or t.target == a.id for t in demo_batch.ties))
    export = api.get(f"/actors/{person.id}/export").json()
    assert export["actor"]["name"] == person.name
    assert export["actor"]["consent_purpose"] == person.consent_purpose
    held_ties = {(t.source, t.kind, t.target) for t in demo_batch.ties
                 if person.id in (t.source, t.target)}
    assert {(t["source"], t["kind"], t["target"]) for t in export["ties"]} == held_ties
    assert {r["id"] for r in export["resources"]} == {
        r.id for r in demo_batch.resources if r.holder == person.id}
    assert api.delete(f"/actors/{person.id}").status_code == 204
    assert_error(api.get(f"/actors/{person.id}/export"), 404, "not_found", person.id)
    assert person.id not in api.get("/maps/network.html").text
