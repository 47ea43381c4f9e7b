"""The API does what its OpenAPI document says (issue 13.5): schemathesis generates valid and
invalid requests for every operation from ``/openapi.json`` and checks each answer against it:
no server error, a documented status, a body of the documented media type and shape, valid
input accepted and invalid input refused, 405 with ``Allow``.

A bounded budget, the same cases every run: a few examples per operation and phase on the demo
community (100 actors), in the normal test command. A longer run: ``st run`` against ``graphsvc
serve`` (see docs/architecture.md, "Serving safely")."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import settings
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData
from schemathesis.specs.openapi.checks import positive_data_acceptance

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from loaders.demo import generate_community

MAX_EXAMPLES = int(os.environ.get("GRAPHSVC_OPENAPI_EXAMPLES", "6"))

CONFIG = {
    "generation": {"mode": "all", "max-examples": MAX_EXAMPLES, "deterministic": True},
    "phases": {"stateful": {"enabled": False}},
    "suppress-health-check": ["all"],
}


# The document does not depend on what the store holds: the app is made when the module is
# collected (schemathesis reads its operations then), on an empty store the fixture fills.
# Writes go to a second app on a store of its own, so every read sees the demo community as it
# was made, whatever a generated write added or erased before it.
_FOLDER = Path(tempfile.mkdtemp(prefix="graphsvc-openapi-"))
_STORE = SQLiteStore(_FOLDER / "demo.db")
_SCRATCH = SQLiteStore(_FOLDER / "writes.db")
APP = create_app(Settings(store=_STORE.url), store=_STORE)
WRITE_APP = create_app(Settings(store=_SCRATCH.url), store=_SCRATCH)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP,
                                        config=SchemathesisConfig.from_dict(CONFIG))


@pytest.fixture(scope="module", autouse=True)
def demo_community():
    for store in (_STORE, _SCRATCH):
        store.write(generate_community(100, seed=7))
    yield
    _STORE.close()
    _SCRATCH.close()
    shutil.rmtree(_FOLDER, ignore_errors=True)


def valid_input_accepted(ctx, response, case):
    """Schemathesis' ``positive_data_acceptance``, but a schema-valid request may be refused
    with 422 by graphsvc itself when it names a value the data does not hold (a district,
    category or id; no schema can list those, and the API documents that 422), or breaks a rule
    across fields the model checks (a tie from an actor to itself: pydantic's "Value error").
    A 422 from request validation itself (``detail.problems``: FastAPI refusing what its own
    schema allows) or for an unknown parameter fails, as does any other 4xx."""
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return None
    status = response.status_code
    if status < 400 or status in (404, 409, 429) or status >= 500:
        return None
    if status == 401 and case.path == "/session":
        return None  # a key the generator makes up is a wrong key (there are none here)
    if status == 422:
        detail = response.json()["error"]["detail"]
        rules = all(p["message"].startswith("Value error") for p in detail.get("problems", []))
        if rules and "unknown" not in detail:
            return None
    raise RejectedPositiveData(operation=case.operation.label, status_code=status,
                               message=f"valid data refused with {status}: "
                                       f"{response.text[:300]}",
                               allowed_statuses=["2xx", "3xx", "404", "422 (from the data)"])


@schema.parametrize()
@settings(database=None)  # the same cases every run, not also those a previous run saved
def test_every_operation_answers_as_documented(case):
    app = APP if case.method.upper() in ("GET", "HEAD", "OPTIONS") else WRITE_APP
    case.call_and_validate(app=app, excluded_checks=[positive_data_acceptance],
                           additional_checks=[valid_input_accepted])


# ---- what schemathesis found once, said plainly ------------------------------------------------

def test_every_operation_documents_the_one_error_shape():
    document = APP.openapi()
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status in ("400", "404", "413", "422", "500", "503"):
                content = operation["responses"][status]["content"]
                assert content == {"application/json": {"schema": {
                    "$ref": "#/components/schemas/ErrorBody"}}}, (method, path, status)


def test_maps_and_prints_are_documented_with_their_media_types():
    paths = APP.openapi()["paths"]
    ok = {p: set(paths[p]["get"]["responses"]["200"]["content"])
          for p in ("/maps/{view}.html", "/prints/booklet.pdf", "/prints/{view}.{fmt}")}
    assert ok == {"/maps/{view}.html": {"text/html"}, "/prints/booklet.pdf": {"application/pdf"},
                  "/prints/{view}.{fmt}": {"application/pdf", "image/svg+xml", "image/png"}}


def test_groupings_are_a_documented_vocabulary():
    from fastapi.testclient import TestClient

    with TestClient(APP) as client:
        assert client.get("/social-capital/groups", params={"by": "\x12"}).status_code == 422
        assert client.get("/brokers", params={"by": ""}).status_code == 422
        assert client.get("/social-capital/groups", params={"by": "age_band"}).status_code == 200
        assert client.get("/brokers", params={"by": "district", "top": 3}).status_code == 200
    params = {p["name"]: p["schema"] for p in APP.openapi()["paths"]["/brokers"]["get"]
              ["parameters"]}
    assert "community" in params["by"]["enum"]


def test_a_wrong_method_is_405_listing_every_method_the_path_takes():
    from fastapi.testclient import TestClient

    with TestClient(APP) as client:
        response = client.put("/actors/lag:1")
    assert response.status_code == 405
    assert set(response.headers["allow"].split(", ")) == {"GET", "HEAD", "DELETE"}
    assert response.json()["error"]["code"] == "method_not_allowed"


def test_a_write_is_read_as_strictly_as_documented():
    from fastapi.testclient import TestClient

    tie = {"source": "lag:a", "target": "lag:b", "kind": "MEMBER_OF",
           "provenance": {"source": "api", "source_row": False}}
    with TestClient(APP) as client:
        response = client.post("/actors", json={"ties": [tie]})
    assert response.status_code == 422
    assert "source_row" in response.json()["error"]["message"]


def test_generated_writes_left_the_demo_community_alone():
    assert _STORE.revision() == 1
