"""Kinds a planner would agree with (issue 9.1) and nothing dropped silently (9.6), from rows in
the exact column layout of the real Enhetsregisteret exports."""

from __future__ import annotations

import json

import networkx as nx
import pytest

from loaders.brreg import read_brreg, rules
from loaders.opendata import read_opendata
from tests.fixtures import register_kinds as rk
from visualisations.encoding import public_node_data


@pytest.fixture
def files(tmp_path):
    return rk.write(tmp_path)


def loaded(files, **kw):
    out = {}
    for f in files:
        out.update({a.orgnr: a for a in read_brreg(f, **kw).batch.actors})
    return out


@pytest.mark.parametrize(("orgnr", "kind", "rule"), [
    pytest.param(o, k, r, id=f"{r}-{o}") for o, (k, r) in rk.EXPECTED.items()])
def test_every_entity_gets_the_kind_a_planner_expects_and_names_its_rule(files, orgnr, kind,
                                                                          rule):
    actors = loaded(files, include=["business"])
    if kind is None:
        assert orgnr not in actors
    else:
        assert (actors[orgnr].kind, actors[orgnr].kind_rule) == (kind, rule)


def test_private_practices_and_shops_are_counted_not_loaded_unless_asked_for(files):
    actors = loaded(files)
    assert not [a.name for a in actors.values() if a.kind == "business"]
    skipped = {}
    for f in files:
        for reason, n in read_brreg(f).skipped.items():
            skipped[reason] = skipped.get(reason, 0) + n
    practice = [n for r, n in skipped.items() if "rule private-practice" in r]
    assert sum(practice) == 4  # dentist, physiotherapist, personal trainer, dental clinic
    assert any("--include business" in r for r in skipped)


def test_a_public_or_non_profit_health_service_is_an_institution_a_private_one_is_not(files):
    actors = loaded(files, include=["business"])
    assert actors[rk.LEGEVAKT_KF].kind == "institution"  # kommunal legevakt
    assert actors[rk.STIFTELSE_HELSE].kind == "institution"  # ideell stiftelse
    assert actors[rk.HELSESTASJON].kind == "institution"  # the kommune's sub-unit
    assert actors[rk.TANNLEGE].kind == actors[rk.FYSIO].kind == "business"


def test_sfo_and_fritidsklubb_codes_are_institutions(files):
    actors = loaded(files)
    assert actors[rk.SFO].kind == actors[rk.FRITIDSKLUBB].kind == "institution"


def test_aafy_sub_units_load_as_associations_even_without_their_parent(files):
    actors = loaded(files[1:])  # underenheter only: no main unit is loaded
    assert actors[rk.ORPHAN_AAFY].kind == "association"
    assert actors[rk.KORPS_AVD].kind == "association"
    assert rk.SAMEIE not in actors  # a condominium is not a community actor


def test_a_sole_proprietorship_is_never_loaded_and_never_named(files):
    result = read_brreg(files[0], include=["business"])
    assert rk.ENK not in {a.orgnr for a in result.batch.actors}
    assert result.skipped[
        "sole proprietorship (ENK): a natural person, personal data (rule enk-personal)"] == 1
    assert rk.ENK_NAME not in json.dumps(result.to_dict(), ensure_ascii=False)


def test_every_loaded_actor_records_the_rule_that_classified_it(files):
    ids = {r["id"] for r in rules()["rules"]}
    actors = loaded(files, include=["business"])
    assert actors and all(a.kind_rule in ids for a in actors.values())


def test_the_rules_are_one_data_file_with_unique_ids_and_known_kinds():
    from graphsvc.model import ACTOR_KINDS

    data = rules()["rules"]
    assert len({r["id"] for r in data}) == len(data)
    assert {r["kind"] for r in data} - {None} <= set(ACTOR_KINDS)
    assert data[-1].keys() <= {"id", "kind", "reason", "reason_nb"}  # it catches the rest
    assert all(r["reason"] and r["reason_nb"] for r in data)  # said in English and bokmål


def test_register_texts_a_planner_needs_are_kept(files):
    klubb = loaded(files)[rk.DANSEKLUBB]
    assert klubb.activity == "Dansekurs for barn, unge og seniorer; seniordans hver tirsdag."
    assert klubb.purpose == "Å fremme dans som idrett og fellesskap for alle aldre."
    assert (klubb.nace2, klubb.sector, klubb.homepage) == ("93.120", "7000",
                                                          "www.testvik-dans.example")
    assert klubb.nace_text == ["Undervisning innen idrett og rekreasjon",
                               "Idrettslag og -klubber"]
    assert klubb.sector_text == "Ideelle organisasjoner"
    assert klubb.address == "Storgata 1\n0399 TESTVIK"
    assert klubb.postal_address == "Postboks 7\n0399 TESTVIK"


def test_the_report_lists_every_column_nothing_reads(files):
    enheter = read_brreg(files[0]).ignored_columns
    assert {"maalform", "antallAnsatte", "forretningsadresse.land"} <= set(enheter)
    used = {"aktivitet", "vedtektsfestetFormaal", "naeringskode2.kode", "naeringskode3.kode",
            "institusjonellSektorkode.kode", "hjemmeside", "postadresse.adresse"}
    assert not used & set(enheter)
    assert set(enheter) < set(rk.ENHETER_HEADER)
    under = read_brreg(files[1]).ignored_columns
    assert "datoEierskifte" in under and "overordnetEnhet" not in under


def test_the_map_details_show_the_register_texts_as_text(files):
    klubb = loaded(files)[rk.DANSEKLUBB]
    G = nx.MultiDiGraph()
    attrs = klubb.model_dump(exclude={"id"})
    attrs["activity"] = "<img src=x onerror=alert(1)> seniordans"
    G.add_node(klubb.id, node_type="actor", offers=[], needs=[], **attrs)
    nb = public_node_data(G, klubb.id)
    assert "Aktivitet: <img src=x onerror=alert(1)> seniordans" in nb["register"]
    assert "Formål: Å fremme dans som idrett og fellesskap for alle aldre." in nb["register"]
    assert "Næring: Undervisning innen idrett og rekreasjon; Idrettslag og -klubber" in \
        nb["register"]
    assert nb["description"].startswith("Aktivitet: ")
    en = public_node_data(G, klubb.id, lang="en")
    assert "Homepage: www.testvik-dans.example" in en["register"]
    assert not any("93.120" in line or "7000" in line for line in en["register"])

    from visualisations.map import render_map

    html = render_map(G, title="Testvik")
    assert "seniordans" in html and "<img src=x" not in html  # data for textContent only


def test_a_church_list_gives_its_adressenavn_as_the_address(tmp_path):
    path = tmp_path / "kirker.csv"
    path.write_text("navn;adressenavn;lat;lon\nTestvik kirke;Kirkebakken 1;58.9;5.7\n", "utf-8")
    [kirke] = read_opendata(path, kind="institution").batch.actors
    assert kirke.address == "Kirkebakken 1"


def test_prose_split_over_numbered_columns_is_joined(tmp_path):
    header = [*rk.ENHETER_HEADER, "aktivitet2", "vedtektsfestetFormaal2"]
    row = dict(rk.ENHETER[9], aktivitet="Dansekurs for barn,", aktivitet2="og seniordans.",
               vedtektsfestetFormaal="Å fremme dans", vedtektsfestetFormaal2="for alle.")
    path = tmp_path / "e.csv"
    path.write_text(rk.csv_text(header, [row]), "utf-8")
    result = read_brreg(path)
    [klubb] = result.batch.actors
    assert (klubb.activity, klubb.purpose) == ("Dansekurs for barn, og seniordans.",
                                               "Å fremme dans for alle.")
    assert "aktivitet2" not in result.ignored_columns
