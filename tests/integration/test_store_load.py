"""Large loads into every store (``conftest.store``): what a reload of the same rows reports,
that an import's "only the provenance changed" is left as stored without a write, and that a
load leaves the process's garbage collector as it found it.

Issue 11 part 3 made the write path serialise once and compare in one pass; these are the
behaviours that rewrite had to keep (the counts a user reads in the import report, the revision
caches key on) and the ones it fixed (a reload of many ties).
"""

from __future__ import annotations

import gc
import json
import sqlite3

import pytest

from graphsvc.errors import UnknownReferenceError
from graphsvc.model import Actor, GraphBatch, Provenance, Tie
from graphsvc.store.base import GraphStore
from graphsvc.store.sqlite import SQLiteStore


def many(n_actors: int, *, source: str = "a.csv", strength: float = 0.5) -> GraphBatch:
    """``n_actors`` actors (more than one lookup chunk of 500) with two ties each."""
    actors = [Actor(id=f"demo:a{i}", kind="association", name=f"Lag nr. {i} på Hisøy",
                    district="Hisøy", provenance=Provenance(source=source, source_row=i + 2))
              for i in range(n_actors)]
    ties = [Tie(source=f"demo:a{i}", target=f"demo:a{(i + step) % n_actors}", kind="KNOWS",
                strength=strength, provenance=Provenance(source=source, source_row=i + 2))
            for i in range(n_actors) for step in (1, 7)]
    return GraphBatch(actors=actors, ties=ties)


def test_reload_of_the_same_rows_is_all_unchanged(store: GraphStore) -> None:
    first = store.write(many(1200))
    assert (first.created["actors"], first.created["ties"]) == (1200, 2400)
    again = store.write(many(1200))
    assert again.unchanged == {"actors": 1200, "initiatives": 0, "resources": 0, "needs": 0,
                               "ties": 2400}
    assert not any(again.created.values()) and not any(again.updated.values())
    # One tie among 2 400 changes: exactly that one is written.
    batch = many(1200)
    batch.ties[1733] = batch.ties[1733].model_copy(update={"strength": 0.9})
    third = store.write(batch)
    assert (third.updated["ties"], third.unchanged["ties"]) == (1, 2399)
    assert store.counts()["ties"] == 2400


def test_an_import_that_changes_only_provenance_writes_nothing(store: GraphStore) -> None:
    first = store.write(many(600, source="a.csv"))
    revision = store.revision()
    assert first.revision == revision
    moved = store.write(many(600, source="copy of a.csv"), ignoring={"provenance"})
    assert moved.unchanged["actors"] == 600 and moved.unchanged["ties"] == 1200
    assert moved.revision == revision == store.revision()  # no write, caches stay valid
    assert store.get_actor("demo:a5").provenance.source == "a.csv"  # left as stored
    # A real change among them is written, with its new provenance.
    changed = many(600, source="b.csv")
    changed.actors[5] = changed.actors[5].model_copy(update={"name": "Hisøy Vel"})
    report = store.write(changed, ignoring={"provenance"})
    assert (report.updated["actors"], report.unchanged["actors"]) == (1, 599)
    assert report.revision > revision
    assert store.get_actor("demo:a5").provenance.source == "b.csv"
    assert store.get_actor("demo:a6").provenance.source == "a.csv"


def test_plain_write_of_unchanged_rows_still_moves_the_revision(store: GraphStore) -> None:
    store.write(many(100))
    revision = store.revision()
    assert store.write(many(100)).revision > revision  # as before: a write is a write


@pytest.mark.parametrize("enabled", [True, False], ids=["gc-on", "gc-off"])
def test_a_load_leaves_the_garbage_collector_as_it_was(store: GraphStore, enabled: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if enabled else gc.disable()
        store.write(GraphBatch.model_validate(many(300).model_dump(mode="json")))
        assert gc.isenabled() is enabled
        with pytest.raises(UnknownReferenceError):  # a failing write, too
            store.write(GraphBatch(ties=[Tie(source="demo:a1", target="demo:nobody",
                                             kind="KNOWS")]))
        assert gc.isenabled() is enabled
        with pytest.raises(ValueError):  # and a batch that fails validation
            GraphBatch.model_validate({"actors": [{"id": "demo:x", "kind": "nonsense"}]})
        assert gc.isenabled() is enabled
    finally:
        gc.enable() if was else gc.disable()


def test_rows_written_by_an_earlier_version_compare_equal(tmp_path) -> None:
    """Earlier versions stored ``json.dumps(data, ensure_ascii=False)`` (with spaces); the
    store now writes compact JSON. A reload must not count every old row as updated."""
    path = tmp_path / "old.db"
    store = SQLiteStore(path)
    store.write(many(50))
    store.close()
    db = sqlite3.connect(path)
    for table in ("actors", "ties"):
        for rowid, data in db.execute(f"SELECT rowid, data FROM {table}").fetchall():
            db.execute(f"UPDATE {table} SET data = ? WHERE rowid = ?",
                       (json.dumps(json.loads(data), ensure_ascii=False), rowid))
    db.commit()
    assert ", " in db.execute("SELECT data FROM actors LIMIT 1").fetchone()[0]
    db.close()
    store = SQLiteStore(path)
    try:
        again = store.write(many(50))
        assert (again.unchanged["actors"], again.unchanged["ties"]) == (50, 100)
        # What is stored now reads the same in SQLite's own JSON functions, letters as is.
        store.write(many(50, strength=0.7))
        name, strength = store._db.execute(
            "SELECT json_extract(a.data, '$.name'), json_extract(t.data, '$.strength') "
            "FROM actors a JOIN ties t ON t.source = a.id WHERE a.id = 'demo:a3'").fetchone()
        assert (name, strength) == ("Lag nr. 3 på Hisøy", 0.7)
        store.write(GraphBatch(actors=[Actor(id="demo:ny", kind="association",
                                             name="Ærlig på Tromøya")]))
        raw = store._db.execute("SELECT data FROM actors WHERE id = 'demo:ny'").fetchone()[0]
        assert "Ærlig på Tromøya" in raw
    finally:
        store.close()
