"""Workshop sheets with initiatives: a row of type «initiativ» and actors that join it."""

from __future__ import annotations

from loaders.workshop import read_workshop


def test_an_initiative_row_and_the_actors_that_take_part(tmp_path):
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(
        "aktør;type;grend;trenger;tilbyr;kontakter\n"
        'Sykling uten alder Testvik;initiativ;Sentrum;"activity.cycling; help.transport";;\n'
        "Kari Testesen;enkeltperson;Sentrum;;help.transport;deltar_i:Sykling uten alder Testvik\n"
        "Testvik frivilligsentral;frivilligsentral;Sentrum;;;"
        "koordinerer:Sykling uten alder Testvik\n", "utf-8")
    result = read_workshop(sheet)
    assert result.rejected == []
    [initiative] = result.batch.initiatives
    assert initiative.id == "ws:initiative:sykling-uten-alder-testvik"
    assert initiative.required_categories == ["activity.cycling", "help.transport"]
    assert [a.name for a in result.batch.actors] == ["Kari Testesen", "Testvik frivilligsentral"]
    assert {(t.kind, t.target) for t in result.batch.ties} == {
        ("PARTICIPATES_IN", initiative.id), ("COORDINATES", initiative.id)}


def test_an_initiative_has_no_orgnr(tmp_path):
    sheet = tmp_path / "v.csv"
    sheet.write_text("aktør;type;orgnr\nLeksehjelp;tiltak;998877660\n", "utf-8")
    [err] = read_workshop(sheet).rejected
    assert (err.line, err.field) == (2, "orgnr") and "initiative has no orgnr" in err.reason
