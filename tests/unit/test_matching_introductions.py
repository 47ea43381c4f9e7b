"""Who introduces a match and through whom: the district's frivilligsentral by default, the
strongest chain of trusted ties of at most four steps, listed in order from the introducer, and
"no known connection" beyond that. Also the message for a misspelt district.

The explanations' wording is being reworked (one vocabulary for the whole service), so these
tests check what fills the sentence (the chain of names, the number of steps), not its words.
"""

from __future__ import annotations

import pytest

from graphsvc.analysis import match_need
from graphsvc.analysis.matching import MAX_HOPS
from graphsvc.errors import ValidationError
from tests.fixtures.graphs import graph_from_batch

HOLMEN = "Holmen"
# (source, target, strength): a chain of five steps, a strong long way and a weak short way to
# T, and a weak direct tie to W. Weight is 1/strength, so the strongest chain is the shortest.
TIES = [
    ("t:centre", "t:a", 0.8), ("t:a", "t:b", 0.8), ("t:b", "t:c", 0.8), ("t:c", "t:d", 0.8),
    ("t:d", "t:e", 0.8),
    ("t:centre", "t:x", 0.2), ("t:x", "t:t", 0.2),
    ("t:centre", "t:y", 1.0), ("t:y", "t:z", 1.0), ("t:z", "t:t", 1.0),
    ("t:centre", "t:w", 0.1),
]
NAMES = {"a": "Aslakveien vel", "b": "Bakken lag", "c": "Fjordvik kor", "d": "Dalen lag",
         "e": "Elvebakken lag", "x": "Xylofonklubben", "t": "Torget lag", "y": "Ystad vel",
         "z": "Zinkgruva lag", "w": "Vika lag", "q": "Ensom lag"}
OFFERERS = ["c", "d", "e", "t", "x", "w", "q"]  # q has no ties at all


def web(centre_kind: str = "frivilligsentral"):
    actors = [{"id": "t:centre", "kind": centre_kind, "name": "Holmen frivilligsentral"
               if centre_kind == "frivilligsentral" else "Kari Nordmann", "district": HOLMEN}]
    actors += [{"id": f"t:{k}", "kind": "association", "name": n, "district": HOLMEN}
               for k, n in NAMES.items()]
    resources = [{"id": f"r:{k}", "holder": f"t:{k}", "category": "help.transport"}
                 for k in OFFERERS]
    ties = [{"source": s, "target": t, "kind": "PARTNERS_WITH", "strength": st}
            for s, t, st in TIES]
    return graph_from_batch(actors=actors, resources=resources, ties=ties)


def _by_name(out):
    return {r["actor"]["name"]: r for r in out["results"]}


EXPECTED = {  # name → (steps, the introducers between, in order from the introducer)
    "Fjordvik kor": (3, ["Aslakveien vel", "Bakken lag"]),
    "Dalen lag": (4, ["Aslakveien vel", "Bakken lag", "Fjordvik kor"]),
    "Elvebakken lag": (None, []),  # five steps: beyond MAX_HOPS
    "Torget lag": (3, ["Ystad vel", "Zinkgruva lag"]),  # the strong way, not the short weak one
    "Xylofonklubben": (1, []),
    "Vika lag": (1, []),
    "Ensom lag": (None, []),
}


@pytest.mark.parametrize("kind", [pytest.param("frivilligsentral", id="frivilligsentral"),
                                  pytest.param("individual", id="a-person-asks")])
def test_each_offer_is_reached_through_the_strongest_chain_of_at_most_four_steps(kind):
    G = web(kind)
    out = match_need(G, "help.transport", district=HOLMEN, limit=20, lang="en",
                     seeker=None if kind == "frivilligsentral" else "t:centre",
                     show_names=True)
    got = {name: (r["social_distance"], [i["name"] for i in r["introducers"]])
           for name, r in _by_name(out).items()}
    assert got == EXPECTED
    assert out["introducer"]["id"] == "t:centre"


def test_the_explanation_spells_the_chain_from_the_introducer_to_the_offer():
    out = _by_name(match_need(web(), "help.transport", district=HOLMEN, limit=20, lang="en"))
    chain = out["Fjordvik kor"]["explanation"][-1]
    assert "Holmen frivilligsentral → Aslakveien vel → Bakken lag → Fjordvik kor (3 " in chain
    direct = out["Vika lag"]["explanation"][-1]
    assert direct.startswith("Holmen frivilligsentral ") and "→" not in direct
    beyond = out["Elvebakken lag"]["explanation"][-1]
    assert f" {MAX_HOPS} " in beyond and "→" not in beyond and "Holmen" not in beyond


def test_a_closer_offer_ranks_above_a_farther_one_all_else_equal():
    ranked = [r["actor"]["name"] for r in
              match_need(web(), "help.transport", district=HOLMEN, limit=20)["results"]]
    assert ranked.index("Vika lag") < ranked.index("Fjordvik kor") < ranked.index("Dalen lag")
    assert ranked.index("Dalen lag") < ranked.index("Elvebakken lag")


def test_asking_twice_gives_the_same_chains():
    G = web()
    first = match_need(G, "help.transport", district=HOLMEN, limit=20)
    assert match_need(G, "help.transport", district=HOLMEN, limit=20) == first


# ---- who introduces by default ---------------------------------------------------------------

def _centres(*actors):
    acts = [{"id": i, "kind": k, "name": n, "district": d} for i, k, n, d in actors]
    acts.append({"id": "t:lag", "kind": "association", "name": "Tilbyderlaget", "district": "Vik"})
    return graph_from_batch(actors=acts, resources=[
        {"id": "r:lag", "holder": "t:lag", "category": "help.transport"}])


def test_the_need_s_district_frivilligsentral_introduces():
    G = _centres(("t:fs-a", "frivilligsentral", "Holmen frivilligsentral", "Holmen"),
                 ("t:fs-b", "frivilligsentral", "Vik frivilligsentral", "Vik"),
                 ("t:kommune", "municipality", "Fjordvik kommune", "Holmen"))
    assert match_need(G, "help.transport", district="Vik")["introducer"]["id"] == "t:fs-b"
    assert match_need(G, "help.transport", district="Holmen")["introducer"]["id"] == "t:fs-a"
    assert match_need(G, "help.transport")["introducer"]["id"] == "t:fs-a"  # the first one


def test_a_district_without_its_own_frivilligsentral_gets_another_one():
    G = _centres(("t:fs-b", "frivilligsentral", "Nes frivilligsentral", "Nes"),
                 ("t:kommune", "municipality", "Fjordvik kommune", "Holmen"))
    assert match_need(G, "help.transport", district="Vik")["introducer"]["id"] == "t:fs-b"


def test_without_a_frivilligsentral_the_municipality_introduces():
    G = _centres(("t:kommune", "municipality", "Fjordvik kommune", "Holmen"))
    intro = match_need(G, "help.transport", district="Holmen", lang="en")["introducer"]
    assert intro == {"id": "t:kommune", "name": "Fjordvik kommune", "kind": "municipality"}


def test_with_nobody_to_introduce_there_is_no_introducer():
    G = _centres(("t:annet", "association", "Annet lag", "Holmen"))
    out = match_need(G, "help.transport", lang="en")
    assert out["introducer"] is None
    assert out["results"][0]["social_distance"] is None
    assert f" {MAX_HOPS} " in out["results"][0]["explanation"][-1]


# ---- a misspelt district ---------------------------------------------------------------------

def _districts(n: int):
    return graph_from_batch(actors=[
        {"id": f"t:lag{i:02d}", "kind": "association", "name": f"Lag {i}",
         "district": f"Grend {i:02d}"} for i in range(n)])


def test_a_misspelt_district_is_refused_with_the_known_ones_listed():
    with pytest.raises(ValidationError) as refused:
        match_need(_districts(3), "help.transport", district="Grend 7")
    assert refused.value.message == (
        "unknown district 'Grend 7'; known: Grend 00, Grend 01, Grend 02")
    assert refused.value.context == {"district": "Grend 7"}


def test_a_district_spelt_in_another_case_is_the_same_district():
    out = match_need(_districts(3), "help.transport", district="grend 01")
    assert out["query"]["district"] == "Grend 01"


@pytest.mark.parametrize("n, tail", [pytest.param(20, "Grend 19", id="twenty-all-shown"),
                                     pytest.param(21, "Grend 19 …", id="more-are-elided")])
def test_at_most_twenty_known_districts_are_listed(n, tail):
    with pytest.raises(ValidationError) as refused:
        match_need(_districts(n), "help.transport", district="Ukjent")
    assert refused.value.message.endswith("known: Grend 00, Grend 01, " + ", ".join(
        f"Grend {i:02d}" for i in range(2, 19)) + ", " + tail)
