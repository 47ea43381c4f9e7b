"""``graphsvc load`` as a user runs it (a real process, a real SQLite file), and ``POST
/imports`` with the same files: reports, failure modes, and the progress bar."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from loaders.workshop import person_id
from tests.fixtures import sources_registers as reg
from tests.fixtures.workshop_files import BROKEN_ROWS_CSV

SRC = reg.SOURCES
TEMPLATE = Path(__file__).parents[2] / "loaders" / "templates" / "workshop_template.xlsx"


def run(*args: str, cwd: Path, stderr=subprocess.PIPE, lang: str = "en"
        ) -> subprocess.CompletedProcess:
    """``graphsvc load`` in English (the texts these tests check); bokmål, the default, is
    checked by the tests that pass ``lang="nb"``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    env["GRAPHSVC_LANG"] = lang
    return subprocess.run([sys.executable, "-m", "graphsvc.cli", "load", *args], cwd=cwd,
                          env=env, stdout=subprocess.PIPE, stderr=stderr, text=True, timeout=120,
                          check=False)


def state(cwd: Path) -> tuple[int, list]:
    store = SQLiteStore(cwd / "graphsvc.db")
    try:
        return store.revision(), sorted(json.dumps(d, sort_keys=True) for d in store._all("actors"))
    finally:
        store.close()


def test_report_names_formats_counts_skips_and_rejected_rows(tmp_path):
    result = run(str(SRC / "enheter.csv"), str(SRC / "frivillighet.json"), "--kommune", "0399",
                 cwd=tmp_path)
    assert result.returncode == 3, result.stderr  # loaded, but some rows were rejected
    out = result.stdout
    assert "enheter.csv (brreg): 11 rows, 2 rejected" in out
    assert "frivillighet.json (frivillighet)" in out
    assert "actors      created     6" in out
    assert "1  outside the chosen kommuner" in out
    assert "1  business, not loaded without --include business" in out  # the bakery
    assert f"orgnrs with no actor: {reg.UTEN_ENHET}" in out
    assert f"2 rows rejected (not loaded):\n  enheter.csv:11 field 'organisasjonsnummer': " \
           f"orgnr '{reg.BAD_ORGNR}'" in out
    assert result.stderr == ""  # piped: no progress bar


def test_the_report_is_in_bokmal_by_default(tmp_path):
    result = run(str(SRC / "enheter.csv"), str(SRC / "frivillighet.json"), "--kommune", "0399",
                 cwd=tmp_path, lang="nb")
    out = result.stdout
    assert result.returncode == 3, result.stderr
    assert out.startswith("Leste 16 rader fra 2 filer; lagret som revisjon 1.\n"), out
    assert "enheter.csv (brreg): 11 rader, 2 avvist" in out
    assert "aktører     nye     6  endret     0  uendret     0" in out
    assert f"organisasjonsnumre uten aktør: {reg.UTEN_ENHET}" in out
    assert (f"2 rader avvist (ikke lastet):\n  enheter.csv:11 felt 'organisasjonsnummer': "
            f"organisasjonsnummeret '{reg.BAD_ORGNR}' har feil kontrollsiffer (skrivefeil?)"
            ) in out
    assert " row" not in out and "rejected" not in out
    english = run(str(SRC / "enheter.csv"), "--kommune", "0399", "--lang", "en", cwd=tmp_path,
                  lang="nb")
    assert english.stdout.startswith("Read 11 rows from 1 file; nothing changed"), english.stdout


def test_json_report(tmp_path):
    result = run(str(SRC / "enheter_90.csv.gz"), "--json", cwd=tmp_path)
    report = json.loads(result.stdout)
    assert report["files"][0]["format"] == "brreg"
    assert report["actors"] == {"created": 7, "updated": 0, "unchanged": 0}
    assert report["skipped"]["no longer active (konkurs/under avvikling)"] == 1
    again = json.loads(run(str(SRC / "enheter_90.csv.gz"), "--json", cwd=tmp_path).stdout)
    assert again["actors"] == {"created": 0, "updated": 0, "unchanged": 7}


@pytest.mark.parametrize(("name", "message"), [
    ("broken_truncated.csv.gz", "truncated or corrupt"),
    ("broken_binary.dat", "is a binary file"),
    ("broken_unknown.json", "is JSON but not"),
    ("broken_missing_column.csv", "required column 'organisasjonsnummer' is missing"),
    ("broken_no_coordinates.csv", "required column 'type' (or kind) is missing"),
])
def test_unreadable_files_exit_non_zero_with_the_store_unchanged(tmp_path, name, message):
    assert run(str(SRC / "kommuner.json"), cwd=tmp_path).returncode == 0
    before = state(tmp_path)
    result = run(str(SRC / "enheter.csv"), str(SRC / name), cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith(f"graphsvc: error: {name}: ")
    assert message in result.stderr
    assert state(tmp_path) == before


def test_a_file_that_cannot_be_read_is_said_in_bokmal_by_default(tmp_path):
    result = run(str(SRC / "broken_no_coordinates.csv"), cwd=tmp_path, lang="nb")
    assert result.returncode == 1
    assert result.stderr == ("graphsvc: feil: broken_no_coordinates.csv: den påkrevde kolonnen "
                             "'type' (eller kind) mangler; kolonner i filen: navn, adresse\n")


def test_wrong_format_given_is_refused(tmp_path):
    result = run(str(SRC / "kommuner.json"), "--format", "brreg", cwd=tmp_path)
    assert result.returncode == 1 and "not Enhetsregisteret data" in result.stderr
    result = run(str(SRC / "kommuner.json"), "--kommune", "399", cwd=tmp_path)
    assert result.returncode == 1 and "4 digits" in result.stderr


def test_strict_writes_nothing_when_a_row_is_rejected(tmp_path):
    result = run(str(SRC / "enheter.csv"), "--strict", cwd=tmp_path)
    assert result.returncode == 1
    assert "enheter.csv:11 field 'organisasjonsnummer'" in result.stderr
    assert state(tmp_path)[1] == []


def test_open_data_with_kind_and_category(tmp_path):
    result = run(str(SRC / "moteplasser.tsv"), "--kind", "institution", "--category",
                 "social.meetingplace", "--json", cwd=tmp_path)
    assert json.loads(result.stdout)["actors"]["created"] == 2


def test_a_progress_bar_on_a_terminal(tmp_path):
    leader, follower = pty.openpty()
    try:
        result = run(str(SRC / "enheter.json.gz"), cwd=tmp_path, stderr=follower)
        os.close(follower)
        follower = -1
        shown = b""
        while True:
            try:
                chunk = os.read(leader, 4096)
            except OSError:
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if follower != -1:
            os.close(follower)
        os.close(leader)
    assert result.returncode == 0
    assert b"enheter.json.gz [" in shown and b"100%" in shown


def test_post_imports_takes_any_format_and_returns_the_report(tmp_path):
    store = SQLiteStore(tmp_path / "api.db")
    app = create_app(Settings(store=store.url), store=store)
    with TestClient(app) as api:
        gz = (SRC / "enheter_90.csv.gz").read_bytes()
        body = api.post("/imports?kommune=0399&lang=en",
                        files={"file": ("enheter.gz", gz, "application/gzip")}).json()
        assert body["files"][0]["format"] == "brreg"
        assert body["actors"]["created"] == len(reg.EXPECTED_KINDS)
        assert body["skipped"]["outside the chosen kommuner"] == 1
        again = api.post("/imports?kommune=0399",
                         files={"file": ("enheter.gz", gz, "application/gzip")})
        assert again.json()["skipped"]["utenfor de valgte kommunene"] == 1  # bokmål by default
        friv = (SRC / "frivillighet.json").read_bytes()
        body = api.post("/imports", files={"file": ("f.json", friv, "application/json")}).json()
        assert body["actors"]["updated"] == 4 and body["orgnrs_without_actor"] == [reg.UTEN_ENHET]
        broken = (SRC / "broken_truncated.csv.gz").read_bytes()
        response = api.post("/imports", files={"file": ("b.csv.gz", broken, "application/gzip")})
        assert response.status_code == 422
        assert response.json()["error"]["code"] == "import_failed"
    store.close()


def test_post_imports_with_the_format_named(tmp_path):
    store = SQLiteStore(tmp_path / "api.db")
    app = create_app(Settings(store=store.url), store=store)
    with TestClient(app) as api:
        data = (SRC / "kommuner.json").read_bytes()
        wrong = api.post("/imports?format=brreg", files={"file": ("k.json", data, "text/plain")},
                         headers={"Accept-Language": "en"})
        assert wrong.status_code == 422 and "not Enhetsregisteret" in wrong.json()["error"]["message"]
        right = api.post("/imports?format=kommuner", files={"file": ("k.json", data, "text/plain")})
        assert right.json()["actors"]["created"] == 3
    store.close()


# --- workshop sheets: loading again, exit status, the API's error shape ----------------------


def test_the_template_loaded_twice_and_renamed_creates_nothing_the_second_and_third_time(
        tmp_path):
    first = json.loads(run(str(TEMPLATE), "--json", cwd=tmp_path).stdout)
    revision = first["written"]["revision"]
    renamed = tmp_path / "kopi av malen.xlsx"
    renamed.write_bytes(TEMPLATE.read_bytes())
    for path in (TEMPLATE, renamed):
        result = run(str(path), "--json", cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        again = json.loads(result.stdout)
        assert sum(again["written"]["created"].values()) == 0
        assert sum(again["written"]["updated"].values()) == 0
        assert again["written"]["unchanged"] == first["written"]["created"]
        assert again["written"]["revision"] == revision
    assert state(tmp_path)[0] == revision
    text = run(str(renamed), cwd=tmp_path).stdout
    assert text.startswith(f"Read 4 rows from 1 file; nothing changed, so nothing was "
                           f"written (store revision {revision}).")
    key = SQLiteStore(tmp_path / "graphsvc.db")
    try:  # a hash under the store's own key, not the name
        ola = person_id("Ola Eksempel", workshop="Nordbygda mai 2024", key=key.person_key())
    finally:
        key.close()
    assert ("1 person matched to people already stored (same id):\n"
            f"  kopi av malen.xlsx:4: {ola}") in text


def test_exit_status_0_all_loaded_3_some_rejected_1_nothing_written(tmp_path):
    good = tmp_path / "good.csv"
    good.write_text("aktør;type\nTestvik kor;lag\n", "utf-8")
    bad = tmp_path / "bad.csv"
    bad.write_text("aktør;type\nRart lag;romvesen\nAnnet lag;lag;ekstra\n", "utf-8")

    assert run(str(good), cwd=tmp_path).returncode == 0
    partly = run(str(BROKEN_ROWS_CSV), cwd=tmp_path)
    assert partly.returncode == 3
    assert ("  broken_rows.csv (workshop): 7 rows, 2 rejected, 1 tie left out\n"
            in partly.stdout)
    assert ("2 rows rejected (not loaded):\n"
            "  broken_rows.csv:5 field 'tilbyr': the quote (\") that opens in this cell on line 5 "
            "does not close on that line, so line 5 has 13 fields, the header has 12; close the "
            "quote and load again\n"
            "  broken_rows.csv:7: line 7 has 14 fields, the header has 12 (a value that contains "
            "';' must be in double quotes)\n"
            "1 tie left out (the rest of the row loaded):\n"
            "  broken_rows.csv:4 field 'kontakter': tie target 'Nobody Testesen'") in partly.stdout
    before = state(tmp_path)
    nothing = run(str(bad), cwd=tmp_path)
    assert nothing.returncode == 1
    assert nothing.stderr == (
        "graphsvc: error: all 2 rows rejected, so nothing was written. First: bad.csv:2 "
        "field 'type': unknown kind 'romvesen'; use enkeltperson, lag/forening, institusjon, "
        "frivilligsentral, kommune or bedrift\n"
        "  bad.csv:2 field 'type': unknown kind 'romvesen'; use enkeltperson, lag/forening, "
        "institusjon, frivilligsentral, kommune or bedrift\n"
        "  bad.csv:3: line 3 has 3 fields, the header has 2 (a value that contains ';' must be "
        "in double quotes)\n")
    assert run(str(BROKEN_ROWS_CSV), "--strict", cwd=tmp_path).returncode == 1
    assert state(tmp_path) == before


def test_workshop_option_scopes_people(tmp_path):
    sheet = tmp_path / "v.csv"
    sheet.write_text("aktør;type\nKari Testesen;person\n", "utf-8")
    report = json.loads(run(str(sheet), "--workshop", "Testvik vår 2024", "--json",
                            cwd=tmp_path).stdout)
    assert report["written"]["created"]["actors"] == 1
    store = SQLiteStore(tmp_path / "graphsvc.db")
    try:
        assert [a.id for a in store.actors()] == [
            person_id("Kari Testesen", workshop="Testvik vår 2024", key=store.person_key())]
    finally:
        store.close()


def test_post_imports_answers_the_one_error_shape_with_the_rows_in_detail(tmp_path):
    store = SQLiteStore(tmp_path / "api.db")
    app = create_app(Settings(store=store.url), store=store)
    bad = "aktør;type;kontakter\nRart lag;romvesen;\n".encode()
    tie = "aktør;type;kontakter\nTestvik kor;lag;kjenner:Ingen\n".encode()
    with TestClient(app) as api:
        response = api.post("/imports?lang=en", files={"file": ("bad.csv", bad, "text/csv")})
        assert response.status_code == 422
        body = response.json()
        assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
        assert body["error"]["code"] == "import_failed"
        assert body["error"]["detail"]["rows"] == [
            {"file": "bad.csv", "line": 2, "field": "type",
             "reason": "unknown kind 'romvesen'; use enkeltperson, lag/forening, institusjon, "
                       "frivilligsentral, kommune or bedrift",
             "reason_code": "row.sheet.kind_unknown"}]
        nb = api.post("/imports", files={"file": ("bad.csv", bad, "text/csv")}).json()["error"]
        assert nb["message"] == ("ingenting ble skrevet, for alt ble avvist: 1 rad. Første: "
                                 "bad.csv:2 "
                                 "felt 'type': ukjent aktørtype 'romvesen'; bruk enkeltperson, "
                                 "lag/forening, institusjon, frivilligsentral, kommune eller "
                                 "bedrift")
        assert nb["detail"]["rows"][0]["reason_code"] == "row.sheet.kind_unknown"
        strict = api.post("/imports?strict=true&lang=en",
                          files={"file": ("t.csv", tie, "text/csv")})
        assert strict.status_code == 422
        assert strict.json()["error"]["message"].startswith(
            "1 tie rejected in strict mode, so nothing was written.")
        assert "--" not in strict.json()["error"]["message"]
        assert store.revision() == 0
        loaded = api.post("/imports?workshop=Testvik%202024",
                          files={"file": ("t.csv", tie, "text/csv")}).json()
        assert (loaded["rows_rejected"], loaded["ties_rejected"]) == (0, 1)
        assert loaded["rejected"][0]["left_out"] == "tie"
    store.close()


def test_the_report_says_what_the_enrichment_derived_and_what_a_person_must_decide(tmp_path):
    from tests.fixtures import dedupe_sources as ds

    enheter, bygg, _ = ds.write(tmp_path)
    defs = tmp_path / "grender.csv"
    defs.write_text("postnummer;grend\n4027;Tasta\n", "utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    subprocess.run([sys.executable, "-m", "graphsvc.cli", "districts", str(defs), "--kommune",
                    "0399"], cwd=tmp_path, env=env, check=True, capture_output=True)
    out = run(str(enheter), str(bygg), "--kind", "institution", cwd=tmp_path).stdout
    # The hospital from the list and the trust from the register: a person decides.
    assert ("1 possible duplicate to decide (the same organisation? confirm with 'graphsvc "
            "merge A B', or 'graphsvc keep-apart A B'):") in out
    assert ("  odata:0399:testvik-universitetssjukehus (Testvik universitetssjukehus) ~ "
            f"brreg:{ds.HF} (HELSE TESTVIK HF): ") in out
    assert f"Merged with an actor from the register: 1\n  odata:0399:tasta-barnehage → " \
           f"brreg:{ds.BARNEHAGE}" in out
    assert "Districts in municipality 0399: " in out and "by postnummer" in out
    assert "Offers from the registers (not confirmed): " in out
    assert "Ties the registers know: 1 (1 municipal unit to the municipality)" in out
    (fresh := tmp_path / "nb").mkdir()
    subprocess.run([sys.executable, "-m", "graphsvc.cli", "districts", str(defs), "--kommune",
                    "0399"], cwd=fresh, env=env, check=True, capture_output=True)
    nb = run(str(enheter), str(bygg), "--kind", "institution", cwd=fresh, lang="nb").stdout
    assert "1 mulig dublett å avgjøre" in nb and "Grender i kommune 0399" in nb
