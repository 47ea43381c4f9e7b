"""Fjordvik's district files (issue 9.2): shipped as generated, and assigning with them gives
every demo organisation the district the generator meant, by coordinates or by postnummer."""

from __future__ import annotations

from pathlib import Path

import pytest

import loaders
from loaders.demo import DISTRICT_FILES, KOMMUNE, district_files, generate_community
from loaders.districts import assign, read_definitions

FOLDER = Path(loaders.__file__).parent / "demo_districts"


def test_the_shipped_files_are_what_the_generator_writes() -> None:
    for name, text in district_files().items():
        assert (FOLDER / name).read_text("utf-8") == text, f"regenerate {name}"


@pytest.mark.parametrize("n", [pytest.param(300, id="5-districts"),
                               pytest.param(20_000, id="133-districts")])
def test_assigning_gives_every_organisation_its_district(n: int) -> None:
    meant = {a.id: a.district for a in generate_community(n, seed=3).actors}
    located = generate_community(n, seed=3, located=True)
    assert any(a.lat for a in located.actors) and any(a.address for a in located.actors)
    data = [a.model_dump(mode="json", exclude_none=True) for a in located.actors]
    definition = read_definitions([FOLDER / f for f in DISTRICT_FILES], kommune=KOMMUNE)[KOMMUNE]
    changed, report = assign(data, definition)

    got = {d["id"]: d.get("district") for d in data} | {d["id"]: d.get("district")
                                                        for d in changed}
    assert got == meant
    assert report["by_rule"]["polygon"] > 0 and report["by_rule"]["postnummer"] > 0
    # Only the kommune itself and its kommune-wide services have no district.
    assert all(m["id"] == "demo:kommune" or m["id"].startswith("demo:s")
               for m in report["without_district"])
