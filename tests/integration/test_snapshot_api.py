"""The incremental snapshot through the API: a write is seen by the next read without a
rebuild, and /communities says which revision its answer was computed for (stale while the
new revision's is computed in the background)."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from graphsvc.api import create_app
from graphsvc.settings import Settings
from graphsvc.store.sqlite import SQLiteStore


def test_a_write_is_read_at_once_and_communities_say_their_revision(tmp_path, demo_batch):
    store = SQLiteStore(tmp_path / "api.db")
    store.write(demo_batch)
    person = next(a for a in demo_batch.actors if a.kind == "individual")
    with TestClient(create_app(Settings(store=store.url), store=store)) as api:
        first = api.get("/communities").json()
        revision = store.revision()
        assert (first["stale"], first["computed_for_revision"]) == (False, revision)
        snapshot = api.app.state.snapshot
        rebuilds = snapshot.rebuilds
        body = {"actors": [{"id": "test:ny", "kind": "association", "name": "Nytt lag",
                            "provenance": {"source": "test"}}],
                "ties": [{"source": person.id, "target": "test:ny", "kind": "MEMBER_OF",
                          "provenance": {"source": "test"}}]}
        assert api.post("/actors", json=body).status_code == 200
        assert api.get("/actors/test:ny").json()["name"] == "Nytt lag"
        assert (snapshot.rebuilds, snapshot.applies) == (rebuilds, 1)  # applied, not rebuilt
        after = api.get("/communities").json()
        assert (after["stale"], after["computed_for_revision"]) == (True, revision)
        assert after["communities"] == first["communities"]  # the previous revision's answer
        for _ in range(200):  # the background thread computes the new revision's
            fresh = api.get("/communities").json()
            if not fresh["stale"]:
                break
            time.sleep(0.05)
        assert fresh["computed_for_revision"] == revision + 1
        size = lambda answer: sum(c["size"] for c in answer["communities"])  # noqa: E731
        assert size(fresh) == size(first) + 1  # the new association is in one now
    store.close()


def test_an_erased_person_is_in_no_answer_not_even_a_stale_one(tmp_path, demo_batch):
    """After DELETE /actors/{id} the expensive answers (gaps, brokers, communities) are computed
    on the graph without the person: none is served from the graph before the erasure."""
    store = SQLiteStore(tmp_path / "erase.db")
    store.write(demo_batch)
    settings = Settings(store=store.url, show_names=True)
    with TestClient(create_app(settings, store=store)) as api:
        routes = ["/brokers?top=500&by=district", "/gaps", "/communities?min_size=1"]
        before = {r: api.get(r).text for r in routes}
        # someone every one of the three answers names
        person = next(a for a in demo_batch.actors if a.kind == "individual"
                      and all(a.id in text for text in before.values()))
        assert person.name in before[routes[0]]
        assert api.delete(f"/actors/{person.id}").status_code == 204
        for route in routes:
            after = api.get(route)
            assert after.status_code == 200
            assert person.id not in after.text and person.name not in after.text, route
            assert after.json()["stale"] is False
    store.close()
