"""Frivillighetsregisteret, SSB kommune codes and format detection, from the fixture files."""

from __future__ import annotations

import json

import pytest

from graphsvc.errors import ImportFailed
from graphsvc.taxonomy import load_taxonomy
from loaders.detect import detect_format
from loaders.frivillighet import ICNPO_TO_TAXONOMY, icnpo_names, read_frivillighet
from loaders.kommuner import read_kommuner
from tests.fixtures import sources_registers as reg

SRC = reg.SOURCES


def test_frivillighet_patches_carry_icnpo_with_the_primary_first_and_mapped_categories():
    result = read_frivillighet(SRC / "frivillighet.json")
    patches = {p.actor_id: p.fields for p in result.patches}
    stiftelse = patches[f"brreg:{reg.STIFTELSE}"]
    # rekkefoelge 1 first and primary, whatever the order in the file
    assert [(c["code"], c["primary"]) for c in stiftelse["icnpo"]] == [("1100", True),
                                                                       ("5100", False)]
    assert stiftelse["categories"] == ["culture"]  # 5100 maps to nothing
    assert patches[f"brreg:{reg.SENTRAL}"]["kind"] == "frivilligsentral"
    assert "kind" not in patches[f"brreg:{reg.VEL}"]
    assert result.rows_read == len(reg.FRIVILLIG) and not result.rejected


def test_frivillighet_api_page():
    result = read_frivillighet(SRC / "frivillighet_page.json")
    assert [p.actor_id for p in result.patches] == [f"brreg:{reg.VEL}", f"brreg:{reg.SENTRAL}"]


def test_an_unknown_icnpo_code_rejects_the_record(tmp_path):
    path = tmp_path / "f.json"
    record = {"organisasjonsnummer": reg.VEL,
              "icnpoKategorier": [{"icnpoNummer": "9999", "rekkefoelge": 1}]}
    path.write_text(json.dumps([record]), "utf-8")
    [err] = read_frivillighet(path).rejected
    assert (err.line, err.field, err.reason) == (1, "icnpoKategorier", "unknown ICNPO code '9999'")


def test_icnpo_mapping_points_at_real_codes():
    assert set(ICNPO_TO_TAXONOMY) <= set(icnpo_names())
    assert all(code in load_taxonomy() for code in ICNPO_TO_TAXONOMY.values())


@pytest.mark.parametrize("name", ["kommuner.json", "kommuner_cp1252.csv"])
def test_kommune_codes_become_municipality_actors(name):
    result = read_kommuner(SRC / name)
    assert {a.id: a.name for a in result.batch.actors} == {
        "kommune:0399": "Testvik kommune", "kommune:9901": "Fjordvik kommune",
        "kommune:9902": "Øyvær kommune"}
    assert {a.kind for a in result.batch.actors} == {"municipality"}
    assert {str(k): n for k, n in result.skipped.items()} == {"not a municipality (code 9999)": 1}
    assert result.to_dict()["skipped"] == {"ikke en kommune (kode 9999)": 1}


@pytest.mark.parametrize(("name", "fmt"), [
    ("enheter.csv", "brreg"), ("enheter_90.csv.gz", "brreg"), ("enheter.json.gz", "brreg"),
    ("enheter_page.json", "brreg"), ("underenheter.csv", "brreg"),
    ("underenheter_page.json", "brreg"), ("frivillighet.json", "frivillighet"),
    ("frivillighet_page.json", "frivillighet"), ("kommuner.json", "kommuner"),
    ("kommuner_cp1252.csv", "kommuner"), ("barnehager_bom_crlf.csv", "opendata"),
    ("helsestasjoner_cp1252.csv", "opendata"), ("moteplasser.tsv", "opendata"),
])
def test_format_is_detected_from_content(name, fmt, tmp_path):
    assert detect_format(SRC / name) == fmt
    renamed = tmp_path / "download"  # no extension: only the content can tell
    renamed.write_bytes((SRC / name).read_bytes())
    assert detect_format(renamed) == fmt


@pytest.mark.parametrize(("name", "message"), [
    ("broken_binary.dat", "is a binary file"),
    ("broken_unknown.json", "is JSON but not"),
    ("broken_truncated.csv.gz", None),
])
def test_unrecognisable_files_say_why(name, message):
    if message is None:  # enough survives to see the header; the reader then fails
        assert detect_format(SRC / name) == "brreg"
        return
    with pytest.raises(ImportFailed, match=message):
        detect_format(SRC / name)


def test_committed_fixture_files_are_what_the_builders_write(tmp_path):
    # If this fails, run: python -m tests.fixtures.sources_registers (and sources_opendata)
    from tests.fixtures import sources_opendata

    reg.write_all(tmp_path)
    sources_opendata.write_all(tmp_path)
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in SRC.iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (SRC / name).read_bytes(), name


def test_an_empty_gzip_is_called_empty_not_corrupt(tmp_path):
    import gzip

    path = tmp_path / "enheter.csv.gz"
    path.write_bytes(gzip.compress(b""))
    with pytest.raises(ImportFailed, match=r"enheter\.csv\.gz: the file is empty"):
        detect_format(path)


@pytest.mark.parametrize("name", ["kommuner.json", "kommuner_cp1252.csv"])
def test_kommune_codes_name_their_rule_and_list_what_they_do_not_read(name):
    result = read_kommuner(SRC / name)
    assert {a.kind_rule for a in result.batch.actors} == {"kommune-list"}
    assert {"parentCode", "level", "shortName", "notes"} <= set(result.ignored_columns)
    assert not {"code", "name"} & set(result.ignored_columns)


def test_frivillighet_names_the_icnpo_rule_and_lists_unread_keys(tmp_path):
    path = tmp_path / "f.json"
    path.write_text(json.dumps([dict(reg.FRIVILLIG[1], registreringsdato="2020-01-01")]),
                    "utf-8")
    result = read_frivillighet(path)
    assert result.patches[0].fields["kind_rule"] == "icnpo-8200"
    assert result.ignored_columns == ["registreringsdato"]
