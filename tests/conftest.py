"""Fixtures shared by every test layer."""

from __future__ import annotations

import pytest

from graphsvc.model import GraphBatch
from loaders.demo import generate_community


@pytest.fixture(scope="session")
def demo_batch() -> GraphBatch:
    """The Fjordvik demo community at 300 actors (deterministic)."""
    return generate_community(300, seed=7)


# ---- lines in the test summary saying which stores the store tests ran against --------------
# Each test that takes the ``store`` fixture counts once for its store, under its module's group
# (``test_api`` has its own SQLite store and counts for it).
_GROUPS = {"test_store_contract": "store contract", "test_load_": "loaders",
           "test_neo4j_load": "loaders", "test_api.py": "API", "test_neo4j_api": "API",
           "test_neo4j_engine": "engine"}
_FIXED_STORE = {"test_api.py": "sqlite"}
_store_of: dict[str, tuple[str, str]] = {}  # nodeid -> (group, store)
_counts: dict[str, dict[str, dict[str, int]]] = {}  # group -> store -> outcome -> n
_VERSIONS = pytest.StashKey[dict[str, str]]()


@pytest.fixture(scope="session")
def store_versions(request: pytest.FixtureRequest) -> dict[str, str]:
    """Store name → what ran (e.g. the Neo4j version); fixtures fill it, the summary prints it."""
    return request.config.stash.setdefault(_VERSIONS, {})


def pytest_itemcollected(item):
    module = item.nodeid.split("::", 1)[0].rsplit("/", 1)[-1]
    callspec = getattr(item, "callspec", None)
    store = callspec.params.get("store") if callspec else None
    store = store or _FIXED_STORE.get(module)
    if store is None:
        return
    group = next((g for prefix, g in _GROUPS.items() if module.startswith(prefix)), "other")
    _store_of[item.nodeid] = (group, store)


def pytest_runtest_logreport(report):
    if report.nodeid not in _store_of:
        return
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    group, store = _store_of[report.nodeid]
    counts = _counts.setdefault(group, {}).setdefault(store, {})
    counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter, config):
    order = ["store contract", "loaders", "API", "engine", "other"]
    for group in sorted(_counts, key=order.index):
        parts = [f"{store}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(c.items()))
                 for store, c in sorted(_counts[group].items())]
        terminalreporter.write_line(f"{group} tests ran against " + "; ".join(parts))
    for store, version in sorted(config.stash.get(_VERSIONS, {}).items()):
        terminalreporter.write_line(f"{store} store: {version}")


# ---- mutation runs (benchmarks/mutation.py) -------------------------------------------------
# mutmut hands pytest the tests that cover a mutated function as a list in no particular order,
# which would interleave test files (a module's fixtures torn down and built again between two
# of its tests). In a mutation run the tests are put back in file order, each file's tests in
# their order in the file; and when a mutant is under test, the files whose selected tests are
# quickest come first (from the durations mutmut recorded): mutmut stops at the first failure,
# so most mutants are killed in a fraction of the time. Outside mutation runs nothing changes.
def pytest_collection_modifyitems(session, config, items):
    import json
    import os
    from pathlib import Path

    if "MUTANT_UNDER_TEST" not in os.environ:
        return
    durations: dict[str, float] = {}
    if "__mutmut_" in os.environ["MUTANT_UNDER_TEST"]:
        try:  # mutmut runs the tests from inside mutants/
            stats = json.loads(Path("mutmut-stats.json").read_text("utf-8"))
            durations = stats.get("duration_by_test", {})
        except (OSError, ValueError):
            durations = {}
    cost: dict[str, float] = {}
    for item in items:
        file = item.nodeid.split("::", 1)[0]
        cost[file] = cost.get(file, 0.0) + durations.get(item.nodeid, 1.0)

    def order(item) -> tuple:
        file = item.nodeid.split("::", 1)[0]
        return (cost[file] if durations else 0.0, file, item.location[1] or 0)

    items.sort(key=order)
