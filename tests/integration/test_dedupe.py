"""One actor per real organisation across sources (issue 9.5): the import's merge step, and a
person's ``merge`` / ``keep-apart`` decisions, remembered on later imports."""

from __future__ import annotations

import pytest

from graphsvc.model import GraphBatch, Need, Resource, Tie
from graphsvc.store.sqlite import SQLiteStore
from loaders.enrich import STEPS
from loaders.enrich.dedupe import keep_apart, merge_actors
from loaders.importer import import_files
from tests.fixtures import dedupe_sources as ds

KOMMUNE, BARNEHAGE, HF, SKOLE = (f"brreg:{n}" for n in (ds.KOMMUNE, ds.BARNEHAGE, ds.HF, ds.SKOLE))
ODATA_BARNEHAGE = "odata:0399:tasta-barnehage"
SJUKEHUS = "odata:0399:testvik-universitetssjukehus"


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "g.db")
    yield s
    s.close()


@pytest.fixture
def files(tmp_path):
    return ds.write(tmp_path)


def ids(store) -> set[str]:
    return {a.id for a in store.actors()}


def test_the_merge_step_runs_second() -> None:
    assert [name for name, _ in STEPS][:2] == ["ties", "merge"]


def test_a_kindergarten_from_the_register_and_the_list_is_one_actor(store, files) -> None:
    enheter, bygg, _ = files
    report = import_files(store, [enheter, bygg], kind="institution")

    merged = {m["id"]: m["into"] for m in report["enrichment"]["merge"]["merged"]}
    assert merged == {ODATA_BARNEHAGE: BARNEHAGE}
    assert ODATA_BARNEHAGE not in ids(store)
    kept = store.get_actor(BARNEHAGE)
    assert (kept.name, kept.lat, kept.lon) == ("TASTA BARNEHAGE AS", 58.95, 5.69)  # filled in
    assert sorted(kept.sources) == ["brreg", "opendata"]
    # The namesake in another kommune is neither merged nor asked about.
    other = f"brreg:{ds.OTHER_KOMMUNE_BARNEHAGE}"
    assert other not in {u["candidate"] for u in report["enrichment"]["merge"]["uncertain"]}
    assert store.get_actor(other).lat is None


def test_a_hospital_and_its_trust_at_one_address_are_listed_not_merged(store, files) -> None:
    enheter, bygg, _ = files
    report = import_files(store, [enheter, bygg], kind="institution")

    [pair] = report["enrichment"]["merge"]["uncertain"]
    assert (pair["id"], pair["candidate"], pair["same_address"]) == (SJUKEHUS, HF, True)
    assert {SJUKEHUS, HF} <= ids(store)


@pytest.mark.parametrize("order", [pytest.param("register-first", id="register first"),
                                   pytest.param("list-first", id="list first"),
                                   pytest.param("together", id="one import")])
def test_the_kommune_from_register_and_kommune_list_is_one_actor(store, files, order) -> None:
    enheter, bygg, kommuner = files
    batches = {"register-first": [[enheter], [kommuner]], "list-first": [[kommuner], [enheter]],
               "together": [[kommuner, enheter]]}[order]
    for paths in batches:
        import_files(store, paths)
    municipalities = [a for a in store.actors() if a.kind == "municipality"]

    assert [(a.id, a.aliases) for a in municipalities] == [(KOMMUNE, ["kommune:0399"])]
    assert sorted(municipalities[0].sources) == ["brreg", "kommuner"]
    # The school's PART_OF tie to its kommune points at the one actor, whatever the order.
    assert {(t["source"], t["target"]) for t in store._all("ties")} >= {(SKOLE, KOMMUNE)}
    revision = store.revision()
    for paths in batches:  # a reload changes nothing
        import_files(store, paths)
    assert store.revision() == revision and "kommune:0399" not in ids(store)


def test_a_list_loaded_before_the_register_is_folded_in_with_its_ties(store, files) -> None:
    enheter, bygg, _ = files
    import_files(store, [bygg], kind="institution")
    store.write(GraphBatch(
        ties=[Tie(source=ODATA_BARNEHAGE, target=SJUKEHUS, kind="PARTNERS_WITH")],
        resources=[Resource(id="t:r-rom", holder=ODATA_BARNEHAGE, category="space.room")]))
    report = import_files(store, [enheter])

    assert report["enrichment"]["merge"]["merged"][0]["id"] == ODATA_BARNEHAGE
    assert ODATA_BARNEHAGE not in ids(store)
    assert [(t["source"], t["target"]) for t in store._all("ties")
            if t["kind"] == "PARTNERS_WITH"] == [(BARNEHAGE, SJUKEHUS)]
    assert [r["holder"] for r in store._all("resources") if r["id"] == "t:r-rom"] == [BARNEHAGE]
    assert not [r for r in store._all("resources") if r["holder"] == ODATA_BARNEHAGE]


def test_merge_moves_ties_offers_and_needs_and_is_remembered(store, files) -> None:
    enheter, bygg, _ = files
    import_files(store, [enheter, bygg], kind="institution")
    store.write(GraphBatch(
        ties=[Tie(source=SKOLE, target=SJUKEHUS, kind="PARTNERS_WITH"),
              Tie(source=SJUKEHUS, target=HF, kind="PART_OF")],
        resources=[Resource(id="t:r-rom", holder=SJUKEHUS, category="space.room")],
        needs=[Need(id="t:n-bil", holder=SJUKEHUS, category="help.transport")]))

    done = merge_actors(store, HF, SJUKEHUS)

    assert (done["ties_moved"], done["resources_moved"], done["needs_moved"]) == (1, 1, 1)
    assert SJUKEHUS not in ids(store)
    assert {(t["source"], t["kind"], t["target"]) for t in store._all("ties")} >= {
        (SKOLE, "PARTNERS_WITH", HF)}
    assert not [t for t in store._all("ties") if SJUKEHUS in (t["source"], t["target"])]
    assert [r["holder"] for r in store._all("resources") if r["id"] == "t:r-rom"] == [HF]
    assert [n["holder"] for n in store._all("needs") if n["id"] == "t:n-bil"] == [HF]
    assert not [r for r in store._all("resources") if r["holder"] == SJUKEHUS]
    report = import_files(store, [enheter, bygg], kind="institution")
    assert SJUKEHUS not in ids(store) and report["enrichment"]["merge"]["uncertain"] == []
    assert store.get_actor(HF).aliases == [SJUKEHUS]


def test_keep_apart_is_honoured_on_every_later_import(store, files) -> None:
    enheter, bygg, _ = files
    import_files(store, [enheter, bygg], kind="institution")
    keep_apart(store, SJUKEHUS, HF)

    report = import_files(store, [bygg, enheter], kind="institution")

    assert report["enrichment"]["merge"]["uncertain"] == []
    assert {SJUKEHUS, HF} <= ids(store)



def test_graphsvc_merge_and_keep_apart_from_the_command_line(store, files, capsys) -> None:
    from graphsvc.cli import main

    enheter, bygg, _ = files
    import_files(store, [enheter, bygg], kind="institution")
    url = f"sqlite:///{store.path}"

    assert main(["--store", url, "keep-apart", SJUKEHUS, HF, "--lang", "en"]) == 0
    assert "kept apart on every later load" in capsys.readouterr().out
    assert main(["--store", url, "merge", HF, SJUKEHUS]) == 0
    assert f"{SJUKEHUS} er slått sammen med {HF}" in capsys.readouterr().out
    assert SJUKEHUS not in ids(store)
    assert main(["--store", url, "merge", HF, "odata:0399:nobody", "--lang", "en"]) == 1
    assert "no actor with id 'odata:0399:nobody'" in capsys.readouterr().err


def test_post_merges_and_keep_apart(store, files) -> None:
    from fastapi.testclient import TestClient

    from graphsvc.api.app import create_app

    enheter, bygg, _ = files
    import_files(store, [enheter, bygg], kind="institution")
    client = TestClient(create_app(store=store))

    r = client.post("/keep-apart", json={"a": HF, "b": SJUKEHUS})
    assert r.status_code == 200 and r.json()["kept_apart"] == sorted([HF, SJUKEHUS])
    r = client.post("/merges", json={"keep": HF, "other": HF})
    assert r.status_code == 422
    r = client.post("/merges", json={"keep": HF, "other": SJUKEHUS})
    assert r.status_code == 200 and r.json()["merged"] == SJUKEHUS
    assert client.get(f"/actors/{SJUKEHUS}").status_code == 404


def test_a_workshop_organisation_without_orgnr_is_asked_about(store, files, tmp_path) -> None:
    """A sheet gives no address, so even the same name is only a question for a person."""
    enheter, _, _ = files
    sheet = tmp_path / "verksted.csv"
    sheet.write_text("aktør;type;grend;kommunenummer;tilbyr\n"
                     "Brua skule;institusjon;Sentrum;0399;space.room: gymsal\n", "utf-8")
    report = import_files(store, [enheter, sheet])

    pairs = [(u["id"], u["candidate"]) for u in report["enrichment"]["merge"]["uncertain"]]
    assert pairs == [("ws:brua-skule", SKOLE)]
    merge_actors(store, SKOLE, "ws:brua-skule")
    assert {r["holder"] for r in store._all("resources") if r.get("description") == "gymsal"} \
        == {SKOLE}
    assert "ws:brua-skule" not in ids(store)


def test_offers_derived_for_a_folded_list_row_do_not_survive_it(store, tmp_path) -> None:
    # The list row's service text derives offers; once the register's row absorbs it, those
    # offers are derived again under the kept actor's id, never left under the folded one.
    enheter, _bygg, _ = ds.write(tmp_path)
    bygg = tmp_path / "bygg-service.csv"
    bygg.write_text("\ufeffnavn;adresse;postnr;kommunenummer;service;latitude;longitude;\n"
                    "Tasta barnehage;Tastaveien 5;4027;0399;Møterom og bibliotek;58.95;5.69;\n",
                    "utf-8")
    import_files(store, [bygg], kind="institution")
    assert {r["category"] for r in store._all("resources")
            if r["holder"] == ODATA_BARNEHAGE} >= {"space.room"}
    import_files(store, [enheter])
    assert ODATA_BARNEHAGE not in ids(store)
    assert not [r for r in store._all("resources") if ODATA_BARNEHAGE in r["id"]]
    kept = {r["id"] for r in store._all("resources") if r["holder"] == BARNEHAGE}
    assert f"{BARNEHAGE}:offer:space.room" in kept  # from the absorbed service text


def test_an_undecided_duplicate_is_listed_again_until_a_person_decides(store, files) -> None:
    enheter, bygg, _ = files
    first = import_files(store, [enheter, bygg], kind="institution")
    pair = [(u["id"], u["candidate"]) for u in first["enrichment"]["merge"]["uncertain"]]
    assert pair == [(SJUKEHUS, HF)] and first["enrichment"]["merge"]["uncertain_new"] == 1
    revision = store.revision()
    again = import_files(store, [enheter, bygg], kind="institution")
    assert [(u["id"], u["candidate"]) for u in again["enrichment"]["merge"]["uncertain"]] == pair
    assert again["enrichment"]["merge"]["uncertain_new"] == 0
    assert store.revision() == revision  # still to decide, and nothing written for it
    other = files[1].parent / "lekeplasser.csv"
    other.write_text("navn;kommunenummer;latitude;longitude\nFjellparken;0399;59.40;6.10\n",
                     "utf-8")
    unrelated = import_files(store, [other], kind="institution", category="activity")
    assert [(u["id"], u["candidate"]) for u in unrelated["enrichment"]["merge"]["uncertain"]] \
        == pair  # an import that brings neither still lists it
    keep_apart(store, SJUKEHUS, HF)
    assert import_files(store, [bygg], kind="institution")["enrichment"]["merge"][
        "uncertain"] == []
