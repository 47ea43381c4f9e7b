"""What the map still lacks (issue 9.7): per district counts, missing kinds, and whom to invite."""

from __future__ import annotations

from graphsvc.analysis.coverage import coverage
from graphsvc.store.base import build_graph


def _graph():
    return build_graph(
        actors=[{"id": "t:fs", "kind": "frivilligsentral", "name": "Nes frivilligsentral",
                 "district": "Nes"},
                {"id": "t:il", "kind": "association", "name": "Nes IL", "district": "Nes"},
                {"id": "t:kor", "kind": "association", "name": "Vik kor", "district": "Vik"},
                {"id": "t:bhg", "kind": "institution", "name": "Vik barnehage",
                 "district": "Vik"},
                {"id": "t:lib", "kind": "institution", "name": "Hovedbiblioteket"}],
        initiatives=[], ties=[{"source": "t:il", "target": "t:fs", "kind": "PARTNERS_WITH"}],
        needs=[{"id": "n1", "holder": "t:il", "category": "help.transport"}],
        resources=[
            {"id": "r1", "holder": "t:il", "category": "social.meetingplace"},
            {"id": "r2", "holder": "t:kor", "category": "culture.music", "confirmed": False,
             "derived_by": "icnpo-2100"},
            {"id": "r3", "holder": "t:bhg", "category": "learning", "confirmed": False,
             "derived_by": "nace-88.911"},
            {"id": "r4", "holder": "t:bhg", "category": "space.room", "confirmed": False,
             "derived_by": "nace-88.911"},
            {"id": "r5", "holder": "t:lib", "category": "space.room", "confirmed": False,
             "derived_by": "nace-91.011"}])


def test_counts_per_district_and_without_one():
    out = coverage(_graph(), lang="en")
    by = {d["district"]: d for d in out["districts"]}
    assert list(by) == ["Nes", "Vik", None]
    assert (by["Nes"]["actors"], by["Nes"]["with_ties"], by["Nes"]["with_confirmed_offers"],
            by["Nes"]["with_needs"]) == (2, 2, 1, 1)
    assert (by["Vik"]["with_offers"], by["Vik"]["with_derived_offers"],
            by["Vik"]["with_confirmed_offers"]) == (2, 2, 0)
    assert by[None]["name"] == "no district" and by[None]["actors"] == 1
    assert out["totals"]["with_district"] == 4


def test_missing_kinds_name_the_frivilligsentral_and_the_meeting_place():
    by = {d["district"]: d for d in coverage(_graph(), lang="nb")["districts"]}
    assert by["Nes"]["missing"] == []
    # Vik has a room (space.room counts as a meeting place) but no frivilligsentral.
    assert [m["explanation"] for m in by["Vik"]["missing"]] == ["Ingen frivilligsentral"]
    G = _graph()
    G.nodes["t:bhg"]["offers"] = [o for o in G.nodes["t:bhg"]["offers"]
                                  if o["category"] != "space.room"]
    by = {d["district"]: d for d in coverage(G, lang="en")["districts"]}
    assert [m["kind"] for m in by["Vik"]["missing"]] == ["frivilligsentral", "meeting_place"]


def test_whom_to_invite_ranks_districts_then_the_most_derived_assets_without_ties():
    out = coverage(_graph(), lang="en")
    assert [(i["type"], i["id"]) for i in out["invite"]] == [
        ("district", "Vik"), ("actor", "t:bhg"), ("actor", "t:lib"), ("actor", "t:kor")]
    assert out["invite"][1]["reason"].startswith("Has 2 offers from the register (not confirmed)")
    assert "Nes IL" not in {i["name"] for i in out["invite"]}  # stated offer and a tie
    assert coverage(_graph(), lang="nb")["invite"][0]["reason"] == (
        "2 aktører i grenda, ingen bekreftede tilbud: inviter dem til neste verksted")


def test_one_district_only():
    out = coverage(_graph(), district="Vik", lang="en")
    assert [d["district"] for d in out["districts"]] == ["Vik"]
    assert out["totals"]["actors"] == 2
