"""The kind and tie rules on the real register files in ../shared/data/real (issue 9): no private
practice is an institution, every sub-unit whose parent is loaded is PART_OF it, and at least
90 % of a hand-labelled sample (tests/fixtures/kinds_labelled.csv) gets the kind a person gave."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from graphsvc.store.sqlite import SQLiteStore
from loaders.brreg import owner
from loaders.importer import import_files

REAL = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "real"
FILES = [REAL / "enheter-2024-sample.csv", REAL / "underenheter-2023-sample.csv"]
LABELS = Path(__file__).resolve().parents[1] / "fixtures" / "kinds_labelled.csv"
PRIVATE_PRACTICE = ("85.5", "86.2", "86.9")

pytestmark = [
    pytest.mark.realdata,
    pytest.mark.skipif(not all(f.is_file() for f in FILES),
                       reason=f"the real register files are not in {REAL} (a clone has no "
                              "../shared); see ../shared/data/real/README.md"),
]


@pytest.fixture(scope="module")
def loaded(tmp_path_factory):
    store = SQLiteStore(tmp_path_factory.mktemp("real") / "g.db")
    report = import_files(store, FILES, include=["business"])
    actors = {a["id"]: a for a in store._all("actors")}
    ties = {(t["source"], t["target"]): t for t in store._all("ties") if t["kind"] == "PART_OF"}
    store.close()
    return report, actors, ties


def test_no_private_practice_is_an_institution(loaded):
    _, actors, _ = loaded
    practices = [a for a in actors.values()
                 if (a.get("nace") or "").startswith(PRIVATE_PRACTICE)]
    assert practices  # the sample has dentists, physiotherapists, psychologists …
    wrong = [a["name"] for a in practices if a["kind"] == "institution"
             and owner(a.get("orgform") or "", a.get("sector"),
                       "underenheter" if a.get("orgform") in ("BEDR", "AAFY") else "enheter",
                       a["name"]) == "private"]
    assert wrong == []


def test_every_sub_unit_whose_parent_is_loaded_is_part_of_it(loaded):
    _, actors, ties = loaded
    children = [a for a in actors.values()
                if a.get("parent_orgnr") and f"brreg:{a['parent_orgnr']}" in actors]
    assert children
    missing = [a["id"] for a in children if (a["id"], f"brreg:{a['parent_orgnr']}") not in ties]
    assert missing == []
    assert all(t["provenance"]["rule"] for t in ties.values())


def test_no_sole_proprietorship_is_loaded(loaded):
    _, actors, _ = loaded
    assert not [a for a in actors.values() if a.get("orgform") == "ENK"]


def test_at_least_90_percent_of_the_hand_labelled_kinds_are_right(loaded):
    _, actors, _ = loaded
    rows = list(csv.DictReader(line for line in LABELS.read_text("utf-8").splitlines()
                               if not line.startswith("#")))
    assert len(rows) == 50
    got = {r["orgnr"]: actors.get(f"brreg:{r['orgnr']}", {}).get("kind", "none") for r in rows}
    wrong = [(r["name"], r["expected_kind"], got[r["orgnr"]]) for r in rows
             if got[r["orgnr"]] != r["expected_kind"]]
    assert len(wrong) <= 5, wrong


def test_no_sub_unit_of_a_sole_proprietorship_is_loaded(loaded):
    _, actors, _ = loaded
    with FILES[0].open(encoding="utf-8") as f:
        enk = {r["organisasjonsnummer"] for r in csv.DictReader(f)
               if r["organisasjonsform.kode"] == "ENK"}
    assert not [a["id"] for a in actors.values() if a.get("parent_orgnr") in enk]
