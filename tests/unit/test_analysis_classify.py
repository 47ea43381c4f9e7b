"""Tie classification: one hand-built case per rule, and rules changed through configuration."""

from __future__ import annotations

import json

import pytest

from graphsvc.analysis import class_counts, classify_pair, explain_tie, load_rules
from graphsvc.analysis.rules import rules_from_dict
from graphsvc.errors import ConfigError
from tests.fixtures.graphs import graph_from_batch


def person(id_, district="Nes", age="80+", background="fastboende"):
    return {"id": f"t:{id_}", "kind": "individual", "name": id_.title(), "district": district,
            "age_band": age, "background": background}


def org(id_, kind, district="Nes"):
    return {"id": f"t:{id_}", "kind": kind, "name": id_.title(), "district": district}


@pytest.fixture
def G():
    actors = [person("anna"), person("berit"), person("carl", district="Vik"),
              person("dina", district="Vik", age="18-34", background="nyankommet"),
              person("eva", district="Vik", age="18-34", background="nyankommet"),
              org("kor", "association"), org("il", "association", "Vik"),
              org("fs", "frivilligsentral"), org("skole", "institution"),
              org("kommune", "municipality", None), org("bakeri", "business")]
    tie = lambda s, t, k, **kw: {"source": f"t:{s}", "target": f"t:{t}", "kind": k, **kw}
    ties = [tie("anna", "berit", "KNOWS"),            # same district, age, background: bonding
            tie("anna", "carl", "KNOWS"),             # only age band + background: bonding
            tie("anna", "dina", "KNOWS"),             # nothing shared: bridging
            tie("carl", "dina", "KNOWS"),             # only district shared: bridging
            tie("dina", "il", "MEMBER_OF"), tie("eva", "il", "MEMBER_OF"),
            tie("anna", "kor", "MEMBER_OF"),          # override: membership is bonding
            tie("anna", "fs", "VOLUNTEERS_AT"),       # level 0 → 1: linking
            tie("kor", "il", "PARTNERS_WITH"),        # same level, different districts: bridging
            tie("kor", "fs", "PARTNERS_WITH"),        # same level, one identity: bridging
            tie("fs", "kommune", "PARTNERS_WITH"),    # level 1 → 3: linking
            tie("skole", "kommune", "PART_OF"),       # level 2 → 3: linking
            tie("bakeri", "kor", "FUNDS")]            # business ≈ association: bridging
    return graph_from_batch(actors=actors, ties=ties)


@pytest.mark.parametrize(("u", "v", "kind", "expected", "rule"), [
    pytest.param("anna", "berit", "KNOWS", "bonding", "bonding", id="bonding-three-shared"),
    pytest.param("anna", "carl", "KNOWS", "bonding", "bonding", id="bonding-age-and-background"),
    pytest.param("anna", "dina", "KNOWS", "bridging", "bridging", id="bridging-nothing-shared"),
    pytest.param("carl", "dina", "KNOWS", "bridging", "bridging", id="bridging-one-shared"),
    pytest.param("anna", "kor", "MEMBER_OF", "bonding", "override", id="membership-override"),
    pytest.param("anna", "fs", "VOLUNTEERS_AT", "linking", "linking", id="citizen-to-centre"),
    pytest.param("kor", "il", "PARTNERS_WITH", "bridging", "bridging", id="associations"),
    pytest.param("fs", "kommune", "PARTNERS_WITH", "linking", "linking", id="centre-to-kommune"),
    pytest.param("skole", "kommune", "PART_OF", "linking", "linking", id="institution-up"),
    pytest.param("bakeri", "kor", "FUNDS", "bridging", "bridging", id="business-association"),
])
def test_every_rule_has_a_known_answer(G, u, v, kind, expected, rule):
    cls, got_rule, _shared = classify_pair(G, f"t:{u}", f"t:{v}", kind)
    assert (cls, got_rule) == (expected, rule)


def test_shared_membership_is_a_group_identity(G):
    # Dina and Eva share district, age band, background and the sports club.
    _cls, _rule, shared = classify_pair(G, "t:dina", "t:eva", "KNOWS")
    assert "membership:t:il" in shared


def test_every_classification_carries_its_reason_in_words(G):
    tie = explain_tie(G, "t:fs", "t:kommune", "PARTNERS_WITH", lang="en")
    assert tie["explanation"] == ("Crosses levels of power or authority: Fs (level 1) and "
                                  "Kommune (level 3)")
    nb = explain_tie(G, "t:anna", "t:berit", "KNOWS")
    assert nb["class_name"] == "sammenbindende"
    assert nb["explanation"].startswith("Samme nivå og felles gruppe: ")
    assert "samme grend (Nes)" in nb["explanation"]
    bridging = explain_tie(G, "t:anna", "t:dina", "KNOWS", lang="en")
    assert bridging["explanation"] == ("Same level, but too little in common to be one group "
                                       "(nothing in common)")


def test_personal_values_never_appear_in_a_reason(G):
    tie = explain_tie(G, "t:anna", "t:berit", "KNOWS", lang="en")
    assert "80+" not in tie["explanation"] and "fastboende" not in tie["explanation"]
    assert "age_band" in tie["shared"] and "age_band:80+" not in tie["shared"]


def test_counts_cover_every_tie(G):
    counts = class_counts(G)
    assert sum(counts.values()) == G.number_of_edges()
    assert counts == {"bonding": 5, "bridging": 5, "linking": 3}


def test_rules_are_configuration(G, tmp_path):
    # A municipality that counts one shared identity as a group: Carl–Dina becomes bonding.
    loose = rules_from_dict({"min_shared": 1})
    assert classify_pair(G, "t:carl", "t:dina", "KNOWS", rules=loose)[0] == "bonding"
    # Membership by the plain level rule instead of the override: linking.
    plain = rules_from_dict({"kind_overrides": {}})
    assert classify_pair(G, "t:anna", "t:kor", "MEMBER_OF", rules=plain)[0] == "linking"
    # A file given by the setting is merged over the shipped rules.
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({"authority": {"business": 2}}), "utf-8")
    rules = load_rules(str(path))
    assert rules.level("business") == 2 and rules.level("municipality") == 3
    assert classify_pair(G, "t:bakeri", "t:kor", "FUNDS", rules=rules)[0] == "linking"


def test_bad_rules_are_a_clear_configuration_error(tmp_path):
    with pytest.raises(ConfigError, match="kind_overrides may only name"):
        rules_from_dict({"kind_overrides": {"KNOWS": "friendly"}})
    with pytest.raises(ConfigError, match="cannot read social-capital rules"):
        load_rules(str(tmp_path / "missing.json"))
