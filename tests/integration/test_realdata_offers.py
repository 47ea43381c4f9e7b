"""Offers on the real files (issue 9.3): registers and open-data lists loaded together give most
organisations an offer, and match finds ranked, explained offers in Stavanger (1103)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.analysis.matching import match_need
from graphsvc.store.sqlite import SQLiteStore
from loaders.importer import import_files

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
REGISTERS = [REAL / "enheter-2024-sample.csv", REAL / "underenheter-2023-sample.csv"]
# The open-data lists have no kommune column: --kommune gives theirs (one kommune each).
OPEN_DATA = [(REAL / "stavanger-kommunale-bygg.csv", "space.room", "1103"),
             (REAL / "bergen-lekeplasser.csv", "activity", "4601")]

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not all(f.is_file() for f in [*REGISTERS, *(p for p, _, _ in OPEN_DATA)]),
                       reason=f"the real files are not in {REAL} (a clone has no ../shared)"),
]


def _load(store: SQLiteStore) -> None:
    import_files(store, REGISTERS)
    for path, category, kommune in OPEN_DATA:
        import_files(store, [path], kind="institution", category=category, kommuner=[kommune])


def test_most_organisations_get_an_offer_and_a_reload_changes_nothing(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    _load(store)
    orgs = [a for a in store.actors() if a.kind != "individual"]
    held = {r["holder"] for r in store._all("resources")}
    assert len(orgs) > 500
    assert sum(a.id in held for a in orgs) >= 0.8 * len(orgs)
    revision = store.revision()
    _load(store)
    assert store.revision() == revision
    store.close()


@pytest.mark.parametrize("category", ["space.room", "learning", "activity"])
def test_match_in_stavanger_returns_ranked_explained_offers(tmp_path, category) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    import_files(store, REGISTERS, kommuner=["1103"])
    path, label, _ = OPEN_DATA[0]
    import_files(store, [path], kind="institution", category=label, kommuner=["1103"])
    out = match_need(store.to_networkx(), category, lang="en")
    results = out["results"]
    assert len(results) >= 3, out
    assert [r["rank"] for r in results] == list(range(1, len(results) + 1))
    assert all(a["score"] >= b["score"] for a, b in zip(results, results[1:]))
    for r in results:
        assert r["resource"]["derived_by"]
        assert any("from the register (not confirmed)" in s for s in r["explanation"])
    store.close()
