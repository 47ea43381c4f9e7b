"""The gaps report on a hand-built community: one known answer per kind of gap."""

from __future__ import annotations

import pytest

from graphsvc.analysis import gaps_report, group_profile, social_capital_profile
from graphsvc.analysis.gaps import demand_supply, district_gaps, unmet_needs
from graphsvc.analysis.volunteering import volunteering_by_sector
from tests.fixtures.graphs import graph_from_batch


def _graph():
    """Nes has a frivilligsentral and a meeting place; Vik has neither. Seniors in Vik have no
    tie out of their group and no path to authority; a lone person in Nes has no ties."""
    A = lambda i, k, d, **kw: {"id": f"t:{i}", "kind": k, "name": i, "district": d, **kw}
    actors = [A("kommune", "municipality", None), A("fs", "frivilligsentral", "Nes"),
              A("kor", "association", "Nes"), A("idrettslag", "association", "Nes"),
              A("lone", "individual", "Nes", age_band="35-66")]
    actors += [A(f"nes{i}", "individual", "Nes", age_band="80+") for i in range(4)]
    actors += [A(f"vik{i}", "individual", "Vik", age_band="80+") for i in range(4)]
    R = lambda i, h, c, d=None: {"id": f"t:{i}", "holder": f"t:{h}", "category": c,
                                 "district": d}
    resources = [R("o1", "fs", "social.meetingplace"), R("o2", "fs", "help.transport"),
                 R("o3", "nes0", "social.visit"), R("o4", "kommune", "money.funding"),
                 R("o5", "vik3", "help.digital", "Nes")]
    needs = [R("n1", "nes1", "help.transport"),           # met: the centre drives in Nes
             R("n2", "vik0", "help.transport"),           # unmet: nobody in Vik, centre in Nes
             R("n3", "vik1", "help.respite"),             # unmet: nobody anywhere
             R("n4", "vik2", "money.funding"),            # met: the kommune covers everywhere
             R("n5", "vik0", "social.visit"), R("n6", "vik1", "social.visit")]
    T = lambda s, t, k, **kw: {"source": f"t:{s}", "target": f"t:{t}", "kind": k, **kw}
    ties = [T("fs", "kommune", "PARTNERS_WITH"), T("kor", "fs", "PARTNERS_WITH"),
            T("nes0", "kor", "MEMBER_OF"), T("nes1", "kor", "MEMBER_OF"),
            T("nes2", "idrettslag", "MEMBER_OF"), T("nes3", "fs", "VOLUNTEERS_AT"),
            T("nes0", "vik3", "KNOWS"),
            T("vik0", "vik1", "KNOWS"), T("vik1", "vik2", "KNOWS")]
    return graph_from_batch(actors=actors, resources=resources, needs=needs, ties=ties)


@pytest.fixture
def G():
    return _graph()


def test_unmet_needs_are_those_without_a_provider_in_reach(G):
    out = unmet_needs(G, show_names=True, lang="en")
    assert {i["need"] for i in out["items"]} == {"t:n2", "t:n3", "t:n5", "t:n6"}
    by_need = {i["need"]: i for i in out["items"]}
    assert by_need["t:n2"]["providers_elsewhere"] == 1
    assert by_need["t:n2"]["explanation"] == ("vik0 needs transport and escort in Vik: nobody "
                                              "offers it here (1 provider offers it in other districts)")
    assert by_need["t:n3"]["explanation"].endswith("or anywhere else in the municipality")


def test_demand_against_supply_per_category_and_district(G):
    rows = {(r["category"], r["district"]): r for r in demand_supply(G)["items"]}
    assert rows[("social.visit", "Vik")]["demand"] == 2
    assert rows[("social.visit", "Vik")]["supply"] == 0
    assert ("help.transport", "Nes") not in rows      # one need, one offer
    assert ("money.funding", "Vik") not in rows       # kommune-wide offer counts everywhere


def test_isolated_actors_groups_and_districts(G):
    out = gaps_report(G, lang="en", show_names=True)
    assert [i["id"] for i in out["isolated"]["items"]] == ["t:lone"]
    assert out["summary"]["isolated"] == 1
    no_bridge = {g["label"] for g in out["groups"]["without_bridging"]}
    no_link = {g["label"] for g in out["groups"]["without_linking"]}
    # Vik's seniors: three know only each other (bonding); vik3's one tie to Nes is bridging.
    assert no_bridge == set()
    assert no_link == {"Vik, 80+"}
    assert out["districts"]["without_meeting_place"] == ["Vik"]
    assert [d["district"] for d in out["districts"]["without_frivilligsentral"]] == ["Vik"]


def test_a_group_with_no_bridging_tie_is_reported():
    G = _graph()
    G.remove_edge("t:nes0", "t:vik3", "KNOWS")
    G.graph.pop("_cache", None)
    out = gaps_report(G, lang="en")
    # Nes seniors' ties are memberships (bonding) and volunteering (linking): no bridge either.
    assert [g["label"] for g in out["groups"]["without_bridging"]] == ["Nes, 80+", "Vik, 80+"]
    assert out["groups"]["without_bridging"][1]["explanation"] == (
        "Vik, 80+: 4 individuals, 0 bridging ties, 0 % reach the municipality or an "
        "institution within 3 steps")


def test_districts_without_a_centre_name_who_serves_them(G):
    out = district_gaps(G, show_names=True, lang="en")
    vik = out["without_frivilligsentral"][0]
    assert vik["served_by"] == []
    assert vik["explanation"] == "no volunteer centre has ties here"


def test_group_profile_share_linked_within_k(G):
    groups = {g["label"]: g for g in group_profile(G, k=3)["groups"]}
    # Nes seniors: nes0/nes1 via kor → fs → kommune (3 hops), nes3 via fs (2), nes2's
    # sports club (idrettslag) has no further ties.
    assert groups["Nes, 80+"]["linked"] == 3
    assert groups["Nes, 80+"]["linked_share"] == 0.75
    assert groups["Vik, 80+"]["linked_share"] == 0.0
    assert group_profile(G, k=2)["groups"][0]["linked"] == 1


def test_volunteering_against_national_rates_states_its_assumption(G):
    out = volunteering_by_sector(G, lang="en")
    assert out["population_assumed"] is True and out["population"] == 9
    assert out["assumptions"][0].startswith("The graph holds no population figures")
    given = volunteering_by_sector(G, population={"Nes": 1000, "Vik": 500})
    sport = next(s for s in given["sectors"] if s["sector"] == "Idrett og sport")
    assert sport["expected"] == 345.0 and sport["mapped"] == 1   # 23 % of 1 500; nes2
    social = next(s for s in given["sectors"] if s["sector"].startswith("Sosiale tjenester"))
    assert social["mapped"] == 1                                 # nes3 volunteers at the centre
    assert any(r["district"] == "Vik" for r in given["shortfalls"])


def test_actor_profile_counts_strength_and_reach(G):
    out = social_capital_profile(G, "t:nes0", lang="en")
    assert out["counts"] == {"bonding": 1, "bridging": 1, "linking": 0}
    assert out["authority_hops"] == 3
    assert "No linking ties: no direct contact up the system" in out["explanation"]
    lone = social_capital_profile(G, "t:lone", lang="en")
    assert lone["explanation"][0] == "No ties to anyone – mapped, but isolated"
    assert lone["linked"] is False and lone["constraint"] is None
