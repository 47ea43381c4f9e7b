"""Nothing a file contains crashes a loader, exhausts it, or half-writes the store (issue 13).

Every loader — Enhetsregisteret CSV and JSON, Frivillighetsregisteret, SSB kommune lists, open
data, workshop CSV and XLSX, district CSV and GeoJSON — is fed through the public entry point
(``import_files``, as ``graphsvc load`` and ``POST /imports`` call it; ``apply_districts`` for
districts) with the issue's cases as an explicit corpus and hypothesis' mutations of the real-format
seeds in tests/fixtures/. Each input either loads or fails with a ``GraphsvcError`` whose message,
in bokmål and English, is one line under 300 characters naming the file, and a failed one leaves
the SQLite store byte for byte as it was (compared as an SQL dump). None may take 5 s of CPU.
The long run is ``benchmarks/fuzz.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from graphsvc.store.sqlite import SQLiteStore
from loaders.importer import import_files
from tests.fuzz.inputs import KINDS, SOURCES, Input, corpus, mutated, run_one

CPU_LIMIT_S = 5.0


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[SQLiteStore, Path, Path]:
    """A store holding register actors, kommuner and a workshop sheet (so its key for people's
    ids exists: making it is a write of its own), and a folder for the inputs."""
    folder = tmp_path_factory.mktemp("fuzz")
    db = folder / "store.db"
    store = SQLiteStore(db)
    import_files(store, [SOURCES / "enheter.csv", SOURCES / "kommuner.json",
                         SOURCES / "verksted_testvik.csv"])
    yield store, db, folder / "inputs"
    store.close()


def _check(seeded: tuple[SQLiteStore, Path, Path], item: Input) -> None:
    store, db, folder = seeded
    outcome = run_one(store, db, item, folder)
    assert outcome.verdict in ("ok", "clean"), f"{outcome.verdict}: {outcome.detail} for {item!r}"
    assert outcome.cpu_s < CPU_LIMIT_S, f"{outcome.cpu_s:.1f} s of CPU for {item!r}"


def _with_corpus(test):
    for case in reversed(corpus()):
        test = example(item=case)(test)
    return test


@settings(max_examples=600, derandomize=True, database=None, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(item=st.builds(mutated, st.sampled_from(sorted(KINDS)), st.randoms(use_true_random=False)))
@_with_corpus
def test_every_loader_loads_or_fails_cleanly_and_a_failure_writes_nothing(seeded, item):
    _check(seeded, item)


def test_the_corpus_holds_the_issues_cases_and_meets_every_limit(seeded):
    """The corpus is what the issue found, and each one ends the way a user should see it."""
    store, db, folder = seeded
    said = {case.name: run_one(store, db, case, folder) for case in corpus()}
    assert "nested deeper than 64 levels" in said["deep-friv.json"].detail
    assert "nested deeper than 64 levels (record 1)" in said["deep-array.json"].detail
    assert "expected a list of ICNPO categories, found 5" in said["icnpo-number.json"].detail
    assert "field '_embedded.enheter': expected a list" in said["enheter-number.json"].detail
    assert "String should have at most 300 characters" in said["long-cell.csv"].detail
    assert said["too-long-cell.csv"].detail.endswith(
        "line 2 field 'grend': the cell is longer than 200000 characters")
    assert "line 2 is longer than 400000 characters" in said["long-line.csv"].detail
    assert "more than 2097152 bytes decompressed" in said["bomb.csv.gz"].detail
    assert "more than 2097152 bytes decompressed" in said["bomb.xlsx"].detail
    assert "past the limit of 2000 rows" in said["many-codes.json"].detail
    assert "larger than 1048576 characters" in said["big-page.json"].detail
    assert said["sniff.csv"].cpu_s < 1.0 and said["sniff-both.csv"].cpu_s < 1.0
