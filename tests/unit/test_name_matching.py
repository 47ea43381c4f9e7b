"""The matcher behind one actor per organisation (loaders/matching.py, issue 9.5)."""

from __future__ import annotations

import pytest

from loaders.matching import match, normalise_name

REGISTER = {"name": "TASTA BARNEHAGE AS", "kommunenummer": "0399", "address": "Tastaveien 5",
            "lat": 58.9500, "lon": 5.6900}


@pytest.mark.parametrize(("row", "verdict"), [
    pytest.param({"name": "Tasta barnehage", "address": "Tastaveien 5"}, "certain",
                 id="same name and address"),
    pytest.param({"name": "Tasta Barnehage", "lat": 58.9510, "lon": 5.6900}, "certain",
                 id="within 150 m"),
    pytest.param({"name": "Tasta barnehage", "lat": 58.9540, "lon": 5.6900}, None,
                 id="450 m away: another building"),
    pytest.param({"name": "Hinna barnehage", "address": "Tastaveien 5"}, "uncertain",
                 id="other name, same address"),
    pytest.param({"name": "Tasta barnehage"}, "uncertain", id="name only: ask"),
    pytest.param({"name": "Tasta barnehage", "address": "Tastaveien 5", "kommunenummer": "1103"},
                 None, id="another kommune: never"),
])
def test_verdicts(row, verdict) -> None:
    got = match({"kommunenummer": "0399"} | row, REGISTER)
    assert (got or {}).get("verdict") == verdict


def test_legal_forms_case_letters_and_punctuation_do_not_count() -> None:
    assert normalise_name("Ærfuglen Stiftelse, avd. Øst IKS") == normalise_name("AERFUGLEN OST")
    assert normalise_name("Tasta barnehage SA") == "tasta barnehage"
