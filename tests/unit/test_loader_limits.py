"""What one import may cost is bounded, and every way past a bound is a one-line error naming the
file (and the line and column where there is one) with nothing written (issue 13.1–2;
docs/loaders.md "Limits")."""

from __future__ import annotations

import gzip
import io
import json
import re
import time
import zipfile
from pathlib import Path

import pytest

from graphsvc.errors import ImportFailed
from graphsvc.store.sqlite import SQLiteStore
from loaders.districts import apply_districts
from loaders.importer import Limits, import_files
from tests.fixtures.sources_registers import HEADER_54, orgnr

ROOT = Path(__file__).resolve().parents[2]
DEEP = "[" * 3000 + "]" * 3000


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "limits.db")
    yield s
    s.close()


def register_csv(*rows: dict[str, str]) -> str:
    lines = [",".join(f'"{h}"' for h in HEADER_54)]
    for row in rows:
        lines.append(",".join(f'"{row.get(h, "")}"' for h in HEADER_54))
    return "\n".join(lines) + "\n"


def association(n: int, **extra: str) -> dict[str, str]:
    return {"organisasjonsnummer": orgnr(12010001 + 10 * n), "navn": f"TESTVIK LAG {n}",
            "organisasjonsform.kode": "FLI", "forretningsadresse.kommunenummer": "0399", **extra}


def failure(store, path: Path, **kwargs) -> str:
    """The message of the import that must fail, checked to be one line under 300 characters
    in both languages, and the store checked to be untouched."""
    before = (store.revision(), store.counts())
    with pytest.raises(ImportFailed) as caught:
        import_files(store, [path], **kwargs)
    for lang in ("nb", "en"):
        said = caught.value.message_in(lang)
        assert len(said) < 300 and "\n" not in said, said
    assert (store.revision(), store.counts()) == before
    return caught.value.message_in("en")


# ---- CSV ---------------------------------------------------------------------------------------

def test_a_140_000_character_cell_is_read_and_one_past_the_limit_names_line_and_column(
        store, tmp_path):
    long = tmp_path / "long.csv"
    wide = "organisasjonsform.beskrivelse"  # read by the csv module, not kept
    long.write_text(register_csv(association(1, **{wide: "x" * 140_000})), "utf-8")
    report = import_files(store, [long])  # the csv module alone stops at 131 072
    assert report["actors"]["created"] == 1
    too_long = tmp_path / "too-long.csv"
    too_long.write_text(register_csv(association(2), association(3, **{wide: "x" * 5_000})),
                        "utf-8")
    said = failure(store, too_long, limits=Limits(max_field=4_000))
    assert said == ("too-long.csv: line 3 field 'organisasjonsform.beskrivelse': the cell is "
                    "longer than 4000 characters")


def test_a_workshop_sheet_cell_past_the_limit_names_its_column(store, tmp_path):
    sheet = tmp_path / "verksted.csv"
    sheet.write_text('aktør;type;grend\nKari;enkeltperson;"' + "Holmen " * 1_000 + '"\n', "utf-8")
    said = failure(store, sheet, limits=Limits(max_field=1_000))
    assert said == "verksted.csv: line 2 field 'grend': the cell is longer than 1000 characters"


def test_a_line_past_the_limit_is_refused_before_it_is_read_whole(store, tmp_path):
    sheet = tmp_path / "verksted.csv"
    sheet.write_text("aktør;type\n" + "x" * 50_000 + "\n", "utf-8")
    said = failure(store, sheet, fmt="workshop", limits=Limits(max_line=10_000))
    assert said == "verksted.csv: line 2 is longer than 10000 characters"


def test_delimiter_sniffing_costs_no_more_than_a_bounded_sample(store, tmp_path):
    # 64 KB of '";' cost 34 s of CPU in csv.Sniffer; with both ';' and ',' in the header the
    # sniffer still runs, on 4 KiB only.
    for header, body in (("aktør;type", '";' * 32_000),
                         ("aktør;type,tilbyr", ('";' * 100 + "\n") * 320)):
        sheet = tmp_path / "sniff.csv"
        sheet.write_text(header + "\n" + body, "utf-8")
        started = time.process_time()
        with pytest.raises(ImportFailed):
            import_files(store, [sheet])
        assert time.process_time() - started < 1.5, header


# ---- sizes and counts --------------------------------------------------------------------------

def test_a_gzip_bomb_stops_at_the_decompressed_limit(store, tmp_path):
    bomb = tmp_path / "enheter.csv.gz"
    bomb.write_bytes(gzip.compress((register_csv() + "\n" * (3 << 20)).encode()))
    assert bomb.stat().st_size < 10_000
    said = failure(store, bomb, limits=Limits(max_bytes=1 << 20))
    assert said == ("enheter.csv.gz: is more than 1048576 bytes decompressed (the limit for one "
                    "file); split it, or raise the limit")


def test_a_workbook_declaring_more_than_the_limit_is_not_opened(store, tmp_path):
    book = tmp_path / "verksted.xlsx"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (2 << 20))
    book.write_bytes(buf.getvalue())
    said = failure(store, book, limits=Limits(max_bytes=1 << 20))
    assert "verksted.xlsx: is more than 1048576 bytes decompressed" in said


def test_rows_are_counted_over_every_file_of_one_import(store, tmp_path):
    one, two = tmp_path / "a.csv", tmp_path / "b.csv"
    one.write_text(register_csv(association(1), association(2), association(3)), "utf-8")
    two.write_text(register_csv(association(4), association(5), association(6)), "utf-8")
    before = store.counts()
    with pytest.raises(ImportFailed) as caught:
        import_files(store, [one, two], limits=Limits(max_rows=5))
    assert caught.value.message == ("b.csv: line 4 is past the limit of 5 rows for one import; "
                                    "split the file, or raise the limit")
    assert store.counts() == before
    assert import_files(store, [one], limits=Limits(max_rows=5))["actors"]["created"] == 3


def test_records_kept_are_limited_but_rows_filtered_out_are_not_kept(store, tmp_path):
    path = tmp_path / "enheter.csv"
    outside = [association(n, **{"forretningsadresse.kommunenummer": "9901"})
               for n in range(3, 9)]
    path.write_text(register_csv(association(1), association(2), *outside), "utf-8")
    said = failure(store, path, limits=Limits(max_records=4))
    assert said.startswith("enheter.csv: line 6 is past the limit of 4 records to write")
    report = import_files(store, [path], kommuner=["0399"], limits=Limits(max_records=4))
    assert report["actors"]["created"] == 2


# ---- JSON --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("name", "text", "fmt"), [
    ("enheter.json", f'[{{"organisasjonsnummer": {DEEP}}}]', "brreg"),
    ("side.json", f'{{"_embedded": {{"enheter": {DEEP}}}}}', "brreg"),
    ("frivillighet.json", f'{{"organisasjonsnummer": "1", "icnpoKategorier": {DEEP}}}', None),
    ("frivillighet-liste.json", f'[{{"organisasjonsnummer": "1", "icnpoKategorier": {DEEP}}}]',
     "frivillighet"),
    ("kommuner.json", f'{{"codes": {DEEP}}}', None),
    ("kommuner-uten-slutt.json", '{"codes": ' + "[" * 3000, "kommuner"),
])
def test_json_nested_3000_deep_is_a_clean_error_in_every_reader(store, tmp_path, name, text, fmt):
    path = tmp_path / name
    path.write_text(text, "utf-8")
    said = failure(store, path, fmt=fmt)
    assert re.fullmatch(rf"{re.escape(name)}: the JSON is nested deeper than 64 levels "
                        r"\((record 1|the whole document)\); no register file is", said), said


def test_district_geojson_nested_deep_is_a_clean_error(store, tmp_path):
    path = tmp_path / "grender.geojson"
    path.write_text(f'{{"type": "FeatureCollection", "features": {DEEP}}}', "utf-8")
    with pytest.raises(ImportFailed) as caught:
        apply_districts(store, [path], kommune="0399")
    assert caught.value.message.startswith("grender.geojson: the JSON is nested deeper than 64")


def test_icnpo_categories_that_are_no_list_reject_the_row_not_the_reader(store, tmp_path):
    register = tmp_path / "enheter.csv"
    register.write_text(register_csv(association(0), association(1)), "utf-8")
    import_files(store, [register])
    path = tmp_path / "frivillighet.json"
    records = [{"organisasjonsnummer": orgnr(12010001), "icnpoKategorier": 5},
               {"organisasjonsnummer": orgnr(12010011), "icnpoKategorier": [
                   {"icnpoNummer": "1200", "rekkefoelge": 1e999}]}]
    path.write_text(json.dumps(records), "utf-8")
    report = import_files(store, [path])
    [bad] = report["rejected"]
    assert (bad["line"], bad["field"]) == (1, "icnpoKategorier")
    assert bad["reason"] == "ventet en liste med ICNPO-kategorier, fant 5"


def test_a_page_whose_list_is_a_number_says_which_field(store, tmp_path):
    path = tmp_path / "side.json"
    path.write_text('{"_embedded": {"enheter": 5}}', "utf-8")
    assert failure(store, path, fmt="brreg") == (
        "side.json: field '_embedded.enheter': expected a list, found a number")


def test_a_json_page_larger_than_the_document_limit_is_refused(store, tmp_path):
    path = tmp_path / "side.json"
    path.write_text('{"_embedded": {"enheter": [], "x": "' + "x" * 5_000 + '"}}', "utf-8")
    said = failure(store, path, fmt="brreg", limits=Limits(max_document=1_000))
    assert said.startswith("side.json: the JSON document is larger than 1000 characters")


# ---- one line, < 300 characters ----------------------------------------------------------------

def test_messages_stay_one_line_under_300_characters_whatever_the_file_holds(store, tmp_path):
    # A header of long names missing the required columns, listed in the message.
    header = tmp_path / "enheter.csv"
    header.write_text(",".join(f"organisasjonsform.{'x' * 200}{i}" for i in range(40)) + "\n",
                      "utf-8")
    assert failure(store, header).startswith("enheter.csv: required columns 'organisasjonsnumm")
    # A cell with line breaks and 5 000 characters shown in a row error.
    cell = tmp_path / "bool.csv"
    cell.write_text(register_csv(association(1, konkurs="ja\n" * 2_500)), "utf-8")
    said = failure(store, cell)
    assert "'ja\\nja\\n" in said and said.endswith("…' is not true or false")
    # An open-data file whose message lists every column it has (its reader says them all).
    wide = tmp_path / "steder.csv"
    wide.write_text(";".join(f"kolonne_{'y' * 50}_{i}" for i in range(30)) + ";navn\nA\n",
                    "utf-8")
    said = failure(store, wide, fmt="opendata")
    assert said.startswith("steder.csv: ")


def test_the_limits_are_stated_in_the_docs_as_the_code_has_them():
    text = (ROOT / "docs" / "loaders.md").read_text("utf-8")
    section = text.split("## Limits", 1)[1].split("\n## ", 1)[0]
    for field, value in vars(Limits()).items():
        row = next((ln for ln in section.splitlines() if f"`{field}`" in ln), None)
        assert row is not None, field
        assert f"{value:,}".replace(",", " ") in row, (field, row)
