"""Importing files into a real store: all or nothing per file, bad rows reported."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphsvc.errors import ImportFailed
from graphsvc.model import Actor, GraphBatch
from graphsvc.store.sqlite import SQLiteStore
from loaders.importer import import_files
from loaders.workshop import person_id


def pid(store, name: str, **scope: str) -> str:
    """The id an import into ``store`` gives a person: a hash under the store's own key
    (``GraphStore.person_key``), never the name."""
    return person_id(name, key=store.person_key(), **scope)


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "imp.db")
    yield s
    s.close()


def sheet(tmp_path, *rows: str, name: str = "verksted.csv"):
    path = tmp_path / name
    path.write_text("aktør;type;grend;kontakter\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_a_tie_to_an_id_the_store_holds_is_written(store, tmp_path):
    store.write(GraphBatch(actors=[Actor(id="brreg:998877660", kind="association",
                                         name="Holmen velforening")]))
    report = import_files(store, [sheet(tmp_path, "Testvik kor;lag;Holmen;"
                                                  "samarbeider_med:brreg:998877660")])
    assert report["rejected"] == []
    assert report["written"]["created"]["ties"] == 1


def test_a_tie_to_an_unknown_outside_id_is_a_rejected_row_not_a_failed_import(store, tmp_path):
    report = import_files(store, [sheet(tmp_path, "Testvik kor;lag;Holmen;",
                                        "Testvik sjakk;lag;Holmen;samarbeider_med:brreg:998877660")])
    assert report["written"]["created"]["actors"] == 2
    assert report["written"]["created"]["ties"] == 0
    [bad] = report["rejected"]
    assert (bad["file"], bad["line"]) == ("verksted.csv", 3)
    assert "brreg:998877660" in bad["reason"]


def test_strict_import_with_a_bad_row_leaves_the_store_as_it_was(store, tmp_path):
    before = (store.revision(), store.counts())
    with pytest.raises(ImportFailed) as failure:
        import_files(store, [sheet(tmp_path, "Godt lag;lag;Nes;", "Rart lag;romvesen;Nes;")],
                     strict=True)
    assert failure.value.rows[0].line == 3
    assert (store.revision(), store.counts()) == before


def test_one_unreadable_file_among_several_writes_nothing(store, tmp_path):
    good = sheet(tmp_path, "Godt lag;lag;Nes;")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04garbage")
    before = (store.revision(), store.counts())
    with pytest.raises(ImportFailed, match="broken.xlsx"):
        import_files(store, [good, broken])
    assert (store.revision(), store.counts()) == before


def test_a_second_sheet_ties_to_organisations_already_in_the_store_by_name(store, tmp_path):
    import_files(store, [sheet(tmp_path, "Holmen velforening;lag;Holmen;",
                               "Kari;person;Holmen;", name="forste.csv")])
    report = import_files(store, [sheet(tmp_path, "Per;person;Holmen;medlem_av:holmen VELFORENING",
                                        "Ola;person;Holmen;kjenner:Kari", name="andre.csv")])
    # The association is found by name; the person from the other sheet is not (names do not
    # identify people), so that row is rejected with a reason.
    assert report["written"]["created"]["ties"] == 1
    [bad] = report["rejected"]
    assert (bad["file"], bad["line"]) == ("andre.csv", 3)
    assert "Kari" in bad["reason"]


def test_a_name_two_stored_organisations_share_needs_an_id(store, tmp_path):
    import_files(store, [sheet(tmp_path, "Holmen kor;lag;Holmen;", name="a.csv")])
    store.write(GraphBatch(actors=[Actor(id="brreg:998877660", kind="association",
                                         name="Holmen kor")]))
    report = import_files(store, [sheet(tmp_path, "Per;person;Holmen;medlem_av:Holmen kor",
                                        name="b.csv")], lang="en")
    [bad] = report["rejected"]
    assert "matches 2 actors already in the store" in bad["reason"]
    assert bad["reason_code"] == "row.sheet.target_stored"


# --- loading again, and the same sheet under another name -----------------------------------

TEMPLATE = Path(__file__).parents[2] / "loaders" / "templates" / "workshop_template.xlsx"
NOTHING = {"actors": 0, "initiatives": 0, "resources": 0, "needs": 0, "ties": 0}


def test_an_unchanged_sheet_loaded_again_or_renamed_writes_nothing(store, tmp_path):
    first = import_files(store, [TEMPLATE])
    revision, counts = store.revision(), store.counts()
    assert first["written"]["created"] == {"actors": 3, "initiatives": 1, "resources": 6,
                                           "needs": 5, "ties": 5}
    renamed = tmp_path / "Verksted Nordbygda (kopi).xlsx"
    shutil.copy(TEMPLATE, renamed)

    for again in (import_files(store, [TEMPLATE]), import_files(store, [renamed])):
        assert again["written"]["created"] == again["written"]["updated"] == NOTHING
        assert again["written"]["unchanged"] == first["written"]["created"]
        assert again["written"]["revision"] == revision
        assert again["people"]["matched"] == [
            {"file": again["files"][0]["file"], "line": 4,
             "id": pid(store, "Ola Eksempel", workshop="Nordbygda mai 2024")}]
        assert again["people"]["likely_duplicates"] == []
    assert (store.revision(), store.counts()) == (revision, counts)


def test_a_sheet_whose_rows_are_all_rejected_writes_nothing(store, tmp_path):
    import_files(store, [sheet(tmp_path, "Godt lag;lag;Nes;", name="first.csv")])
    revision = store.revision()
    with pytest.raises(ImportFailed) as failure:
        import_files(store, [sheet(tmp_path, "Rart lag;romvesen;Nes;", ";lag;Nes;")])
    assert failure.value.message.startswith(
        "all 2 rows rejected, so nothing was written. First: verksted.csv:2 field 'type': "
        "unknown kind 'romvesen'")
    assert [(r.line, r.field) for r in failure.value.rows] == [(2, "type"), (3, "aktør")]
    assert store.revision() == revision


def test_strict_says_strict_mode_not_a_command_line_flag(store, tmp_path):
    with pytest.raises(ImportFailed) as failure:
        import_files(store, [sheet(tmp_path, "Godt lag;lag;Nes;kjenner:Ingen")], strict=True)
    assert failure.value.message == (
        "1 tie rejected in strict mode, so nothing was written. First: verksted.csv:2 field "
        "'kontakter': tie target 'Ingen' is not an actor in this sheet and not an id like "
        "'ws:kari' or 'brreg:<orgnr>'")
    body = failure.value.to_dict()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["detail"]["rows"][0]["line"] == 2


def test_rows_and_ties_left_out_are_counted_the_same_everywhere(store, tmp_path):
    path = sheet(tmp_path,
                 "Godt lag;lag;Nes;",
                 "Rart lag;romvesen;Nes;kjenner:Ingen",  # rejected: two problems, one row
                 "Kari Testesen;person;Nes;medlem_av:Godt lag; kjenner:Ingen",  # 5 fields
                 "Ola Testesen;person;Nes;\"medlem_av:Godt lag; kjenner:Rart lag\"",
                 "Per Testesen;person;Nes;samarbeider_med:brreg:998877660")
    report = import_files(store, [path], lang="en")

    assert [(r["line"], r["field"], r["left_out"]) for r in report["rejected"]] == [
        (3, "type", "row"), (3, "kontakter", "row"), (4, None, "row"),
        (5, "kontakter", "tie"), (6, "kontakter", "tie")]
    assert report["rejected"][2]["reason"] == (
        "line 4 has 5 fields, the header has 4 (a value that contains ';' must be in double "
        "quotes)")
    assert (report["rows_rejected"], report["ties_rejected"]) == (2, 2)
    assert (report["files"][0]["rejected"], report["files"][0]["ties_rejected"]) == (2, 2)
    assert report["written"]["created"]["actors"] == 3  # Godt lag, Ola, Per
    assert report["written"]["created"]["ties"] == 1  # Ola -MEMBER_OF-> Godt lag


# --- whose people these are -----------------------------------------------------------------


def people_sheet(tmp_path, *rows, name="v.csv", header="aktør;type;grend;kommunenummer"):
    path = tmp_path / name
    path.write_text(header + "\n" + "\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_people_are_scoped_by_the_workshop_the_sheet_or_the_caller_names(store, tmp_path):
    named = people_sheet(tmp_path, "Kari Testesen;person;Nes;0301;Vår 2024",
                         "Ola Testesen;person;Nes;0301;",
                         header="aktør;type;grend;kommunenummer;verksted")
    import_files(store, [named], workshop="Høst 2023")
    import_files(store, [people_sheet(tmp_path, "Siv Testesen;person;Nes;0301",
                                      "Bo Testesen;person;Nes;", name="w.csv")])
    assert {a.name: a.id for a in store.actors()} == {
        "Siv Testesen": pid(store, "Siv Testesen", kommunenummer="0301"),  # no workshop: the kommune
        "Ola Testesen": pid(store, "Ola Testesen", workshop="Høst 2023"),  # the caller's workshop
        "Bo Testesen": pid(store, "Bo Testesen"),  # neither workshop nor kommune
        "Kari Testesen": pid(store, "Kari Testesen", workshop="Vår 2024"),  # the sheet's column wins
    }
    assert len({pid(store, "Ola Testesen", workshop=w) for w in ("Høst 2023", "Vår 2024")}) == 2


def test_likely_duplicates_are_reported_with_the_ids_they_look_like(store, tmp_path):
    store.write(GraphBatch(actors=[
        Actor(id="ws:verksted:kari-testesen", kind="individual", name="Kari Testesen",
              district="Nes", kommunenummer="0301"),  # loaded before ids were name-free
        Actor(id=pid(store, "Ola Testesen", kommunenummer="0301"), kind="individual",
              name="Ola Testesen", district="Berg", kommunenummer="0301")]))
    report = import_files(store, [people_sheet(
        tmp_path, "kari  TESTESEN;person;Nes;0301", "Ola Testesen;person;Berg;0301",
        "Siv Testesen;person;Nes;0301")])

    assert report["people"] == {
        "matched": [{"file": "v.csv", "line": 3, "id": pid(store, "Ola Testesen", kommunenummer="0301")}],
        "likely_duplicates": [{"file": "v.csv", "line": 2,
                               "id": pid(store, "Kari Testesen", kommunenummer="0301"),
                               "others": ["ws:verksted:kari-testesen"]}],
    }
