"""Enhetsregisteret in all its published forms gives the same actors, classified per DESIGN 5."""

from __future__ import annotations

import gzip
import json

import pytest

from graphsvc.errors import ImportFailed
from loaders.brreg import read_brreg
from tests.fixtures import sources_registers as reg

SRC = reg.SOURCES


def by_orgnr(result):
    return {a.orgnr: a for a in result.batch.actors}


def test_bulk_csv_filtered_to_one_kommune_classifies_and_counts_the_rest():
    result = read_brreg(SRC / "enheter.csv", kommuner=["0399"])
    actors = by_orgnr(result)
    assert {o: a.kind for o, a in actors.items()} == reg.EXPECTED_KINDS
    assert result.rows_read == len(reg.ENHETER) + len(reg.BAD_CSV_ROWS)
    assert result.skipped == {
        "outside the chosen kommuner": 1,
        "no longer active (konkurs/under avvikling)": 1,
        "business, not loaded without --include business: business (shop, trade or company) "
        "(rule business)": 1,
    }
    assert {a.id for a in actors.values()} == {f"brreg:{o}" for o in reg.EXPECTED_KINDS}


def test_skip_reasons_are_said_in_the_planners_language():
    result = read_brreg(SRC / "enheter.csv", kommuner=["0399"])
    assert result.to_dict("nb")["skipped"] == {
        "bedrift, lastes bare med --include business: bedrift (butikk, handel eller selskap) "
        "(regel business)": 1,
        "ikke lenger aktiv (konkurs/under avvikling)": 1,
        "utenfor de valgte kommunene": 1,
    }
    assert set(result.to_dict("en")["skipped"]) == set(result.skipped)

def test_text_values_keep_leading_zeros_and_addresses_get_their_line_breaks():
    actors = by_orgnr(read_brreg(SRC / "enheter.csv"))
    kor = actors[reg.KOR]
    assert kor.orgnr.startswith("0") and kor.id == f"brreg:{reg.KOR}"
    assert kor.name == 'KOR "DUR OG MOLL", TESTVIK'  # quotes and comma inside a quoted value
    vel = actors[reg.VEL]
    assert vel.kommunenummer == "0399"
    assert vel.address == "Grendehuset\nPostboks 12\n0399 TESTVIK"
    assert (vel.orgform, vel.nace, str(vel.founded), vel.homepage) == (
        "FLI", "94.991", "1952-05-17", "www.testvik-vel.example")
    # No business address: the postal address locates it (and Norwegian letters survive).
    stiftelse = actors[reg.STIFTELSE]
    assert stiftelse.name == "ÆRFUGLEN STIFTELSE FOR KYSTKULTUR"
    assert stiftelse.address == "c/o Øyvind Ås\nSjøvegen 2\n0398 SJØBYGDA"
    assert stiftelse.kind == "association"  # STI, but registered in Frivillighetsregisteret


def test_bad_rows_are_rejected_with_line_field_and_reason():
    result = read_brreg(SRC / "enheter.csv", kommuner=["0399"])
    got = [(e.line, e.field, e.reason) for e in result.rejected]
    first_bad = len(reg.ENHETER) + 2  # header is line 1
    assert got == [
        (first_bad, "organisasjonsnummer",
         f"orgnr '{reg.BAD_ORGNR}' has a wrong check digit (typo?)"),
        (first_bad + 1, "registrertifrivillighetsregisteret", "'ja' is not true or false"),
    ]


@pytest.mark.parametrize("name", [
    pytest.param("enheter_90.csv.gz", id="csv-90-columns-gzip-crlf"),
    pytest.param("enheter.json.gz", id="bulk-json-gzip"),
])
def test_every_form_gives_the_same_actors_as_the_54_column_csv(name):
    expected = {a.id: a.model_dump(exclude={"provenance"})
                for a in read_brreg(SRC / "enheter.csv", kommuner=["0399"]).batch.actors}
    got = {a.id: a.model_dump(exclude={"provenance"})
           for a in read_brreg(SRC / name, kommuner=["0399"]).batch.actors}
    assert got == expected


def test_api_page_reads_embedded_enheter():
    result = read_brreg(SRC / "enheter_page.json")
    assert [a.orgnr for a in result.batch.actors] == [reg.VEL, reg.SENTRAL, reg.KOMMUNE]
    assert result.batch.actors[0].address == "Grendehuset\nPostboks 12\n0399 TESTVIK"


@pytest.mark.parametrize("name", ["underenheter.csv", "underenheter_page.json"])
def test_underenheter_are_located_by_beliggenhetsadresse(name):
    result = read_brreg(SRC / name, kommuner=["0399"])
    actors = by_orgnr(result)
    assert set(actors) == {reg.BARNEHAGE, reg.SKOLE, reg.SYKEHJEM}
    assert {a.kind for a in actors.values()} == {"institution"}
    barnehage = actors[reg.BARNEHAGE]
    assert barnehage.address == "Blomstervegen 5\n0399 TESTVIK"
    assert barnehage.parent_orgnr == reg.KOMMUNE and str(barnehage.founded) == "1989-08-15"
    assert result.skipped == {
        "no longer active (slettet/nedlagt)": 1,
        "not a community actor: a public body's unit with no service to the community (roads, "
        "water, administration) (rule public-subunit-other)": 1}


def test_a_truncated_gzip_fails_naming_the_file():
    with pytest.raises(ImportFailed, match=r"broken_truncated\.csv\.gz: the gzip file is "
                                           r"truncated or corrupt"):
        read_brreg(SRC / "broken_truncated.csv.gz")


def test_a_truncated_json_array_fails():
    with pytest.raises(ImportFailed, match="broken_array.json.gz"):
        read_brreg(SRC / "broken_array.json.gz")


def test_a_missing_required_column_is_named():
    with pytest.raises(ImportFailed, match="required column 'organisasjonsnummer' is missing"):
        read_brreg(SRC / "broken_missing_column.csv")


def test_wrong_json_is_refused():
    with pytest.raises(ImportFailed, match="not Enhetsregisteret data"):
        read_brreg(SRC / "broken_unknown.json")


def test_a_large_gzip_array_streams_in_chunks(tmp_path):
    # Records straddle the reader's 64 KiB chunks; every one must still come out whole.
    rows = [reg.nested(dict(reg.ENHETER[0], navn=f"TESTVIK VEL {i:05d}",
                            organisasjonsnummer=reg.orgnr(12100000 + i * 11)))
            for i in range(3000)]
    path = tmp_path / "big.json.gz"
    path.write_bytes(gzip.compress(json.dumps(rows).encode()))
    seen = []
    result = read_brreg(path, progress=seen.append)
    assert len(result.batch.actors) == 3000 and not result.rejected
    assert seen and seen[-1] == path.stat().st_size


def test_a_byte_order_mark_and_crlf_change_nothing(tmp_path):
    text = (SRC / "enheter.csv").read_text("utf-8").replace("\n", "\r\n")
    path = tmp_path / "enheter_bom.csv"
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    expected = read_brreg(SRC / "enheter.csv")
    got = read_brreg(path)
    assert [a.model_dump(exclude={"provenance"}) for a in got.batch.actors] == [
        a.model_dump(exclude={"provenance"}) for a in expected.batch.actors]
    assert [(e.line, e.field) for e in got.rejected] == [(e.line, e.field)
                                                         for e in expected.rejected]
