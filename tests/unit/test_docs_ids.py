"""Every demo id the README and docs show a user exists in the demo they get from command (a)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from loaders.demo import generate_community

REPO = Path(__file__).resolve().parents[2]
DOCS = [REPO / "README.md", *sorted((REPO / "docs").rglob("*.md"))]
DEMO_ID = re.compile(r"\bdemo:[a-z]+\d*\b")


@pytest.fixture(scope="module")
def demo_ids() -> set[str]:
    # README command (a): `graphsvc demo` with its defaults (1 000 actors, seed 42)
    batch = generate_community(1000, seed=42)
    return {a.id for a in batch.actors} | {i.id for i in batch.initiatives}


def test_the_docs_show_demo_ids_at_all():
    assert any(DEMO_ID.search(p.read_text("utf-8")) for p in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.relative_to(REPO).as_posix())
def test_every_demo_id_in_the_docs_exists(doc, demo_ids):
    missing = sorted(set(DEMO_ID.findall(doc.read_text("utf-8"))) - demo_ids)
    assert not missing, f"{doc.name} shows ids the demo does not have: {missing}"
