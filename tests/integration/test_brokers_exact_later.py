"""/brokers on a graph too large for exact betweenness at once (over 3 000 nodes): the first
answer is the sampled one and says an exact one follows; a later request gets the exact ranking,
the same as asking for every source."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from graphsvc.analysis import engine
from graphsvc.analysis.brokers import EXACT_UP_TO, brokers
from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore
from loaders.demo import generate_community


@pytest.fixture(scope="module")
def large_store(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("large") / "large.db")
    store.write(generate_community(EXACT_UP_TO + 200, seed=5))
    yield store
    store.close()


def test_the_sampled_answer_comes_first_and_the_exact_one_follows(large_store):
    with TestClient(create_app(Settings(store=large_store.url), store=large_store)) as api:
        first = api.get("/brokers", params={"top": 15}).json()
        assert first["exact"] is False
        assert first["approximation"]["exact_later"] is True
        assert first["sources"] < first["nodes"]
        for _ in range(600):  # about 3 s here; the child process is niced
            answer = api.get("/brokers", params={"top": 15}).json()
            if answer["exact"]:
                break
            time.sleep(0.1)
        assert answer["exact"] is True, "no exact answer after 60 s"
        assert answer["approximation"] is None
        assert answer["sources"] == answer["nodes"]
    G = large_store.to_networkx()
    every_source = brokers(G, top=15, k=G.number_of_nodes())
    assert every_source["exact"] is True
    assert [(r["actor"]["id"], r["betweenness"]) for r in answer["results"]] == [
        (r["actor"]["id"], r["betweenness"]) for r in every_source["results"]]


def test_no_exact_answer_is_promised_where_it_would_take_too_long(large_store, monkeypatch):
    monkeypatch.setattr(engine, "EXACT_LATER_WORK", 1000)
    G = large_store.to_networkx()
    answer = brokers(G, top=5, exact_later=True)
    assert answer["exact"] is False
    assert answer["approximation"]["exact_later"] is False
    # without being asked (the command line, the maps), nothing runs in the background
    assert "exact_later" not in brokers(G, top=5, by="district")["approximation"]


def _wait(condition, seconds: float = 10.0) -> bool:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_an_erasure_stops_the_background_job_and_a_write_restarts_it_for_the_new_graph(
        tmp_path):
    """A job holds the graph it computes for: an erasure stops it (the erased person is in no
    graph kept alive), and a job for an older revision gives way to the newer one's."""
    store = SQLiteStore(tmp_path / "jobs.db")
    batch = generate_community(EXACT_UP_TO + 200, seed=6)
    store.write(batch)
    person = next(a for a in batch.actors if a.kind == "individual")
    with TestClient(create_app(Settings(store=store.url), store=store)) as api:
        assert api.get("/brokers").json()["approximation"]["exact_later"] is True
        job = engine._JOB
        assert job is not None and job.revision == store.revision()
        assert _wait(lambda: job.child is not None)
        assert api.delete(f"/actors/{person.id}").status_code == 204
        assert _wait(lambda: engine._JOB is not job)
        assert job.cancelled and job.store is None
        assert _wait(lambda: job.child.poll() is not None, 5)  # the child was killed
        after = api.get("/brokers").json()
        assert person.id not in {r["actor"]["id"] for r in after["results"]}
        assert after["approximation"]["exact_later"] is True
        newer = engine._JOB
        assert newer is not None and newer.revision == store.revision()
        # a write: the old revision's answer is served stale and starts no job of its own;
        # the recompute for the new revision replaces the older job
        body = {"actors": [{"id": "test:nytt-lag", "kind": "association", "name": "Nytt lag",
                            "provenance": {"source": "test"}}]}
        assert api.post("/actors", json=body).status_code == 200
        stale = api.get("/brokers").json()
        assert stale["stale"] is True
        assert _wait(lambda: engine._JOB is not None and engine._JOB is not newer
                     and engine._JOB.revision == store.revision(), 30)
        assert newer.cancelled
    engine.cancel_later()  # leave no job behind for the next test
    assert not engine.later_running()
    store.close()

