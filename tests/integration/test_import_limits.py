"""The loader limits as a user sets them: ``graphsvc load --max-rows/--max-records/
--max-decompressed-mb`` and ``GRAPHSVC_MAX_IMPORT_ROWS``/``_RECORDS``/``GRAPHSVC_MAX_DECOMPRESSED_MB``
for the CLI and ``POST /imports``; past one, the import fails with the limit named and writes
nothing (docs/loaders.md "Limits")."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from tests.fixtures import sources_registers as reg


def load(*args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    return subprocess.run([sys.executable, "-m", "graphsvc.cli", "load", *args], cwd=cwd,
                          env={**clean, "GRAPHSVC_LANG": "en", **env}, capture_output=True,
                          text=True, timeout=120, check=False)


def actors(cwd: Path) -> int:
    store = SQLiteStore(cwd / "graphsvc.db")
    try:
        return store.counts()["actors"]
    finally:
        store.close()


def test_load_max_rows_stops_the_import_at_that_row_and_writes_nothing(tmp_path: Path) -> None:
    failed = load(str(reg.SOURCES / "enheter.csv"), "--max-rows", "4", cwd=tmp_path)
    assert failed.returncode != 0
    assert "enheter.csv: line 6 is past the limit of 4 rows for one import" in failed.stderr
    assert actors(tmp_path) == 0
    assert load(str(reg.SOURCES / "enheter.csv"), cwd=tmp_path).returncode == 3  # 2 rejected
    assert actors(tmp_path) == 7


def test_the_settings_set_the_limits_and_an_option_wins(tmp_path: Path) -> None:
    failed = load(str(reg.SOURCES / "enheter.csv"), cwd=tmp_path,
                  GRAPHSVC_MAX_IMPORT_RECORDS="3")
    assert "past the limit of 3 records to write in one import" in failed.stderr
    assert actors(tmp_path) == 0
    done = load(str(reg.SOURCES / "enheter.csv"), "--max-records", "50", cwd=tmp_path,
                GRAPHSVC_MAX_IMPORT_RECORDS="3")
    assert done.returncode == 3 and actors(tmp_path) == 7
    gz = load(str(reg.SOURCES / "enheter_90.csv.gz"), "--max-decompressed-mb", "1",
              cwd=tmp_path)
    assert gz.returncode == 0, gz.stderr  # a small file is well under 1 MB


def test_post_imports_keeps_the_limits_of_the_settings(tmp_path: Path) -> None:
    store = SQLiteStore(tmp_path / "api.db")
    app = create_app(Settings(store=store.url, max_import_rows=4), store=store)
    with TestClient(app) as client:
        answer = client.post("/imports?lang=en", files={"file": (
            "enheter.csv", (reg.SOURCES / "enheter.csv").read_bytes(), "text/csv")})
    assert answer.status_code == 422
    assert "past the limit of 4 rows for one import" in answer.json()["error"]["message"]
    assert store.counts()["actors"] == 0
