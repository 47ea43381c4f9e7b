"""One actor per organisation on the real files (issue 9.5): Enhetsregisteret's sample and
Stavanger's public buildings loaded together. The sample is a random selection across Norway
(50 register actors in Stavanger, none of them one of the kommune's buildings), so nothing
should merge and nothing is close enough to ask about; a list row naming a register actor of
the sample at its real address does merge."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.store.sqlite import SQLiteStore
from loaders.importer import import_files

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
ENHETER, BYGG = REAL / "enheter-2024-sample.csv", REAL / "stavanger-kommunale-bygg.csv"

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not (ENHETER.is_file() and BYGG.is_file()),
                       reason=f"the real register and open-data files are not in {REAL} (a "
                              "clone has no ../shared)"),
]


@pytest.fixture
def store(tmp_path):
    s = SQLiteStore(tmp_path / "g.db")
    yield s
    s.close()


def test_stavanger_buildings_and_the_register_sample(store) -> None:
    report = import_files(store, [ENHETER, BYGG], kommuner=["1103"], kind="institution")
    merge = report["enrichment"]["merge"]

    # Measured: 0 of 29 rows merged, 0 listed. The nearest names share only a common word
    # ("Stavanger helsehus" ~ "SESSION STAVANGER AS", 74) at another address.
    assert (merge["merged"], merge["uncertain"]) == ([], [])
    assert sum(1 for a in store.actors() if a.id.startswith("odata:1103:")) == 29


def test_a_list_row_for_a_register_unit_at_its_real_address_merges(store, tmp_path) -> None:
    listing = tmp_path / "nav.csv"
    listing.write_text("navn;adresse;postnr;latitude;longitude\n"
                       "Nav Rogaland;St. Svithuns gt. 5;4008;58.9700;5.7300\n", "utf-8")
    report = import_files(store, [ENHETER, listing], kommuner=["1103"], kind="institution")

    [merged] = report["enrichment"]["merge"]["merged"]
    assert (merged["into"], merged["same_address"]) == ("brreg:974652285", True)
    assert store.get_actor("brreg:974652285").lat == 58.97
    assert not [a for a in store.actors() if a.id.startswith("odata:")]
