"""Coverage on the real files (issue 9.7): the registers and Stavanger's and Bergen's lists, with
Stavanger's districts by postnummer, give a coverage that lists districts and whom to invite."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.analysis import coverage
from graphsvc.store.sqlite import SQLiteStore
from loaders.importer import import_files

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
FILES = [REAL / n for n in ("enheter-2024-sample.csv", "underenheter-2023-sample.csv",
                            "stavanger-kommunale-bygg.csv", "bergen-lekeplasser.csv")]
DISTRICTS = Path(__file__).parents[1] / "fixtures" / "districts" / "stavanger-1103-postnummer.csv"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not all(f.is_file() for f in FILES),
                       reason=f"the real files are not in {REAL} (a clone has no ../shared)"),
]


def test_coverage_lists_districts_and_whom_to_invite(tmp_path) -> None:
    store = SQLiteStore(tmp_path / "g.db")
    import_files(store, FILES, kind="institution")
    from graphsvc.cli import main

    assert main(["districts", str(DISTRICTS), "--kommune", "1103",
                 "--store", f"sqlite:///{tmp_path / 'g.db'}"]) == 0
    out = coverage(store.to_networkx(), lang="en")
    named = [d for d in out["districts"] if d["district"] is not None]
    assert len(named) >= 5
    assert out["districts"][-1]["district"] is None  # the actors with no district, last
    assert all(any(m["kind"] == "frivilligsentral" for m in d["missing"]) for d in named)
    kinds = [i["type"] for i in out["invite"]]
    assert kinds[0] == "district" and "actor" in kinds
    first_actor = next(i for i in out["invite"] if i["type"] == "actor")
    assert first_actor["derived_offers"] >= 3 and "no ties" in first_actor["reason"]
