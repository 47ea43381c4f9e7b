"""The workbench's scripts and styles: served from the package, and nothing else, whatever
name is asked for (the route needs no sign-in, so a stranger can ask anything)."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def api(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("assets") / "g.db")
    with TestClient(create_app(Settings(store=store.url), store=store)) as client:
        yield client
    store.close()


def test_every_file_the_page_loads_is_served(api):
    page = api.get("/").text
    loaded = re.findall(r'(?:src|href)="(/workbench/static/[^"]+)"', page)
    assert any(p.endswith("vis-network.min.js") for p in loaded)
    assert any(p.endswith(".css") for p in loaded) and len(loaded) >= 4
    for path in loaded:
        answer = api.get(path)
        assert answer.status_code == 200, path
        assert answer.headers["content-type"].startswith(("text/javascript", "text/css"))


@pytest.mark.parametrize("name", ["nothing.js", "..%2Fpage.py", "page.py", ".hidden.js",
                                  "x" * 3000 + ".js", "workbench.js%00.css", "%2e%2e"])
def test_any_other_name_is_a_404_in_the_error_shape(api, name):
    answer = api.get(f"/workbench/static/{name}")
    assert answer.status_code == 404
    assert answer.json()["error"]["code"] == "not_found"
    assert len(answer.text) < 600  # a long name is not echoed whole


def test_names_asked_for_are_not_kept(api):
    from graphsvc.api.routes import workbench

    before = len(workbench._assets())
    for i in range(50):
        api.get(f"/workbench/static/probe{i}.js")
    assert len(workbench._assets()) == before


def test_the_page_is_in_bokmal_whatever_the_browser_says_until_english_is_asked_for(api):
    """A planner whose browser is set to English still gets the municipality's language; the
    switch in the header (``?lang=en``) gives English."""
    page = api.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).text
    assert 'lang="nb"' in page and "Arbeidsbenk" in page
    english = api.get("/?lang=en").text
    assert 'lang="en"' in english and "Workbench" in english and "Arbeidsbenk" not in english
