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
from tests.fixtures import sources_registers as reg

SRC = reg.SOURCES


def run(*args: str, cwd: Path, stderr=subprocess.PIPE) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
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
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "enheter.csv (brreg): 11 row(s), 2 rejected" in out
    assert "frivillighet.json (frivillighet)" in out
    assert "actors      created     6" in out
    assert "1  outside the chosen kommuner" in out
    assert "1  not a community actor (organisasjonsform AS, NACE 10)" in out
    assert f"orgnrs with no actor: {reg.UTEN_ENHET}" in out
    assert f"enheter.csv:11 field 'organisasjonsnummer': orgnr '{reg.BAD_ORGNR}'" in out
    assert result.stderr == ""  # piped: no progress bar


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
        body = api.post("/imports?kommune=0399",
                        files={"file": ("enheter.gz", gz, "application/gzip")}).json()
        assert body["files"][0]["format"] == "brreg"
        assert body["actors"]["created"] == len(reg.EXPECTED_KINDS)
        assert body["skipped"]["outside the chosen kommuner"] == 1
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
        wrong = api.post("/imports?format=brreg", files={"file": ("k.json", data, "text/plain")})
        assert wrong.status_code == 422 and "not Enhetsregisteret" in wrong.json()["error"]["message"]
        right = api.post("/imports?format=kommuner", files={"file": ("k.json", data, "text/plain")})
        assert right.json()["actors"]["created"] == 3
    store.close()
