"""An import too large to hold writes in chunks inside one bulk write (loaders/importer.py
``_import_bulk``, from ``BULK_FROM`` kept register actors): the same report and the same
store as the import that holds everything, and a failure anywhere (the last chunk, an
enrichment step, the commit) leaves the store exactly as it was, on SQLite and on FalkorDB.

The thresholds are lowered here (``BULK_FROM`` 1, ``CHUNK`` 2), so the fixtures' few dozen
FICTIONAL organisations go through every branch the 600 000-row benchmark goes through.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import loaders.importer as importer
from graphsvc.errors import ImportFailed
from graphsvc.model import Actor, GraphBatch
from graphsvc.privacy import PERSON_KEY_DOCUMENT
from graphsvc.store.base import GraphStore
from graphsvc.store.sqlite import SQLiteStore
from loaders.districts import apply_districts
from loaders.importer import import_files
from tests.fixtures import dedupe_sources
from tests.fixtures.sources_registers import SOURCES

DISTRICTS = Path(__file__).parents[1] / "fixtures" / "districts"


class _Clock(datetime):
    """Every import loads at the same second, so the two stores' provenance can be equal."""

    @classmethod
    def now(cls, tz: Any = None) -> datetime:  # noqa: D102
        return datetime(2026, 12, 2, 6, 0, 0, tzinfo=tz)


@pytest.fixture(autouse=True)
def same_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "datetime", _Clock)


def everything(store: GraphStore) -> dict[str, Any]:
    """What a reader of the store sees, and its revision."""
    return {kind: sorted((r for r in store._all(kind)), key=repr)
            for kind in ("actors", "initiatives", "resources", "needs", "ties", "documents")
            } | {"revision": store.revision()}


def comparable(report: dict[str, Any]) -> dict[str, Any]:
    written = {k: v for k, v in report["written"].items() if k != "revision"}
    return {k: v for k, v in report.items() if k != "written"} | {"written": written}


def files(tmp_path: Path, duplicates: bool = False) -> list[list[Path]]:
    """Imports one after another: registers of two kommuner, then the same with the kommune's
    open data, SSB codes, Frivillighetsregisteret and a workshop sheet (rows to merge, patches,
    sheet offers), then the registers again (a reload: unchanged and updated records)."""
    here = tmp_path / "files"
    here.mkdir(parents=True, exist_ok=True)
    enheter, bygg, kommuner = dedupe_sources.write(here)
    for name in ("enheter.csv", "underenheter.csv", "frivillighet.json", "verksted_testvik.csv",
                 "enheter_90.csv.gz", "enheter.json.gz"):
        shutil.copy(SOURCES / name, here / name)
    if duplicates:  # the same organisations in two files of one import
        return [[here / "enheter.csv", here / "enheter.json.gz", here / "underenheter.csv"],
                [here / "enheter_90.csv.gz", here / "enheter.csv", enheter, bygg]]
    return [[here / "enheter.csv", here / "underenheter.csv"],
            [enheter, bygg, kommuner, here / "frivillighet.json", here / "verksted_testvik.csv"],
            [here / "enheter.json.gz", here / "underenheter.csv"]]


def run(store: GraphStore, tmp_path: Path, duplicates: bool = False) -> list[dict[str, Any]]:
    store.write(GraphBatch(actors=[Actor(id="demo:x", kind="association", name="Demo")]))
    store._create_document(PERSON_KEY_DOCUMENT, "5e" * 32)  # the same people's ids in both
    apply_districts(store, [DISTRICTS / "fjordvik.geojson", DISTRICTS / "postnummer.csv"],
                    kommune="9901")
    out = []
    for paths in files(tmp_path, duplicates):
        out.append(comparable(import_files(store, paths, kind="institution",
                                           workshop="verksted")))
    return out


def test_a_bulk_import_gives_the_same_report_and_store_as_one_held_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    held = SQLiteStore(tmp_path / "held.db")
    expected = run(held, tmp_path)
    monkeypatch.setattr(importer, "BULK_FROM", 1)
    monkeypatch.setattr(importer, "CHUNK", 2)
    chunked = SQLiteStore(tmp_path / "chunked.db")
    got = run(chunked, tmp_path)

    assert everything(chunked) == everything(held)
    assert [r["actors"] for r in got] == [r["actors"] for r in expected]
    assert got[0]["actors"]["created"] >= 10 and got[2]["actors"]["unchanged"] >= 5
    assert got == expected


def test_an_organisation_twice_in_one_bulk_import_is_stored_as_when_held_whole(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The second record of an orgnr merges into what the first staged (its counts may count
    it twice: docs/loaders.md "Limits")."""
    held = SQLiteStore(tmp_path / "held.db")
    run(held, tmp_path, duplicates=True)
    monkeypatch.setattr(importer, "BULK_FROM", 1)
    monkeypatch.setattr(importer, "CHUNK", 2)
    chunked = SQLiteStore(tmp_path / "chunked.db")
    run(chunked, tmp_path, duplicates=True)
    assert everything(chunked) == everything(held)


# ---- a failure anywhere leaves the store as it was (every store: SQLite, FalkorDB, Neo4j) -----
def staged_left(store: GraphStore) -> int:
    """Rows a bulk write staged and did not commit or drop (readers never see them, so
    ``everything`` would not notice them; they may hold what the import read)."""
    if hasattr(store, "runner"):
        return store.runner.run("MATCH (s:Staged) RETURN count(s) AS n")[0]["n"]
    return store._db.execute("SELECT count(*) FROM staged").fetchone()[0]


def _state(store: GraphStore) -> dict[str, Any]:
    return everything(store) | {"staged": staged_left(store)}


@pytest.fixture
def chunked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(importer, "BULK_FROM", 1)
    monkeypatch.setattr(importer, "CHUNK", 2)


REGISTERS = [SOURCES / "underenheter.csv", SOURCES / "enheter.csv"]  # its bad rows are last


def test_a_bad_row_in_the_last_lines_of_a_strict_bulk_import_writes_nothing(
        store: GraphStore, chunked: None) -> None:
    store.write(GraphBatch(actors=[Actor(id="demo:x", kind="association", name="Demo")]))
    before = _state(store)
    with pytest.raises(ImportFailed) as failed:
        import_files(store, REGISTERS, strict=True)
    assert [(e.file, e.line) for e in failed.value.rows] == [("enheter.csv", 11),
                                                             ("enheter.csv", 12)]
    assert _state(store) == before
    report = import_files(store, REGISTERS)  # and the same files load once the error goes
    assert report["actors"]["created"] == 10 and store.counts()["actors"] == 11


def test_the_database_refusing_a_late_chunk_writes_nothing(
        store: GraphStore, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from graphsvc.errors import StoreError

    store.write(GraphBatch(actors=[Actor(id="demo:x", kind="association", name="Demo")]))
    before = _state(store)
    real, calls = store._stage, []

    def refusing(token: str, changes: dict[str, Any]) -> None:
        calls.append(token)
        if len(calls) == 4:  # three chunks staged already
            raise StoreError("the database refused the chunk")
        real(token, changes)

    monkeypatch.setattr(store, "_stage", refusing)
    with pytest.raises(StoreError):
        import_files(store, REGISTERS)
    assert len(calls) == 4 and _state(store) == before


def test_an_enrichment_step_failing_after_the_chunks_writes_nothing(
        store: GraphStore, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from loaders import enrich

    store.write(GraphBatch(actors=[Actor(id="demo:x", kind="association", name="Demo")]))
    before = _state(store)

    def failing(*_args: Any) -> dict[str, Any]:
        raise RuntimeError("the merge step failed")

    monkeypatch.setattr(enrich, "STEPS", [(n, failing if n == "merge" else s)
                                          for n, s in enrich.STEPS])
    with pytest.raises(RuntimeError):
        import_files(store, REGISTERS)
    assert _state(store) == before


def test_a_bulk_import_without_enrichment_steps_runs_none(
        tmp_path: Path, chunked: None, monkeypatch: pytest.MonkeyPatch) -> None:
    """``benchmarks/bench_enrich.py`` measures loading without the steps (``STEPS`` emptied)."""
    from loaders import enrich

    monkeypatch.setattr(enrich, "STEPS", [])
    store = SQLiteStore(tmp_path / "plain.db")
    report = import_files(store, REGISTERS)
    assert report["enrichment"] == {} and report["actors"]["created"] == 10
    assert store.counts()["resources"] == 0 and store.counts()["ties"] == 0
