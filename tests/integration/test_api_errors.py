"""One error shape and one status per kind of error on every route, found by walking
``/openapi.json``: unknown query parameters (422), ids and paths that name nothing (404),
unknown vocabulary values (422), and unexpected failures (500, trace in the log only)."""

from __future__ import annotations

import logging
import re

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from tests.e2e.test_cli_errors import corrupt  # noqa: F401 - the broken-store fixture

# A valid value for each required parameter and each non-id path parameter.
VALID = {"view": "network", "fmt": "pdf", "category": "help.transport",
         "initiative": "demo:init001", "source": "demo:p000001"}


@pytest.fixture(scope="module")
def api(tmp_path_factory, demo_batch):
    store = SQLiteStore(tmp_path_factory.mktemp("api") / "errors.db")
    store.write(demo_batch)
    # English error messages, asked for as a browser would (bokmål: the tests at the end)
    with TestClient(create_app(Settings(store=store.url), store=store),
                    headers={"Accept-Language": "en"}) as client:
        yield client
    store.close()


def get_operations(client) -> list[tuple[str, dict]]:
    spec = client.get("/openapi.json").json()
    return [(path, ops["get"]) for path, ops in spec["paths"].items() if "get" in ops]


def params_of(op: dict, where: str) -> list[dict]:
    return [p for p in op.get("parameters", []) if p["in"] == where]


def url_for(path: str, op: dict, **path_values: str) -> str:
    for p in params_of(op, "path"):
        value = path_values.get(p["name"], VALID.get(p["name"], "demo:f001"))
        path = path.replace("{" + p["name"] + "}", value)
    return path


def required_query(op: dict) -> dict[str, str]:
    return {p["name"]: VALID[p["name"]] for p in params_of(op, "query") if p.get("required")}


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, (response.request.url, response.text)
    body = response.json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "detail"}, body
    assert body["error"]["code"] == code, body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"]
    assert isinstance(body["error"]["detail"], dict)
    return body["error"]


def test_the_walk_covers_the_api(api):
    paths = {path for path, _op in get_operations(api)}
    assert {"/actors", "/actors/{actor_id}", "/initiatives", "/initiatives/{initiative_id}",
            "/match", "/gaps", "/maps/{view}.html", "/prints/{view}.{fmt}"} <= paths


def test_an_unknown_query_parameter_is_rejected_everywhere(api):
    for path, op in get_operations(api):
        params = {**required_query(op), "colour": "red"}
        error = assert_error(api.get(url_for(path, op), params=params), 422, "invalid_input")
        assert "unknown query parameter 'colour'" in error["message"], path
        # The answer lists what the route does take: exactly what the OpenAPI says.
        assert error["detail"]["accepted"] == sorted(p["name"] for p in params_of(op, "query"))
        assert error["detail"]["unknown"] == ["colour"]


def test_a_misspelt_parameter_is_not_silently_ignored(api):
    error = assert_error(api.get("/match", params={"category": "help.transport",
                                                   "distrcit": "Holmen"}), 422, "invalid_input")
    assert "'distrcit'" in error["message"] and "district" in error["message"]


def test_a_nonexistent_id_in_the_path_is_404(api):
    walked = 0
    for path, op in get_operations(api):
        ids = [p["name"] for p in params_of(op, "path") if p["name"].endswith("_id")]
        if not ids:
            continue
        url = url_for(path, op, **{name: "demo:nobody" for name in ids})
        error = assert_error(api.get(url, params=required_query(op)), 404, "not_found")
        assert "demo:nobody" in error["message"], path
        walked += 1
    assert walked >= 4
    assert_error(api.delete("/actors/demo:nobody"), 404, "not_found")


@pytest.mark.parametrize("url", ["/maps/everything.html", "/prints/network.jpg",
                                 "/no/such/route"])
def test_a_path_that_names_nothing_is_404(api, url):
    assert_error(api.get(url), 404, "not_found")


def test_an_initiative_under_actors_points_to_initiatives(api):
    error = assert_error(api.get("/actors/demo:init001"), 404, "not_found")
    assert "/initiatives/demo:init001" in error["message"]


def test_an_unknown_district_is_invalid_input_on_every_route_that_takes_one(api):
    walked = []
    for path, op in get_operations(api):
        if "district" not in {p["name"] for p in params_of(op, "query")}:
            continue
        params = {**required_query(op), "district": "Atlantis"}
        error = assert_error(api.get(url_for(path, op), params=params), 422, "invalid_input")
        assert "unknown district 'Atlantis'; known: " in error["message"], path
        walked.append(path)
    assert {"/actors", "/initiatives", "/match", "/gaps", "/pairs",
            "/maps/{view}.html", "/prints/{view}.{fmt}"} <= set(walked)


@pytest.mark.parametrize("url", ["/match?category=help.teleport",
                                 "/maps/network.html?category=help.teleport",
                                 "/prints/booklet.pdf?category=help.teleport"])
def test_an_unknown_category_is_invalid_input(api, url):
    assert "help.teleport" in assert_error(api.get(url), 422, "invalid_input")["message"]


@pytest.mark.parametrize("url", ["/brokers?kind=wizard", "/actors?kind=wizard",
                                 "/maps/network.html?kind=wizard", "/gaps?lang=de",
                                 "/actors?limit=0"])
def test_values_outside_the_vocabulary_are_invalid_input(api, url):
    assert_error(api.get(url), 422, "invalid_input")


def test_a_district_is_matched_whatever_its_case(api):
    assert api.get("/gaps", params={"district": "holmen"}).json()["district"] == "Holmen"
    assert api.get("/maps/district.html", params={"district": "HOLMEN"}).status_code == 200


# ---- unexpected failures: the one shape, the trace in the log, never in the answer ----------

@pytest.fixture
def broken_api(corrupt):  # noqa: F811 - the fixture imported above
    store = SQLiteStore(corrupt.removeprefix("sqlite:///"))
    app = create_app(Settings(store=corrupt), store=store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
    store.close()


# Sign-in and the audit log read the auth database, not the graph store (docs/auth.md).
NOT_THE_GRAPH = ("/session", "/audit")


def test_a_corrupt_store_answers_500_in_the_one_shape_on_every_route(broken_api, caplog):
    for path, op in get_operations(broken_api):
        if path in NOT_THE_GRAPH:
            continue
        caplog.clear()
        with caplog.at_level(logging.ERROR, logger="graphsvc.api"):
            response = broken_api.get(url_for(path, op), params=required_query(op))
        error = assert_error(response, 500, "internal_error")
        assert "Traceback" not in response.text and "malformed" not in error["message"]
        logged = [r for r in caplog.records if r.name == "graphsvc.api"]
        assert logged and logged[0].exc_info, path  # the trace is in the server log
        assert "database disk image is malformed" in str(logged[0].exc_info[1])


@pytest.mark.parametrize(("url", "target"), [
    ("/maps/network.html", "graphsvc.api.routes.maps.render_map"),
    ("/prints/network.pdf", "graphsvc.api.routes.maps.render_print"),
    ("/initiatives/demo:init001", "graphsvc.api.routes.initiatives.coverage"),
])
def test_a_bug_while_drawing_or_answering_is_500_in_the_one_shape(api, url, target, monkeypatch,
                                                                  caplog):
    def bug(*_args, **_kwargs):
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(target, bug)
    client = TestClient(api.app, raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="graphsvc.api"):
        response = client.get(url)
    assert_error(response, 500, "internal_error")
    assert response.headers["content-type"] == "application/json"
    assert any(r.exc_info and r.exc_info[0] is ZeroDivisionError for r in caplog.records)


# ---- /docs and /redoc work offline --------------------------------------------------------

EXTERNAL = re.compile(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", re.I)


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_the_documentation_pages_reference_nothing_outside_the_server(api, page):
    html = api.get(page).text
    assert not re.findall(r"https?://", html), page
    assert not EXTERNAL.search(html)
    scripts = re.findall(r"""<script[^>]+src=["']([^"']+)""", html)
    assert scripts and all(s.startswith("/") for s in scripts)
    for script in scripts:
        assert api.get(script).status_code == 200


def test_redoc_draws_no_logo_from_a_cdn(api):
    html = api.get("/redoc").text
    script = re.search(r"""<script[^>]+src=["']([^"']+)""", html).group(1)
    js = api.get(script).text
    assert "cdn.redoc.ly" not in js
    assert len(js) > 500_000  # the whole bundle, not a stub


# ---- the message in the reader's language ------------------------------------------------

@pytest.mark.parametrize(("params", "headers", "message"), [
    pytest.param({}, {}, "ingen aktør har id 'demo:nobody'", id="default-bokmal"),
    pytest.param({"lang": "en"}, {}, "no actor with id 'demo:nobody'", id="lang-en"),
    pytest.param({}, {"Accept-Language": "en-GB,en;q=0.9"}, "no actor with id 'demo:nobody'",
                 id="accept-language-en"),
    pytest.param({}, {"Accept-Language": "nn-NO, en;q=0.5"}, "ingen aktør har id 'demo:nobody'",
                 id="accept-language-nynorsk-reads-bokmal"),
    pytest.param({"lang": "nb"}, {"Accept-Language": "en"}, "ingen aktør har id 'demo:nobody'",
                 id="lang-wins-over-the-header"),
])
def test_a_not_found_is_said_in_the_language_asked_for(tmp_path, demo_batch, params, headers,
                                                        message):
    store = SQLiteStore(tmp_path / "lang.db")
    store.write(demo_batch)
    with TestClient(create_app(Settings(store=store.url), store=store)) as client:
        response = client.get("/actors/demo:nobody/social-capital", params=params,
                              headers=headers)
        assert response.status_code == 404
        assert response.json() == {"error": {"code": "not_found", "message": message,
                                             "detail": {"id": "demo:nobody"}}}
        # a route without ?lang: the header decides (and ?lang itself is an unknown parameter)
        unknown = client.get("/health", params={"colour": "red"}, headers=headers).json()
        said = unknown["error"]["message"]
        english = headers.get("Accept-Language", "").startswith("en")
        assert said.startswith("unknown query parameter 'colour'" if english
                               else "ukjent spørreparameter 'colour'"), said
    store.close()


def test_graphsvc_lang_is_the_default_of_error_messages(tmp_path):
    store = SQLiteStore(tmp_path / "en.db")
    with TestClient(create_app(Settings(store=store.url, lang="en"), store=store)) as client:
        body = client.get("/initiatives/demo:none").json()
        assert body["error"]["message"] == "no initiative with id 'demo:none'"
        said = client.get("/initiatives/demo:none", headers={"Accept-Language": "nb"}).json()
        assert said["error"]["message"] == "ingen initiativ har id 'demo:none'"
    store.close()
