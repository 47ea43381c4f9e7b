"""Fixtures shared by every test layer."""

from __future__ import annotations

import pytest

from graphsvc.model import GraphBatch
from loaders.demo import generate_community


@pytest.fixture(scope="session")
def demo_batch() -> GraphBatch:
    """The Fjordvik demo community at 300 actors (deterministic)."""
    return generate_community(300, seed=7)


# ---- a line in the test summary saying which stores the contract ran against -----------------
_contract: dict[str, dict[str, int]] = {}


def pytest_runtest_logreport(report):
    if "test_store_contract" not in report.nodeid or "[" not in report.nodeid:
        return
    if report.when != "call" and not (report.when == "setup" and report.outcome != "passed"):
        return
    store = report.nodeid.rsplit("[", 1)[1].rstrip("]").split("-")[0]
    if store not in ("sqlite", "falkordb", "neo4j"):
        return
    counts = _contract.setdefault(store, {})
    counts[report.outcome] = counts.get(report.outcome, 0) + 1


def pytest_terminal_summary(terminalreporter):
    if not _contract:
        return
    parts = [f"{store}: " + ", ".join(f"{n} {outcome}" for outcome, n in sorted(c.items()))
             for store, c in sorted(_contract.items())]
    terminalreporter.write_line("store contract ran against " + "; ".join(parts))
