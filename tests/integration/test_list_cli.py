"""``graphsvc list actors|initiatives``: the ids a planner needs for the other commands, with
the API's filters and, with ``--json``, the API's answer."""

from __future__ import annotations

import json

import pytest

from graphsvc.cli import main
from graphsvc.model import GraphBatch
from graphsvc.store.sqlite import SQLiteStore
from tests.integration.test_initiatives_api import BATCH, PERSON


@pytest.fixture
def store_url(tmp_path, monkeypatch):
    for name in ("GRAPHSVC_STORE", "GRAPHSVC_SHOW_NAMES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no .env from the working directory
    store = SQLiteStore(tmp_path / "list.db")
    store.write(GraphBatch.model_validate(BATCH))
    store.close()
    return store.url


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_list_initiatives_shows_ids_and_coverage(store_url, capsys):
    code, out, _err = run(capsys, "list", "initiatives", "--store", store_url, "--lang", "en")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["id", "name", "district", "participants", "covered"]
    _code, bokmal, _err = run(capsys, "list", "initiatives", "--store", store_url)
    assert bokmal.splitlines()[0].split() == ["id", "navn", "grend", "deltakere", "dekket"]
    sua = next(line for line in lines if line.startswith("t:sua"))
    assert "Sykling uten alder – Tromøya" in sua and sua.split()[-2:] == ["2", "2/3"]


def test_list_actors_with_filters(store_url, capsys):
    code, out, _ = run(capsys, "list", "actors", "--store", store_url, "--q", "TROMOYA",
                       "--kind", "association")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["t:klubb"]
    _, out, _ = run(capsys, "--store", store_url, "list", "actors", "--district", "hisøy")
    assert [line.split()[0] for line in out.splitlines()[1:]] == ["t:lag"]


def test_list_json_is_the_api_answer(store_url, capsys):
    from fastapi.testclient import TestClient

    from graphsvc.api import create_app
    from graphsvc.settings import Settings

    _, out, _ = run(capsys, "list", "initiatives", "--store", store_url, "--json")
    with TestClient(create_app(Settings(store=store_url))) as client:
        assert json.loads(out) == client.get("/initiatives").json()
    _, out, _ = run(capsys, "list", "actors", "--store", store_url, "--json", "--limit", "2")
    body = json.loads(out)
    assert body["count"] == 4 and len(body["data"]) == 2


def test_people_stay_pseudonymised_unless_names_are_shown(store_url, capsys, monkeypatch):
    _, out, _ = run(capsys, "list", "actors", "--store", store_url, "--kind", "individual")
    assert PERSON not in out and "Person " in out
    monkeypatch.setenv("GRAPHSVC_SHOW_NAMES", "true")
    _, out, _ = run(capsys, "list", "actors", "--store", store_url, "--kind", "individual")
    assert PERSON in out


def test_more_than_the_limit_says_so(store_url, capsys):
    _, out, _ = run(capsys, "list", "actors", "--store", store_url, "--limit", "1", "--lang", "en")
    assert out.splitlines()[-1].startswith("(1 of 4 shown")
    _, out, _ = run(capsys, "list", "actors", "--store", store_url, "--limit", "1")
    assert out.splitlines()[-1].startswith("(1 av 4 vist")


@pytest.mark.parametrize(("argv", "message"), [
    (["--district", "Atlantis"], "unknown district 'Atlantis'; known: Hisøy, Tromøya"),
    (["--kind", "association", "initiatives"], "--kind applies to actors only"),
])
def test_mistakes_are_one_line(store_url, capsys, argv, message):
    what = "actors" if "initiatives" not in argv else "initiatives"
    argv = [a for a in argv if a != "initiatives"]
    code, out, err = run(capsys, "list", what, "--store", store_url, *argv, "--lang", "en")
    assert code == 1 and out == ""
    assert err.splitlines() == [f"graphsvc: error: {message}"]
