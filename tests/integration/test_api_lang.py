"""The server's language setting reaches every answer that explains itself; ``lang=`` wins."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def english_server(tmp_path_factory, demo_batch):
    store = SQLiteStore(tmp_path_factory.mktemp("lang") / "api.db")
    store.write(demo_batch)
    with TestClient(create_app(Settings(store=store.url, lang="en"), store=store)) as client:
        yield client
    store.close()


def _person(batch):
    return next(a for a in batch.actors if a.kind == "individual")


def _text(body) -> str:
    return str(body)


@pytest.mark.parametrize("path,params,english,norwegian", [
    pytest.param("/gaps", {}, "(same district or the whole municipality)",
                 "(samme grend eller hele kommunen)", id="gaps"),
    pytest.param("/match", {"category": "help.transport"}, "Transport and escort",
                 "Transport og følge", id="match"),
    pytest.param("/communities", {}, "actors", "aktører", id="communities"),
])
def test_the_setting_decides_the_language_unless_the_request_says(
        english_server, path, params, english, norwegian):
    default = _text(english_server.get(path, params=params).json())
    assert english in default and norwegian not in default
    asked = _text(english_server.get(path, params={**params, "lang": "nb"}).json())
    assert norwegian in asked


def test_profile_follows_the_setting(english_server, demo_batch):
    person = _person(demo_batch)
    body = english_server.get(f"/actors/{person.id}/social-capital").json()
    assert "bonding" in _text(body) or "bridging" in _text(body) or "linking" in _text(body)
    assert "sammenbindende" not in _text(body) and "forbindende" not in _text(body)
