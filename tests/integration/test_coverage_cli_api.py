"""``graphsvc coverage``, ``GET /coverage`` and the load report's coverage summary (issue 9.7)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.cli import main
from graphsvc.settings import Settings
from graphsvc.store import open_store

SHEET = ("aktør;type;grend;tilbyr\n"
         "Testvik turlag;lag;Nes;activity.walk\n"
         "Testvik kor;lag;Vik;culture.music\n")


def test_load_ends_with_the_coverage_summary_and_coverage_lists_districts(tmp_path, capsys):
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    assert main(["load", str(sheet), "--store", url, "--lang", "en"]) == 0
    tail = capsys.readouterr().out.strip().splitlines()[-3:]
    assert tail[0].startswith("2 actors in 2 districts: 0 with ties, 2 with offers")
    assert tail[1].startswith("missing: Nes: No volunteer centre")
    assert tail[2].startswith("Next workshop: ")
    assert main(["coverage", "--store", url]) == 0
    text = capsys.readouterr().out
    assert "Nes: 1 aktør, 0 med bånd, 1 med bekreftede tilbud" in text
    assert "mangler: Ingen frivilligsentral; Ingen møteplass eller lokale" in text
    assert main(["coverage", "--store", url, "--district", "vik", "--json"]) == 0


def test_get_coverage(tmp_path):
    sheet = tmp_path / "verksted.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'g.db'}"
    assert main(["load", str(sheet), "--store", url]) == 0
    store = open_store(url)
    try:
        client = TestClient(create_app(Settings(store=url), store=store))
        body = client.get("/coverage", params={"lang": "en", "district": "nes"}).json()
        assert [d["district"] for d in body["districts"]] == ["Nes"]
        assert body["districts"][0]["missing"][0]["explanation"] == "No volunteer centre"
        bad = client.get("/coverage", params={"district": "Nowhere"})
        assert bad.status_code == 422
    finally:
        store.close()
