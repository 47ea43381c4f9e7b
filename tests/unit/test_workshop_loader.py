"""The workshop-sheet loader, as a facilitator and a planner meet it: what loads, what is
rejected and why, which files are refused, and that loading again changes nothing."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from graphsvc.errors import ImportFailed, RowError, ValidationError
from graphsvc.model import TIE_KINDS
from graphsvc.privacy import UNKEYED
from graphsvc.privacy import person_id as keyed_person_id
from loaders import LoadResult, read_workshop
from loaders.templates.make_template import write_csv, write_xlsx
from loaders.workshop import TEMPLATE_HEADERS, TIE_ALIASES, person_id
from tests.fixtures.workshop_files import (
    BROKEN_ROWS_CSV,
    BROKEN_XLSX,
    CP1252_CSV,
    GOOD_CSV,
    MISSING_COLUMN_CSV,
    ONE_BAD_ROW_CSV,
    build_xlsx,
)

TEMPLATES = Path(__file__).parents[2] / "loaders" / "templates"
WHEN = datetime(2024, 5, 2, 18, 30, tzinfo=UTC)
GOOD_ROW = "Holmen velforening;forening;;"


def pid(name: str, *, workshop: str | None = None, kommunenummer: str | None = None) -> str:
    """A person's id as a sheet read without a store's key gives it."""
    return person_id(name, workshop=workshop, kommunenummer=kommunenummer)


KARI = keyed_person_id(UNKEYED, "id", "ws:kari")  # good.csv gives Kari Ødegård the id ws:kari
ASE = pid("Åse Bråten", kommunenummer="0301")


def sheet(
    tmp_path: Path, *lines: str, name: str = "verksted.csv", header: str | None = None
) -> Path:
    """A small UTF-8 semicolon sheet with the columns most cases need."""
    path = tmp_path / name
    head = header or "aktør;type;tilbyr;kontakter"
    path.write_text("\n".join([head, *lines]) + "\n", encoding="utf-8")
    return path


def by_name(result: LoadResult) -> dict:
    return {a.name: a for a in result.batch.actors}


@pytest.fixture
def good_xlsx(tmp_path: Path) -> Path:
    return build_xlsx(tmp_path / "good.xlsx")


# --- good files -----------------------------------------------------------------------------


def test_good_csv_loads_every_row() -> None:
    result = read_workshop(GOOD_CSV, kommunenummer="0301", loaded_at=WHEN)

    assert result.rejected == []
    assert (result.rows_read, result.source, result.ignored_columns) == (5, "good.csv", [])
    assert {(a.id, a.kind) for a in result.batch.actors} == {
        ("brreg:998877660", "association"),  # orgnr gives the Brønnøysund id
        (KARI, "individual"),  # the id column, hashed: it never reaches an answer
        (ASE, "individual"),  # otherwise from the name and kommune, hashed
        ("ws:fjordvik-frivilligsentral", "frivilligsentral"),
        ("ws:holmen-skole", "institution"),
    }
    kari = by_name(result)["Kari Ødegård"]
    assert (kari.district, kari.kommunenummer, kari.age_band) == ("Holmen", "0301", "67-79")
    assert kari.consent_purpose == "Besøksvenn i bydelen"
    assert kari.provenance.model_dump() == {
        "source": "good.csv", "source_row": 3, "loaded_at": WHEN}


def test_offers_and_needs_get_stable_ids_and_descriptions() -> None:
    result = read_workshop(GOOD_CSV, loaded_at=WHEN)

    offers = {r.id: r.description for r in result.batch.resources if r.holder == KARI}
    assert offers == {
        f"{KARI}:offer:help.transport": "har bil, kjører gjerne",
        f"{KARI}:offer:social.visit": None,
    }
    needs = {n.id: n.description for n in result.batch.needs if n.holder == ASE}
    # A cell typed over two lines keeps its line break, as in the spreadsheet.
    assert needs == {
        f"{ASE}:need:social.visit": "ønsker besøk\nen gang i uka",
        f"{ASE}:need:help.digital": None,
    }
    assert all(r.district == "Holmen" for r in result.batch.resources if r.holder == KARI)


def test_line_numbers_count_spreadsheet_rows_not_text_lines() -> None:
    # Åse's need spans two text lines in the file, but it is one row in Excel.
    result = read_workshop(GOOD_CSV, loaded_at=WHEN)

    rows = {a.name: a.provenance.source_row for a in result.batch.actors}
    assert rows == {"Holmen velforening": 2, "Kari Ødegård": 3, "Åse Bråten": 4,
                    "Fjordvik frivilligsentral": 5, "Holmen skole": 6}


def test_ties_resolve_names_in_the_sheet_ids_and_outside_ids() -> None:
    result = read_workshop(GOOD_CSV, loaded_at=WHEN)

    assert {t.key for t in result.batch.ties} == {
        (KARI, "MEMBER_OF", "brreg:998877660"),  # "holmen VELFORENING": any case
        (KARI, "KNOWS", ASE),  # kjenner:Åse Bråten
        (ASE, "KNOWS", KARI),  # by the id the sheet gave her
        ("ws:fjordvik-frivilligsentral", "PARTNERS_WITH", "brreg:998877660"),
        ("ws:fjordvik-frivilligsentral", "PARTICIPATES_IN", "init:sykling-uten-alder"),
    }


@pytest.mark.parametrize(
    ("path", "names"),
    [
        pytest.param(GOOD_CSV, {"Kari Ødegård", "Åse Bråten"}, id="utf8-bom-semicolon-crlf"),
        pytest.param(CP1252_CSV, {"Bjørn Sæther", "Åsen frivilligsentral"},
                     id="windows-1252-comma"),
    ],
)
def test_norwegian_letters_survive_every_encoding(path: Path, names: set[str]) -> None:
    result = read_workshop(path, loaded_at=WHEN)

    assert result.rejected == []
    assert names <= set(by_name(result))


def test_windows_1252_sheet_with_english_and_capitalised_headers() -> None:
    result = read_workshop(CP1252_CSV, kommunenummer="4203", loaded_at=WHEN)

    bjorn = by_name(result)["Bjørn Sæther"]
    assert (bjorn.kind, bjorn.district, bjorn.kommunenummer) == ("individual", "Øvre Å", "4203")
    assert {r.category for r in result.batch.resources if r.holder == bjorn.id} == {
        "help.practical", "reuse.repair"}
    assert [t.key for t in result.batch.ties] == [
        (pid("Bjørn Sæther", kommunenummer="4203"), "VOLUNTEERS_AT",
         "ws:asen-frivilligsentral")]


def test_xlsx_restores_codes_excel_turned_into_numbers(good_xlsx: Path) -> None:
    result = read_workshop(good_xlsx, loaded_at=WHEN)

    assert result.rejected == []
    actors = by_name(result)
    assert set(actors) == {"Holmen velforening", "Kari Ødegård", "Fjordvik Sykkelklubb"}
    assert actors["Holmen velforening"].kommunenummer == "0301"  # typed 0301, stored as 301
    assert actors["Holmen velforening"].id == "brreg:998877660"  # orgnr stored as a number
    assert actors["Fjordvik Sykkelklubb"].orgnr == "999000118"  # typed "999 000 118"
    # The header is on row 2, a blank row 4 is skipped, and rows keep their Excel numbers.
    assert {a.name: a.provenance.source_row for a in actors.values()} == {
        "Holmen velforening": 3, "Kari Ødegård": 5, "Fjordvik Sykkelklubb": 6}


@pytest.mark.parametrize(
    "variant",
    [
        pytest.param({"without_default_style": True}, id="no-default-style"),
        pytest.param({"with_extension": True}, id="unsupported-sheet-extension"),
    ],
)
def test_xlsx_that_makes_openpyxl_warn_still_loads(tmp_path: Path, variant: dict) -> None:
    # pytest turns warnings into errors: this fails if openpyxl's noise reaches the caller.
    result = read_workshop(build_xlsx(tmp_path / "export.xlsx", **variant), loaded_at=WHEN)

    assert (result.rows_read, result.rejected) == (3, [])


@pytest.mark.parametrize(
    "path",
    [
        pytest.param(GOOD_CSV, id="csv"),
        pytest.param(CP1252_CSV, id="cp1252"),
        pytest.param(None, id="xlsx"),
    ],
)
def test_reading_twice_gives_equal_batches(path: Path | None, good_xlsx: Path) -> None:
    path = path or good_xlsx

    assert read_workshop(path, loaded_at=WHEN) == read_workshop(path, loaded_at=WHEN)
    # Without a fixed time only provenance differs: every id is the same.
    first, again = read_workshop(path), read_workshop(path)
    for kind in ("actors", "resources", "needs"):
        ids = [[x.id for x in getattr(r.batch, kind)] for r in (first, again)]
        assert ids[0] == ids[1]
    assert [t.key for t in first.batch.ties] == [t.key for t in again.batch.ties]


def test_a_persons_id_contains_neither_their_name_nor_the_sheets_id_for_them() -> None:
    result = read_workshop(GOOD_CSV, loaded_at=WHEN, person_key=b"store key")

    people = [a for a in result.batch.actors if a.kind == "individual"]
    assert [a.name for a in people] == ["Kari Ødegård", "Åse Bråten"]
    assert all(re.fullmatch(r"ws:person:[0-9a-f]{12}", a.id) for a in people)
    dumped = result.batch.model_dump_json()
    for hidden in ("kari", "odegard", "ase", "braten"):  # the sheet gave Kari the id ws:kari
        assert not re.search(rf"ws:[^\"]*\b{hidden}\b", dumped)
    # Åse's "KNOWS:ws:kari" still finds Kari.
    kari, ase = people
    assert (ase.id, "KNOWS", kari.id) in {t.key for t in result.batch.ties}


def test_a_person_gets_the_same_id_in_the_same_store_and_another_in_another() -> None:
    def ids(key: bytes | None, workshop: str | None = None) -> list[str]:
        batch = read_workshop(GOOD_CSV, loaded_at=WHEN, workshop=workshop,
                              person_key=key).batch
        return [a.id for a in batch.actors if a.kind == "individual"]

    assert ids(b"store A") == ids(b"store A")  # loading again changes nothing
    assert not set(ids(b"store A")) & set(ids(b"store B"))  # a guess needs the store's key
    assert not set(ids(b"store A")) & set(ids(None))
    # Åse (no id column) is scoped by her kommune, or by a workshop the caller names.
    assert ids(b"store A", "Holmen mai")[1] != ids(b"store A")[1]
    assert ids(b"store A", "Holmen mai")[0] == ids(b"store A")[0]  # Kari's own id: unscoped


# --- rejected rows --------------------------------------------------------------------------


def test_bad_row_is_reported_with_line_field_and_reason_and_the_rest_loads() -> None:
    result = read_workshop(ONE_BAD_ROW_CSV, loaded_at=WHEN)

    assert [str(e) for e in result.rejected] == [
        "one_bad_row.csv:4 field 'tilbyr': unknown category code 'help.teleport' "
        "(did you mean 'help.transport'?)"
    ]
    assert set(by_name(result)) == {"Ola Nordmann", "Holmen velforening", "Fjordvik bibliotek"}
    assert all(not n.holder.endswith(":per-hansen") for n in result.batch.needs)  # the row is left out whole
    assert (result.rows_read, result.rows_loaded, result.rows_rejected) == (4, 3, 1)


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        pytest.param("Kari;xyz;;", "type", "unknown kind 'xyz'; use enkeltperson, lag/forening, "
                     "institusjon, frivilligsentral, kommune or bedrift", id="unknown-kind"),
        pytest.param("Kari;;;", "type", "the kind of actor is missing; use enkeltperson, "
                     "lag/forening, institusjon, frivilligsentral, kommune or bedrift",
                     id="missing-kind"),
        pytest.param(";person;social.visit;", "aktør", "the actor's name is missing",
                     id="missing-name"),
        pytest.param("Kari;person;Help.Teleport: beam;", "tilbyr",
                     "unknown category code 'Help.Teleport' (did you mean 'help.transport'?)",
                     id="unknown-category"),
        pytest.param("Holmen Velforening;lag;;", "aktør",
                     "the same actor as line 2 (id 'ws:holmen-velforening'); if they are "
                     "different actors, give each its own id in the 'id' column",
                     id="same-actor-twice"),
        pytest.param("Kari;person;;kjenner:Holmen velforening; kjenner:Ola", None,
                     "line 3 has 5 fields, the header has 4 (a value that contains ';' must be "
                     "in double quotes)", id="unquoted-semicolon"),
        pytest.param("Kari;person;help.transport", None,
                     "line 3 has 3 fields, the header has 4 (is ';' missing?)",
                     id="a-field-too-few"),
        pytest.param('Kari;person;"help.transport: har bil;', "tilbyr",
                     "the quote (\") that opens in this cell on line 3 is never closed; close it "
                     "and load again", id="unclosed-quote"),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_left_out(
    tmp_path: Path, row: str, field: str | None, reason: str
) -> None:
    result = read_workshop(sheet(tmp_path, GOOD_ROW, row), loaded_at=WHEN)

    assert result.rejected == [RowError("verksted.csv", 3, field, reason)]
    assert [a.name for a in result.batch.actors] == ["Holmen velforening"]
    assert result.batch.resources == [] and result.batch.ties == []


@pytest.mark.parametrize(
    ("header", "row", "field", "reason"),
    [
        pytest.param("aktør;type;orgnr", "Lag;lag;998877661", "orgnr",
                     "orgnr '998877661' has a wrong check digit (typo?)", id="orgnr-check-digit"),
        pytest.param("aktør;type;orgnr", "Lag;lag;12345", "orgnr",
                     "orgnr must be 9 digits, not '12345'", id="orgnr-length"),
        pytest.param("aktør;type;orgnr", "Kari;person;998877660", "orgnr",
                     "an individual has no orgnr; a sole proprietorship is type 'bedrift'",
                     id="individual-with-orgnr"),
        pytest.param("aktør;type;kommunenummer", "Lag;lag;03011", "kommunenummer",
                     "kommunenummer must be 4 digits like '0301', not '03011'",
                     id="bad-kommunenummer"),
        pytest.param("aktør;type;id", "Kari;person;kari", "id",
                     "id 'kari' must be namespaced like 'ws:kari' (a lower-case prefix, a colon, "
                     "no leading space) and at most 150 characters", id="id-without-namespace"),
        pytest.param("Aktør;Type;Grend", "Kari;person;" + "x" * 101, "Grend",
                     "String should have at most 100 characters", id="too-long-for-the-model"),
    ],
)
def test_bad_values_in_optional_columns(
    tmp_path: Path, header: str, row: str, field: str, reason: str
) -> None:
    result = read_workshop(sheet(tmp_path, row, header=header), loaded_at=WHEN)

    assert result.rejected == [RowError("verksted.csv", 2, field, reason)]
    assert result.batch.actors == []


def test_every_problem_of_a_row_is_reported_at_once(tmp_path: Path) -> None:
    path = sheet(tmp_path, "Kari;xyz;help.teleport;kjenner:Nobody")

    result = read_workshop(path, loaded_at=WHEN)

    assert [(e.line, e.field) for e in result.rejected] == [
        (2, "type"), (2, "tilbyr"), (2, "kontakter")]
    assert result.rows_rejected == 1


@pytest.mark.parametrize(
    ("ties", "reason"),
    [
        pytest.param("hater:Holmen velforening",
                     "unknown tie kind 'hater'; use one of medlem_av, frivillig_ved, jobber_ved, "
                     "kjenner, samarbeider_med, koordinerer, finansierer, deltar_i, del_av",
                     id="bad-tie-kind"),
        pytest.param("kjenner:Holmen velforeing",
                     "tie target 'Holmen velforeing' is not an actor in this sheet and not an id "
                     "like 'ws:kari' or 'brreg:<orgnr>' (did you mean 'Holmen velforening'?)",
                     id="tie-target-not-found"),
        pytest.param("Holmen velforening",
                     "tie 'Holmen velforening' must look like 'kind:name or id', e.g. "
                     "'kjenner:Kari'", id="tie-without-kind"),
        pytest.param("kjenner:kari", "acquaintance with 'kari': a tie cannot join an actor to "
                     "itself", id="tie-to-itself"),
    ],
)
def test_a_bad_tie_leaves_out_that_tie_not_the_actor(
    tmp_path: Path, ties: str, reason: str
) -> None:
    path = sheet(tmp_path, GOOD_ROW, f'Kari;person;social.visit;"{ties}; medlem_av:Holmen '
                                     'velforening"')

    result = read_workshop(path, loaded_at=WHEN)

    assert result.rejected == []
    assert result.ties_rejected == [RowError("verksted.csv", 3, "kontakter", reason)]
    assert [a.name for a in result.batch.actors] == ["Holmen velforening", "Kari"]
    assert [r.id for r in result.batch.resources] == [f"{pid('Kari')}:offer:social.visit"]
    assert [t.key for t in result.batch.ties] == [
        (pid("Kari"), "MEMBER_OF", "ws:holmen-velforening")]
    assert (result.rows_rejected, result.to_dict()["ties_rejected"][0]["line"]) == (0, 3)


def test_a_tie_to_a_rejected_row_is_left_out_and_its_row_loads(tmp_path: Path) -> None:
    # Holmen velforening's row is rejected; a tie to it would dangle, so Kari loads without it,
    # and Ola's tie to Kari stands.
    path = sheet(tmp_path, "Holmen velforening;forening;help.teleport;",
                 "Kari;person;;medlem_av:Holmen velforening", "Ola;person;;kjenner:Kari")

    result = read_workshop(path, loaded_at=WHEN)

    assert [(e.line, e.field) for e in result.rejected] == [(2, "tilbyr")]
    assert [str(e) for e in result.ties_rejected] == [
        "verksted.csv:3 field 'kontakter': tie target 'Holmen velforening' is on line 2, which "
        "was rejected; fix that line and load again"]
    assert [a.name for a in result.batch.actors] == ["Kari", "Ola"]
    assert [t.key for t in result.batch.ties] == [(pid("Ola"), "KNOWS", pid("Kari"))]


def test_shifted_columns_are_reported_as_a_field_count_not_as_wrong_values() -> None:
    # Line 7 has two unquoted ';' in «tilbyr»: read by position, «67-79» would land in «orgnr»
    # and be reported as a bad orgnr. Line 5 opens a quote it never closes on that line.
    result = read_workshop(BROKEN_ROWS_CSV, loaded_at=WHEN)

    assert [str(e) for e in result.rejected] == [
        "broken_rows.csv:5 field 'tilbyr': the quote (\") that opens in this cell on line 5 "
        "does not close on that line, so line 5 has 13 fields, the header has 12; close the "
        "quote and load again",
        "broken_rows.csv:7: line 7 has 14 fields, the header has 12 (a value that contains ';' "
        "must be in double quotes)",
    ]
    assert [str(e) for e in result.ties_rejected] == [
        "broken_rows.csv:4 field 'kontakter': tie target 'Nobody Testesen' is not an actor in "
        "this sheet and not an id like 'ws:kari' or 'brreg:<orgnr>' (did you mean 'Bo "
        "Testesen'?)"]
    # The rows after the broken ones load, each from its own line.
    assert {a.name: a.provenance.source_row for a in result.batch.actors} == {
        "Testvik helselag": 2, "Kari Testesen": 3, "Ola Testesen": 4, "Siv Testesen": 6,
        "Per Testesen": 8}
    assert (result.rows_read, result.rows_rejected) == (7, 2)


def test_an_ambiguous_name_needs_an_id(tmp_path: Path) -> None:
    path = sheet(tmp_path, "Kari;person;;;ws:kari-1", "Kari;person;;;ws:kari-2",
                 "Ola;person;;kjenner:Kari;", "Per;person;;kjenner:ws:kari-2;",
                 header="aktør;type;tilbyr;kontakter;id")

    result = read_workshop(path, loaded_at=WHEN)

    assert [str(e) for e in result.ties_rejected] == [
        "verksted.csv:4 field 'kontakter': tie target 'Kari' matches several rows (lines 2, 3); "
        "use an id"]
    assert [a.name for a in result.batch.actors] == ["Kari", "Kari", "Ola", "Per"]
    kari_2 = keyed_person_id(UNKEYED, "id", "ws:kari-2")
    assert [t.key for t in result.batch.ties] == [(pid("Per"), "KNOWS", kari_2)]


def test_names_typed_on_a_mac_match_names_typed_on_windows(tmp_path: Path) -> None:
    decomposed = "A\u030ase"  # "Åse" as macOS may write it: A + combining ring
    path = sheet(tmp_path, f"{decomposed};person;;", "Ola;person;;kjenner:Åse")

    result = read_workshop(path, loaded_at=WHEN)

    assert [a.name for a in result.batch.actors] == ["Åse", "Ola"]
    assert [t.key for t in result.batch.ties] == [(pid("Ola"), "KNOWS", pid("Åse"))]


def test_norwegian_and_english_tie_kinds_cover_the_model() -> None:
    assert set(TIE_ALIASES) == set(TIE_KINDS)


# --- columns --------------------------------------------------------------------------------


def test_columns_are_found_by_name_in_any_order_and_case(tmp_path: Path) -> None:
    path = tmp_path / "english.tsv"
    path.write_text("Ties\tOffers\tKIND\tActor\tDistrict\n"
                    "knows:Bo\thelp.shopping: handler for naboen\tIndividual\tAnna\tBakkeli\n"
                    "\t\tbusiness\tBo\t\n", encoding="utf-8")

    result = read_workshop(path, loaded_at=WHEN)

    assert result.rejected == []
    anna = by_name(result)["Anna"]
    assert (anna.kind, anna.district) == ("individual", "Bakkeli")
    assert [r.id for r in result.batch.resources] == [f"{pid('Anna')}:offer:help.shopping"]
    assert [t.key for t in result.batch.ties] == [(pid("Anna"), "KNOWS", "ws:bo")]


def test_category_names_are_accepted_as_well_as_codes(tmp_path: Path) -> None:
    path = sheet(tmp_path, 'Kari;person;"Transport og følge: har bil; Visiting friend";')

    result = read_workshop(path, loaded_at=WHEN)

    assert [(r.category, r.description) for r in result.batch.resources] == [
        ("help.transport", "har bil"), ("social.visit", None)]


def test_unknown_columns_are_listed_and_never_stored(tmp_path: Path) -> None:
    path = sheet(tmp_path, "Kari;person;99 88 77 66;kari@example.org",
                 header="aktør;type;telefon;e-post")

    result = read_workshop(path, loaded_at=WHEN)

    assert result.ignored_columns == ["telefon", "e-post"]
    dumped = result.batch.model_dump_json()
    assert "99 88 77 66" not in dumped and "kari@example.org" not in dumped


def test_consent_is_kept_for_individuals_only_and_nothing_else_is_added(tmp_path: Path) -> None:
    path = sheet(tmp_path, "Kari;enkeltperson;Besøksvenn", "Holmen vel;lag;Besøksvenn",
                 header="aktør;type;samtykke")

    actors = by_name(read_workshop(path, loaded_at=WHEN))

    assert actors["Kari"].consent_purpose == "Besøksvenn"
    assert actors["Holmen vel"].consent_purpose is None
    assert actors["Kari"].model_dump(exclude={"provenance"}, exclude_none=True) == {
        "id": pid("Kari"), "kind": "individual", "name": "Kari", "categories": [],
        "consent_purpose": "Besøksvenn"}


def test_kommunenummer_argument_fills_rows_that_have_none(tmp_path: Path) -> None:
    path = sheet(tmp_path, "Lag;lag;", "Kari;person;301", header="aktør;type;kommunenummer")

    actors = by_name(read_workshop(path, kommunenummer="4203", loaded_at=WHEN))

    # A lost leading zero (Excel made 0301 the number 301) is put back.
    assert (actors["Lag"].kommunenummer, actors["Kari"].kommunenummer) == ("4203", "0301")


def test_kommunenummer_argument_must_be_four_digits() -> None:
    with pytest.raises(ValidationError, match="must be 4 digits like '0301', not '301'"):
        read_workshop(GOOD_CSV, kommunenummer="301")


def test_source_names_an_upload_in_provenance_and_errors(tmp_path: Path) -> None:
    path = sheet(tmp_path, "Kari;xyz;;", "Ola;person;;", name="tmp8f3a.csv")

    result = read_workshop(path, source="Verksted Holmen.csv", loaded_at=WHEN)

    assert result.source == "Verksted Holmen.csv"
    assert result.rejected[0].file == "Verksted Holmen.csv"
    assert result.batch.actors[0].provenance.source == "Verksted Holmen.csv"


def test_report_is_json_without_anyones_data() -> None:
    report = read_workshop(ONE_BAD_ROW_CSV, loaded_at=WHEN).to_dict("en")

    text = json.dumps(report)
    assert report == {
        "source": "one_bad_row.csv", "rows_read": 4, "rows_loaded": 3, "rows_rejected": 1,
        "counts": {"actors": 3, "initiatives": 0, "resources": 3, "needs": 0, "ties": 0},
        "rejected": [{"file": "one_bad_row.csv", "line": 4, "field": "tilbyr",
                      "reason": "unknown category code 'help.teleport' (did you mean "
                                "'help.transport'?)", "reason_code": "row.sheet.category_hint"}],
        "ignored_columns": [],
        "ties_rejected": [],
    }
    assert "Ola Nordmann" not in text


# --- files that cannot be read --------------------------------------------------------------


def _zip_not_xlsx(path: Path) -> None:
    import zipfile

    with zipfile.ZipFile(path, "w") as z:
        z.writestr("content.xml", "<office:document/>")


@pytest.mark.parametrize(
    ("name", "make", "message"),
    [
        pytest.param("nowhere.csv", None, "nowhere.csv: file not found", id="nonexistent"),
        pytest.param("empty.csv", lambda p: p.write_bytes(b""), "empty.csv: the file is empty",
                     id="empty"),
        pytest.param("blank.csv", lambda p: p.write_bytes(b"\xef\xbb\xbf\r\n ;;\r\n"),
                     "blank.csv: the file is empty (no header row)", id="only-blank-lines"),
        pytest.param("garbage.csv", lambda p: p.write_bytes(bytes(range(256)) * 4),
                     "garbage.csv: is not a CSV or XLSX file (it contains binary data)",
                     id="binary-garbage"),
        pytest.param("broken.xlsx", lambda p: p.write_bytes(BROKEN_XLSX.read_bytes()),
                     "broken.xlsx: is not a readable .xlsx workbook (truncated or corrupt",
                     id="truncated-xlsx"),
        pytest.param("sheet.ods", _zip_not_xlsx,
                     "sheet.ods: is not a readable .xlsx workbook", id="zip-but-not-xlsx"),
        pytest.param("old.xls",
                     lambda p: p.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(512)),
                     "old.xls: is an old Excel .xls (or other Office binary) file; save it as "
                     ".xlsx or .csv", id="legacy-xls"),
        pytest.param("latin.csv", lambda p: p.write_bytes(b"akt\x81r;type\n"),
                     "latin.csv: is neither UTF-8 nor Windows-1252 text", id="unknown-encoding"),
        pytest.param("folder.csv", lambda p: p.mkdir(), "folder.csv: is a directory",
                     id="directory"),
        pytest.param("twice.csv", lambda p: p.write_text("aktør;type;Type\n", encoding="utf-8"),
                     "twice.csv: column 'Type' appears twice in the header on line 1",
                     id="same-header-twice"),
        pytest.param("alias.csv", lambda p: p.write_text("aktør;actor;type\n", encoding="utf-8"),
                     "alias.csv: columns 'aktør' and 'actor' mean the same thing; keep one",
                     id="two-aliases-of-one-column"),
    ],
)
def test_unreadable_files_raise_import_failed_naming_the_file(
    tmp_path: Path, name: str, make, message: str
) -> None:
    path = tmp_path / name
    if make:
        make(path)

    with pytest.raises(ImportFailed) as caught:
        read_workshop(path)

    assert str(caught.value).startswith(message)
    assert caught.value.context["file"] == name


def test_missing_required_column_names_it_and_lists_the_headers_found() -> None:
    with pytest.raises(ImportFailed) as caught:
        read_workshop(MISSING_COLUMN_CSV)

    assert str(caught.value) == (
        "missing_column.csv: required column 'aktør' (or aktor, actor, navn, name) is missing; "
        "columns found: deltaker, type, tilbyr")
    assert caught.value.to_dict()["error"]["detail"]["missing"] == ["aktør"]
    assert caught.value.message_in("nb") == (
        "missing_column.csv: den påkrevde kolonnen 'aktør' (eller aktor, actor, navn, name) "
        "mangler; kolonner i filen: deltaker, type, tilbyr")


def test_row_errors_are_said_in_bokmal_by_default_with_a_stable_reason_code() -> None:
    report = read_workshop(ONE_BAD_ROW_CSV, loaded_at=WHEN).to_dict()
    assert report["rejected"] == [{
        "file": "one_bad_row.csv", "line": 4, "field": "tilbyr",
        "reason": "ukjent kategorikode 'help.teleport' (mente du 'help.transport'?)",
        "reason_code": "row.sheet.category_hint"}]


def test_the_models_own_rule_is_said_in_bokmal_too(tmp_path: Path) -> None:
    path = sheet(tmp_path, GOOD_ROW, "Kari;person;social.visit;kjenner:kari")
    tie = read_workshop(path, loaded_at=WHEN).to_dict("nb")["ties_rejected"]
    assert [(t["line"], t["reason"]) for t in tie] == [
        (3, "bekjentskap med 'kari': et bånd kan ikke gå fra en aktør til den samme aktøren")]

def test_a_header_only_sheet_loads_nothing_and_fails_nothing(tmp_path: Path) -> None:
    result = read_workshop(sheet(tmp_path), loaded_at=WHEN)

    assert (result.rows_read, len(result.batch), result.rejected) == (0, 0, [])


def test_utf16_unicode_text_from_excel(tmp_path: Path) -> None:
    path = tmp_path / "unicode.txt"
    path.write_text("aktør\ttype\r\nØystein\tperson\r\n", encoding="utf-16")

    assert [a.name for a in read_workshop(path).batch.actors] == ["Øystein"]


# --- templates ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", [
    pytest.param("workshop_template.csv", id="csv"),
    pytest.param("workshop_template.xlsx", id="xlsx"),
])
def test_template_loads_with_zero_rejections(name: str) -> None:
    result = read_workshop(TEMPLATES / name, loaded_at=WHEN)

    assert (result.rejected, result.ignored_columns) == ([], [])
    assert result.rows_read == 4
    assert len(result.batch.actors) == 3
    assert [i.name for i in result.batch.initiatives] == ["Sykling uten alder – Nordbygda"]
    assert {t.kind for t in result.batch.ties} == {"PARTNERS_WITH", "MEMBER_OF", "VOLUNTEERS_AT",
                                                    "COORDINATES", "PARTICIPATES_IN"}


def test_template_headers_are_the_documented_set() -> None:
    first = (TEMPLATES / "workshop_template.csv").read_text(encoding="utf-8-sig").splitlines()[0]

    assert tuple(first.split(";")) == TEMPLATE_HEADERS == (
        "aktør", "type", "grend", "kommunenummer", "tilbyr", "trenger", "kontakter",
        "aldersgruppe", "samtykke", "orgnr", "id", "verksted")


@pytest.mark.parametrize(("name", "write"), [
    pytest.param("workshop_template.csv", write_csv, id="csv"),
    pytest.param("workshop_template.xlsx", write_xlsx, id="xlsx"),
])
def test_committed_templates_are_up_to_date(tmp_path: Path, name: str, write) -> None:
    # If this fails, run: python -m loaders.templates.make_template
    assert write(tmp_path / name).read_bytes() == (TEMPLATES / name).read_bytes()
