"""Districts on the real files (issue 9.2): Stavanger's register actors get a district from an
approximate bydel-by-postnummer file (tests/fixtures/districts/stavanger-1103-postnummer.csv,
written from public knowledge, not an official definition)."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.store.sqlite import SQLiteStore
from loaders.districts import apply_districts
from loaders.importer import import_files

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
FILES = [REAL / "enheter-2024-sample.csv", REAL / "underenheter-2023-sample.csv"]
DEFINITION = Path(__file__).parents[1] / "fixtures" / "districts" / "stavanger-1103-postnummer.csv"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not all(f.is_file() for f in FILES),
                       reason=f"the real register files are not in {REAL} (a clone has no "
                              "../shared)"),
]


def test_stavanger_register_actors_get_their_district_by_postnummer(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    import_files(store, FILES, kommuner=["1103"], include=["business"])
    [k] = apply_districts(store, [DEFINITION], lang="en")["kommuner"]

    assert k["actors"] >= 40
    assert k["with_district"] >= 0.95 * k["actors"], k["without_district"]
    assert k["by_rule"]["postnummer"] == k["with_district"]
    assert len({a.district for a in store.actors() if a.district}) >= 8
    # The definition stays: a second import of the same files changes nothing.
    revision = store.revision()
    import_files(store, FILES, kommuner=["1103"], include=["business"])
    assert store.revision() == revision
    store.close()
