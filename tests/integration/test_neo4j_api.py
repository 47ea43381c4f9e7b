"""The HTTP API tests of ``test_api`` again, on the Neo4j store: on a real Neo4j and on the
FalkorDB engine (``test_api`` itself runs them on SQLite).

The tests are imported unchanged; only the ``api`` fixture differs, holding the demo community
in the ``store`` fixture's Neo4j store instead of a SQLite file.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_api import *  # noqa: F403 - the same tests, collected again with this module's fixture

from graphsvc.api import create_app
from graphsvc.model import GraphBatch
from graphsvc.settings import Settings
from graphsvc.store.base import GraphStore

pytestmark = pytest.mark.parametrize("store", ["falkordb", "neo4j"], indirect=True)


@pytest.fixture
def api(store: GraphStore, demo_batch: GraphBatch) -> Iterator[TestClient]:
    store.write(demo_batch)
    # English error messages, asked for as a browser would (bokmål: test_api_errors.py)
    with TestClient(create_app(Settings(store=store.url), store=store),
                    headers={"Accept-Language": "en"}) as client:
        yield client
