"""Importing files into a real store: all or nothing per file, bad rows reported."""

from __future__ import annotations

import pytest

from graphsvc.errors import ImportFailed
from graphsvc.model import Actor, GraphBatch
from graphsvc.store.sqlite import SQLiteStore
from loaders.importer import import_files


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
                                        name="b.csv")])
    [bad] = report["rejected"]
    assert "matches 2 actors already in the store" in bad["reason"]
