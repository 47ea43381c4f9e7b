"""An Enhetsregisteret file that went through a spreadsheet (kommunenummer ``0399`` saved as
``399``) loads exactly like the original: the same actors for ``--kommune 0399``, each stored
with the four-digit kommunenummer."""

from __future__ import annotations

import pytest

from loaders.brreg import OUTSIDE, read_brreg
from tests.fixtures import sources_registers as reg
from tests.fixtures.spreadsheet import through_a_spreadsheet

SRC = reg.SOURCES


@pytest.fixture(params=["enheter.csv", "underenheter.csv"])
def pair(request, tmp_path):
    """(the register's file, the same file after a spreadsheet)."""
    original = SRC / request.param
    mangled = through_a_spreadsheet(original, tmp_path / f"excel-{request.param}")
    assert f",{int(reg.TESTVIK)}," in mangled.read_text("utf-8")  # the zeros really are gone
    return original, mangled


def _actors(result):
    return {a.id: a.model_dump(exclude={"provenance"}) for a in result.batch.actors}


def test_filtering_by_kommune_finds_the_same_actors_as_in_the_original(pair):
    original, mangled = pair
    want = read_brreg(original, kommuner=[reg.TESTVIK])
    got = read_brreg(mangled, kommuner=[reg.TESTVIK])
    assert got.batch.actors, "nothing loaded: every row was taken for another kommune"
    assert _actors(got) == _actors(want)
    assert got.skipped == want.skipped
    assert {a.kommunenummer for a in got.batch.actors} == {reg.TESTVIK}


def test_only_the_other_kommune_is_counted_as_outside(tmp_path):
    mangled = through_a_spreadsheet(SRC / "enheter.csv", tmp_path / "enheter.csv")
    result = read_brreg(mangled, kommuner=[reg.TESTVIK])
    assert result.skipped[OUTSIDE] == 1  # the Fjordvik (9901) chess club, nothing in Testvik
    assert {a.orgnr: a.kind for a in result.batch.actors} == reg.EXPECTED_KINDS


def test_without_a_filter_every_actor_gets_the_padded_code(tmp_path):
    mangled = through_a_spreadsheet(SRC / "enheter.csv", tmp_path / "enheter.csv")
    codes = {a.orgnr: a.kommunenummer for a in read_brreg(mangled).batch.actors}
    assert codes[reg.VEL] == "0399" and codes[reg.KOR] == "0399"
    assert codes[reg.SJAKK] == reg.FJORDVIK
