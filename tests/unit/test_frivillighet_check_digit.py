"""A Frivillighetsregisteret record whose orgnr has a typo (wrong modulus-11 check digit) is
rejected as such, naming the record, instead of being looked up and reported as "no actor"."""

from __future__ import annotations

import json

import pytest

from loaders.frivillighet import read_frivillighet
from tests.fixtures import sources_registers as reg

CATEGORY = [{"icnpoNummer": "6200", "kategori": "6", "navn": "Bolig- og lokalmiljø",
             "rekkefoelge": 1}]


def _register(tmp_path, *orgnrs: str, page: bool = False):
    records = [{"organisasjonsnummer": o, "icnpoKategorier": CATEGORY} for o in orgnrs]
    body = {"_embedded": {"organisasjoner": records}, "page": {"totalElements": len(records)}} \
        if page else records
    path = tmp_path / "frivillighet.json"
    path.write_text(json.dumps(body, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.mark.parametrize("page", [pytest.param(False, id="saved-array"),
                                  pytest.param(True, id="api-page")])
def test_a_wrong_check_digit_rejects_that_record_and_names_it(tmp_path, page):
    result = read_frivillighet(_register(tmp_path, reg.VEL, reg.BAD_ORGNR, reg.SENTRAL,
                                         page=page))
    [err] = result.rejected
    assert (err.file, err.line, err.field) == ("frivillighet.json", 2, "organisasjonsnummer")
    assert err.reason == f"orgnr '{reg.BAD_ORGNR}' has a wrong check digit (typo?)"
    assert str(err) == (f"frivillighet.json:2 field 'organisasjonsnummer': orgnr "
                        f"'{reg.BAD_ORGNR}' has a wrong check digit (typo?)")
    # The good records around it still patch their actors; the typo patches nobody.
    assert [p.actor_id for p in result.patches] == [f"brreg:{reg.VEL}", f"brreg:{reg.SENTRAL}"]


@pytest.mark.parametrize("typo", [
    pytest.param(reg.VEL[:8] + str((int(reg.VEL[8]) + 5) % 10), id="last-digit"),
    pytest.param(reg.VEL[1] + reg.VEL[0] + reg.VEL[2:], id="swapped-first-digits"),
])
def test_every_kind_of_typo_is_caught_by_the_check_digit(tmp_path, typo):
    [err] = read_frivillighet(_register(tmp_path, typo)).rejected
    assert "wrong check digit" in err.reason and err.line == 1


def test_spaces_and_dots_in_a_valid_orgnr_are_not_typos(tmp_path):
    spaced = f"{reg.VEL[:3]} {reg.VEL[3:6]} {reg.VEL[6:]}"
    result = read_frivillighet(_register(tmp_path, spaced))
    assert result.rejected == []
    assert [p.actor_id for p in result.patches] == [f"brreg:{reg.VEL}"]
