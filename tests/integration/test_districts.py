"""Districts from a district definition (issue 9.2): by polygon (holes, MultiPolygons) or
else by postnummer (the field or the address), a hand-set district kept, the assignment kept on
reload and given to actors loaded later, and a bad definition stores nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.cli import main
from graphsvc.errors import ImportFailed
from graphsvc.model import Actor, GraphBatch
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from loaders.districts import apply_districts
from loaders.importer import import_files

HERE = Path(__file__).parents[1] / "fixtures" / "districts"
GEOJSON, POSTNUMMER = HERE / "fjordvik.geojson", HERE / "postnummer.csv"
K = "9901"


def actors() -> GraphBatch:
    def a(id_: str, **kw) -> Actor:
        return Actor(id=f"test:{id_}", kind="association", name=f"Lag {id_}", kommunenummer=K,
                     **kw)

    return GraphBatch(actors=[
        a("nordby", lat=60.05, lon=10.05),                      # in Nordby's outer ring
        a("hole", lat=60.2, lon=10.2),                          # in its hole, no postnummer
        a("hole-post", lat=60.2, lon=10.2, address="Tjernvegen 1\n9990 FJORDVIK"),
        a("island", lat=60.55, lon=11.55),                      # the MultiPolygon's 2nd part
        a("address", address="Storgata 12, 9991 FJORDVIK"),     # no coordinates
        a("field", postnummer="9990"),
        a("unknown", address="Fjellvegen 3\n9999 FJORDVIK"),
        a("nothing"),
        a("hand", lat=60.05, lon=10.05, district="Elvebakken"),  # set by hand: wins
        Actor(id="test:other", kind="association", name="Annen kommune", kommunenummer="0301",
              lat=60.05, lon=10.05),
    ])


@pytest.fixture
def store(tmp_path: Path):
    s = SQLiteStore(tmp_path / "g.db")
    s.write(actors())
    yield s
    s.close()


def districts(store: SQLiteStore) -> dict[str, tuple[str | None, str | None]]:
    return {a.id.removeprefix("test:"): (a.district, a.district_rule) for a in store.actors()}


def test_districts_by_polygon_then_postnummer_and_a_hand_set_one_kept(store) -> None:
    report = apply_districts(store, [GEOJSON, POSTNUMMER], kommune=K, lang="en")

    got = districts(store)
    assert got["nordby"] == ("Nordby", "polygon:fjordvik.geojson")
    assert got["island"] == ("Sørøya", "polygon:fjordvik.geojson")
    assert got["hole-post"] == ("Sentrum", "postnummer:postnummer.csv")
    assert got["address"] == ("Nordby", "postnummer:postnummer.csv")
    assert got["field"] == ("Sentrum", "postnummer:postnummer.csv")
    assert got["hand"] == ("Elvebakken", "given")
    assert got["hole"] == got["unknown"] == got["nothing"] == (None, None)
    assert got["other"] == (None, None)  # another kommune is not touched
    [k] = report["kommuner"]
    assert (k["actors"], k["with_district"]) == (9, 6)
    assert k["by_rule"] == {"polygon": 2, "postnummer": 3, "given": 1}
    assert k["districts"] == ["Nordby", "Sentrum", "Sørøya"]
    reasons = {m["id"]: m["reason"] for m in k["without_district"]}
    assert reasons == {
        "test:hole": "the coordinates are outside every district, and no postnummer",
        "test:unknown": "postnummer 9999 is not in the definition",
        "test:nothing": "no coordinates and no postnummer",
    }


def test_reloading_keeps_the_assignment_and_later_actors_get_one(store, tmp_path) -> None:
    apply_districts(store, [GEOJSON, POSTNUMMER], kommune=K)
    sheet = tmp_path / "skoler.csv"
    sheet.write_text("navn;breddegrad;lengdegrad\nNordby skole;60.02;10.02\n", "utf-8")
    first = import_files(store, [sheet], kommuner=[K], kind="institution")
    [school] = [a for a in store.actors() if a.name == "Nordby skole"]
    assert (school.district, school.district_rule) == ("Nordby", "polygon:fjordvik.geojson")
    assert first["enrichment"]["districts"][K]["with_district"] == 1

    revision = store.revision()
    again = import_files(store, [sheet], kommuner=[K], kind="institution")
    assert again["actors"]["unchanged"] == 1 and store.revision() == revision
    assert store.get_actor(school.id).district == "Nordby"


def test_a_district_written_later_without_a_rule_wins(store, tmp_path) -> None:
    sheet = tmp_path / "skoler.csv"
    sheet.write_text("navn;breddegrad;lengdegrad\nNordby skole;60.02;10.02\n", "utf-8")
    import_files(store, [sheet], kommuner=[K], kind="institution")
    apply_districts(store, [GEOJSON], kommune=K)
    [school] = [a for a in store.actors() if a.name == "Nordby skole"]
    assert school.district == "Nordby"
    store.write(GraphBatch(actors=[school.model_copy(update={"district": "Elvebakken",
                                                             "district_rule": None})]))
    apply_districts(store, [GEOJSON], kommune=K)
    assert store.get_actor(school.id).district == "Elvebakken"


def test_with_only_postnummer_an_actor_with_coordinates_is_told_it_lacks_a_postnummer(
        store) -> None:
    report = apply_districts(store, [POSTNUMMER], kommune=K, lang="en")
    reasons = {m["id"]: m["reason"] for m in report["kommuner"][0]["without_district"]}
    # Not "no coordinates": it has them, but the definition has no polygons to put them in.
    assert reasons["test:nordby"] == ("no postnummer, and the definition has no polygons for "
                                      "its coordinates")
    assert reasons["test:nothing"] == "no coordinates and no postnummer"


def test_a_windows_1252_csv_with_a_kommunenummer_column() -> None:
    from loaders.districts import read_definitions

    defs = read_definitions([HERE / "postnummer-cp1252.csv"])
    assert defs[K]["postnummer"]["9992"]["district"] == "Sørøya"


@pytest.mark.parametrize("path, first", [
    pytest.param(HERE / "bad.csv", "bad.csv:3 field 'postnummer': a postnummer has four "
                 "digits, not '99x1'", id="csv"),
    pytest.param(HERE / "bad.geojson", "bad.geojson:1 field 'geometry': invalid polygon",
                 id="geojson"),
])
def test_a_bad_definition_names_the_line_and_stores_nothing(store, path, first) -> None:
    revision = store.revision()
    with pytest.raises(ImportFailed) as caught:
        apply_districts(store, [GEOJSON, path], kommune=K)
    assert first in caught.value.message
    assert store.revision() == revision and store.documents([f"districts:{K}"]) == {}
    said = [str(r) for r in caught.value.rows]
    if path.suffix == ".csv":
        assert said[1] == ("bad.csv:4 field 'postnummer': postnummer 9990 is also on line 2, "
                           "with district 'Sentrum'")
    else:
        assert "not WGS84 degrees" in said[1] and "not Point" in said[2]


def test_the_cli_and_the_api_give_the_same_report(store, tmp_path, capsys) -> None:
    url = f"sqlite:///{store.path}"
    assert main(["districts", str(GEOJSON), str(POSTNUMMER), "--kommune", K, "--store", url,
                 "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "6 of 9 actors have a district: 2 by coordinates, 3 by postnummer, 1 set by hand" in out
    assert "test:unknown (Lag unknown): postnummer 9999 is not in the definition" in out
    assert main(["districts", str(POSTNUMMER), "--store", url]) == 1
    assert "kommunenummer" in capsys.readouterr().err

    client = TestClient(create_app(Settings(store=url), store))
    answer = client.post("/districts", params={"kommune": K},
                         files=[("files", ("f.geojson", GEOJSON.read_bytes())),
                                ("files", ("p.csv", POSTNUMMER.read_bytes()))])
    assert answer.status_code == 200, answer.text
    assert answer.json()["kommuner"][0]["with_district"] == 6
    bad = client.post("/districts", params={"kommune": K},
                      files=[("files", ("bad.csv", (HERE / "bad.csv").read_bytes()))])
    assert bad.status_code == 422 and "bad.csv:3" in bad.json()["error"]["message"]
    json.dumps(answer.json())


def test_a_workshop_sheet_that_names_the_district_wins_over_the_derived_one(store,
                                                                            tmp_path) -> None:
    sheet = tmp_path / "skoler.csv"
    sheet.write_text("navn;breddegrad;lengdegrad\nNordby skole;60.02;10.02\n", "utf-8")
    import_files(store, [sheet], kommuner=[K], kind="institution")
    apply_districts(store, [GEOJSON], kommune=K)
    [school] = [a for a in store.actors() if a.name == "Nordby skole"]
    assert (school.district, school.district_rule) == ("Nordby", "polygon:fjordvik.geojson")

    workshop = tmp_path / "verksted.csv"
    workshop.write_text(f"aktør;type;grend;id;kommunenummer\nNordby skole;institusjon;"
                        f"Elvebakken;{school.id};{K}\n", "utf-8")
    import_files(store, [workshop])
    assert (store.get_actor(school.id).district,
            store.get_actor(school.id).district_rule) == ("Elvebakken", "given")
    apply_districts(store, [GEOJSON], kommune=K)  # a new definition does not undo it
    assert store.get_actor(school.id).district == "Elvebakken"


def test_a_list_that_names_no_kommune_is_placed_by_the_definitions(store, tmp_path) -> None:
    # Stavanger's buildings list has coordinates and postnr but no kommunenummer column.
    sheet = tmp_path / "bygg.csv"
    sheet.write_text("navn;postnr;latitude;longitude\n"
                     "Nordby bydelshus;;60.02;10.02\n"        # inside Nordby's polygon
                     "Sentrum servicetorg;9990;59.0;9.0\n"    # outside, but Sentrum's postnummer
                     "Fjernt bygg;0150;59.9;10.7\n", "utf-8")  # neither: not this kommune's
    apply_districts(store, [GEOJSON, POSTNUMMER], kommune=K)
    report = import_files(store, [sheet], kind="institution")
    got = {a.name: (a.kommunenummer, a.district) for a in store.actors()
           if a.id.startswith("odata:")}
    assert got == {"Nordby bydelshus": (K, "Nordby"), "Sentrum servicetorg": (K, "Sentrum"),
                   "Fjernt bygg": (None, None)}
    assert report["enrichment"]["districts"][K]["adopted"] == 2
    revision = store.revision()
    import_files(store, [sheet], kind="institution")
    assert store.revision() == revision  # the reload keeps kommune and district


def test_districts_defined_after_the_list_place_it_too(store, tmp_path) -> None:
    sheet = tmp_path / "bygg.csv"
    sheet.write_text("navn;latitude;longitude\nNordby bydelshus;60.02;10.02\n", "utf-8")
    import_files(store, [sheet], kind="institution")
    [k] = apply_districts(store, [GEOJSON], kommune=K)["kommuner"]
    [house] = [a for a in store.actors() if a.name == "Nordby bydelshus"]
    assert (house.kommunenummer, house.district) == (K, "Nordby")
    assert k["adopted"] == 1
