"""Municipal open-data CSVs: delimiters, encodings, line ends and column names as published."""

from __future__ import annotations

import pytest

from graphsvc.errors import ImportFailed, ValidationError
from loaders.opendata import read_opendata
from tests.fixtures.sources_opendata import SOURCES


def test_bom_crlf_semicolons_and_decimal_commas_with_kind_given():
    result = read_opendata(SOURCES / "barnehager_bom_crlf.csv", kind="institution",
                           category="learning")
    actors = {a.name: a for a in result.batch.actors}
    assert list(actors) == ["Solsikken barnehage", "Måken barnehage", "Tyttebær naturbarnehage"]
    solsikken = actors["Solsikken barnehage"]
    assert (solsikken.lat, solsikken.lon, solsikken.kommunenummer) == (59.9101, 10.7502, "0399")
    assert solsikken.id == "odata:0399:solsikken-barnehage"
    assert solsikken.kind == "institution" and solsikken.categories == ["learning"]
    [bad] = result.rejected
    assert (bad.line, bad.field) == (5, "Breddegrad") and "90" in bad.reason


def test_windows_1252_commas_and_a_type_column():
    result = read_opendata(SOURCES / "helsestasjoner_cp1252.csv")
    names = [a.name for a in result.batch.actors]
    assert names == ["Helsestasjon Sør", "Helsestasjon for ungdom, Østbyen"]
    assert result.batch.actors[1].district == "Østbyen"
    [bad] = result.rejected
    assert (bad.line, bad.field, bad.reason) == (4, "Type", "unknown kind 'romvesen'")


def test_tab_file_with_categories_needs_the_kind_from_the_command_line():
    with pytest.raises(ImportFailed, match="no 'type' column.*--kind"):
        read_opendata(SOURCES / "moteplasser.tsv")
    result = read_opendata(SOURCES / "moteplasser.tsv", kind="institution")
    assert [a.categories for a in result.batch.actors] == [["social.meetingplace"],
                                                            ["learning.course"]]


def test_missing_coordinates_are_named():
    with pytest.raises(ImportFailed, match="breddegrad/latitude/lat and lengdegrad"):
        read_opendata(SOURCES / "broken_no_coordinates.csv", kind="institution")


def test_unknown_kind_or_category_option_is_refused():
    with pytest.raises(ValidationError, match="unknown category 'help.teleport'"):
        read_opendata(SOURCES / "moteplasser.tsv", kind="institution", category="help.teleport")
