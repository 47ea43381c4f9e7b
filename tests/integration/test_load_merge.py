"""Several sources into one real store (SQLite, the FalkorDB engine, Neo4j when configured): one
actor per orgnr, order does not matter, loading again changes nothing, a newer file updates."""

from __future__ import annotations

import json
import shutil

import pytest

from graphsvc.errors import ImportFailed
from loaders.importer import NO_ACTOR, import_files
from tests.fixtures import sources_registers as reg

SRC = reg.SOURCES
E, F, U, K = (SRC / n for n in ("enheter.csv", "frivillighet.json", "underenheter.csv",
                                "kommuner.json"))
O = SRC / "barnehager_bom_crlf.csv"
W = SRC / "verksted_testvik.csv"


def graph(store) -> dict:
    """Everything a user could see, without load times."""
    def strip(d):
        d = json.loads(json.dumps(d))
        for p in [d.get("provenance") or {}, *(d.get("sources") or {}).values()]:
            p.pop("loaded_at", None)
        return d

    return {kind: sorted((strip(d) for d in store._all(kind)), key=lambda d: json.dumps(d, sort_keys=True))
            for kind in ("actors", "resources", "needs", "ties")}


def emptied(store) -> None:
    """``store.clear()``, keeping the store's key for people's ids (a fresh store would make a
    new one, and every person a new id: these tests compare what the same store holds)."""
    from graphsvc.privacy import PERSON_KEY_DOCUMENT

    key = store.person_key().hex()
    store.clear()
    store._create_document(PERSON_KEY_DOCUMENT, key)


def load(store, *paths, **kw):
    return import_files(store, list(paths), kommuner=["0399"], kind="institution", **kw)


def test_enhetsregisteret_then_frivillighetsregisteret_gives_one_actor_with_categories(store):
    first = load(store, E)
    assert first["actors"]["created"] == len(reg.EXPECTED_KINDS)
    second = load(store, F)
    assert second["actors"] == {"created": 0, "updated": 4, "unchanged": 0}
    assert second["orgnrs_without_actor"] == [reg.UTEN_ENHET]
    assert second["skipped"] == {NO_ACTOR.in_("nb"): 1}  # bokmål by default
    actors = {a.orgnr: a for a in store.actors()}
    assert len(actors) == len(reg.EXPECTED_KINDS)
    vel = actors[reg.VEL]
    assert [(c.code, c.primary) for c in vel.icnpo] == [("6200", True), ("1300", False)]
    assert vel.categories == ["social", "social.meetingplace"]
    assert vel.name == "TESTVIK VELFORENING" and vel.address.startswith("Grendehuset\n")
    assert set(vel.sources) == {"brreg", "frivillighet"}
    assert vel.sources["frivillighet"].source == "frivillighet.json"
    assert vel.field_sources["icnpo"] == "frivillighet" and vel.field_sources["name"] == "brreg"


def test_loading_the_same_file_again_changes_nothing(store):
    load(store, E, F)
    revision = store.revision()
    again = load(store, E, F)
    assert again["actors"] == {"created": 0, "updated": 0, "unchanged": len(reg.EXPECTED_KINDS)}
    assert store.revision() == revision  # nothing changed, so nothing was written


def test_order_does_not_matter(store):
    sequence = [W, E, F, U, K, O]
    for path in sequence + sequence:
        load(store, path)
    forwards = graph(store)
    emptied(store)
    for path in list(reversed(sequence)) * 2:
        load(store, path)
    assert graph(store) == forwards
    emptied(store)
    load(store, *reversed(sequence))  # one import: patches apply after every file is read
    assert graph(store) == forwards
    vel = store.get_actor(f"brreg:{reg.VEL}")
    assert (vel.name, vel.district, vel.kind) == ("TESTVIK VELFORENING", "Holmen", "association")
    sentral = store.get_actor(f"brreg:{reg.SENTRAL}")
    assert sentral.kind == "frivilligsentral"  # refines the sheet's lag/forening
    # ... and each actor says which rule made it one, whichever file came last.
    rules = {a.id: a.kind_rule for a in store.actors() if a.kind == "frivilligsentral"}
    assert rules and all(r in ("frivilligsentral-name", "icnpo-8200") for r in rules.values())


def test_sub_units_are_part_of_their_main_unit_in_either_order(store):
    load(store, U)
    assert store.counts()["ties"] == 0  # the municipality is not known yet
    load(store, E)
    ties = {(d["source"], d["kind"], d["target"]) for d in store._all("ties")}
    assert ties == {(f"brreg:{o}", "PART_OF", f"brreg:{reg.KOMMUNE}")
                    for o in (reg.BARNEHAGE, reg.SKOLE, reg.SYKEHJEM)}


def test_a_newer_file_updates_values_and_drops_what_it_no_longer_says(store, tmp_path):
    load(store, E)
    newer = tmp_path / "enheter.csv"
    text = E.read_text("utf-8").replace("TESTVIK VELFORENING", "TESTVIK VEL OG GRENDELAG")
    newer.write_text(text.replace('"www.testvik-vel.example"', '""'), "utf-8")
    report = load(store, newer)
    assert report["actors"]["updated"] == 1
    vel = store.get_actor(f"brreg:{reg.VEL}")
    assert vel.name == "TESTVIK VEL OG GRENDELAG" and vel.homepage is None


def test_register_names_win_over_a_workshop_sheet_but_its_district_stays(store, tmp_path):
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(f"aktør;type;grend;orgnr\nVelforeninga;lag;Nordbygda;{reg.VEL}\n", "utf-8")
    import_files(store, [sheet])
    load(store, E)
    vel = store.get_actor(f"brreg:{reg.VEL}")
    assert (vel.name, vel.district) == ("TESTVIK VELFORENING", "Nordbygda")
    emptied(store)
    load(store, E)
    import_files(store, [sheet])
    assert store.get_actor(f"brreg:{reg.VEL}") .name == "TESTVIK VELFORENING"


def test_strict_or_an_unreadable_file_leaves_the_store_as_it_was(store, tmp_path):
    load(store, K)
    before = (store.revision(), graph(store))
    with pytest.raises(ImportFailed) as failure:
        load(store, E, strict=True)  # two rows are rejected
    assert failure.value.rows[0].field == "organisasjonsnummer"
    broken = tmp_path / "enheter.csv.gz"
    shutil.copy(SRC / "broken_truncated.csv.gz", broken)
    with pytest.raises(ImportFailed, match="truncated"):
        load(store, E, broken)
    assert (store.revision(), graph(store)) == before
