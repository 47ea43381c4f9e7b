"""Ties the registers already know (issue 9.4): every rule of loaders/enrich/register_ties.py,
against actors in the same import or already in the store, each naming its rule."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from graphsvc.analysis.classify import tie_classes
from graphsvc.store.sqlite import SQLiteStore
from loaders.enrich import STEPS
from loaders.importer import import_files
from tests.fixtures import register_kinds as rk


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "g.db")
    yield s
    s.close()


@pytest.fixture
def files(tmp_path):
    return rk.write(tmp_path)


def ties(store) -> dict[tuple[str, str], str]:
    return {(t["source"].removeprefix("brreg:"), t["target"].removeprefix("brreg:")):
            (t.get("provenance") or {}).get("rule")
            for t in store._all("ties") if t["kind"] == "PART_OF"}


EXPECTED = {
    (rk.SFO, rk.KOMMUNE): "municipal-unit",
    (rk.FRITIDSKLUBB, rk.KOMMUNE): "municipal-unit",
    (rk.HELSESTASJON, rk.KOMMUNE): "municipal-unit",
    (rk.ORGL_HELSE, rk.KOMMUNE): "municipal-unit",
    (rk.LEGEVAKT_KF, rk.KOMMUNE): "municipal-unit",
    (rk.FRIVILLIGSENTRAL, rk.KOMMUNE): "frivilligsentral-municipal",
    (rk.LOKALLAG, rk.FORBUND): "branch-of-national",
    (rk.KORPS_AVD, rk.FORBUND): "subunit-of-main-unit",
}


def test_the_ties_step_runs_first():
    assert STEPS[0][0] == "ties"


@pytest.mark.parametrize("order", ["main-units-first", "sub-units-first"])
def test_every_register_tie_is_made_with_its_rule_whatever_the_order(store, files, order):
    paths = list(files) if order == "main-units-first" else list(reversed(files))
    if order == "sub-units-first":  # in two imports: the parents come to a store holding them
        import_files(store, paths[:1])
        report = import_files(store, paths[1:])
    else:
        report = import_files(store, paths)
    assert ties(store) == EXPECTED
    assert sum(report["enrichment"]["ties"]["ties"].values()) > 0


def test_a_sub_unit_whose_parent_is_missing_loads_and_is_listed(store, files):
    report = import_files(store, [files[1]])
    assert rk.ORPHAN_AAFY in report["enrichment"]["ties"]["parent_not_loaded"]
    assert f"brreg:{rk.ORPHAN_AAFY}" in {a["id"] for a in store._all("actors")}
    assert not ties(store)


def test_a_state_unit_is_not_tied_to_the_kommune_it_sits_in(store, tmp_path):
    row = dict(rk.ENHETER[1], organisasjonsnummer=rk.orgnr(14060001), navn="TESTVIK TINGRETT",
               overordnetEnhet="", **{"institusjonellSektorkode.kode": "6100",
                                      "institusjonellSektorkode.beskrivelse": "Statsforvaltningen"})
    path = tmp_path / "e.csv"
    path.write_text(rk.csv_text(rk.ENHETER_HEADER, [rk.ENHETER[0], row]), "utf-8")
    import_files(store, [path])
    assert not ties(store)


def test_loading_again_makes_no_new_tie(store, files):
    import_files(store, list(files))
    again = import_files(store, list(files))
    assert again["ties"]["created"] == 0 and again["ties"]["updated"] == 0


def test_a_unit_to_its_kommune_is_linking_like_any_tie():
    G = nx.MultiDiGraph()
    G.add_node("u", kind="institution")
    G.add_node("k", kind="municipality")
    G.add_edge("u", "k", key="PART_OF", kind="PART_OF")
    assert tie_classes(G)[("u", "k", "PART_OF")][0] == "linking"


def test_a_business_sub_unit_is_loaded_only_with_its_main_unit(store, files):
    alone = import_files(store, [files[1]], include=["business"])
    assert f"brreg:{rk.TANNKLINIKK}" not in {a["id"] for a in store._all("actors")}
    assert list(alone["enrichment"]["ties"]["left_out"].values()) == [1]
    import_files(store, list(files), include=["business"])  # now with the dentist's main unit
    assert ties(store)[(rk.TANNKLINIKK, rk.TANNLEGE)] == "subunit-of-main-unit"


def test_include_business_from_the_api_and_the_cli(tmp_path, files):
    import os
    import subprocess
    import sys

    from fastapi.testclient import TestClient

    from graphsvc.api import create_app
    from graphsvc.settings import Settings

    api_store = SQLiteStore(tmp_path / "api.db")
    with TestClient(create_app(Settings(store=api_store.url), store=api_store)) as api:
        data = files[0].read_bytes()
        plain = api.post("/imports", files={"file": ("e.csv", data, "text/csv")}).json()
        assert plain["actors"]["created"] == 8  # no business
        body = api.post("/imports?include=business",
                        files={"file": ("e.csv", data, "text/csv")}).json()
        assert body["actors"]["created"] == 4  # the dentist, physio, trainer and sports shop
        wrong = api.post("/imports?include=people", files={"file": ("e.csv", data, "text/csv")})
        assert wrong.status_code == 422
    assert {a["kind"] for a in api_store._all("actors")} >= {"business"}
    api_store.close()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    cli = subprocess.run([sys.executable, "-m", "graphsvc.cli", "load", str(files[0]),
                          "--include", "business", "--json"], cwd=tmp_path, env=env,
                         capture_output=True, text=True, timeout=120, check=False)
    assert cli.returncode == 0, cli.stderr
    assert json.loads(cli.stdout)["actors"]["created"] == 12
