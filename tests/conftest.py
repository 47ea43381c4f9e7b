"""Fixtures shared by every test layer."""

from __future__ import annotations

import pytest

from graphsvc.model import GraphBatch
from loaders.demo import generate_community


@pytest.fixture(scope="session")
def demo_batch() -> GraphBatch:
    """The Fjordvik demo community at 300 actors (deterministic)."""
    return generate_community(300, seed=7)
