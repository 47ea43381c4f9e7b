"""The ``graphsvc`` command as a user types it (a real process, a real SQLite file)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

GRAPHSVC = [sys.executable, "-m", "graphsvc.cli"]


def run(*args: str, cwd: Path, check: bool = True) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    result = subprocess.run([*GRAPHSVC, *args], cwd=cwd, env=env, capture_output=True,
                            text=True, timeout=300)
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture
def workdir(tmp_path) -> Path:
    return tmp_path


def store_state(workdir: Path, store: str) -> dict:
    from graphsvc.store import open_store

    s = open_store(store)
    try:
        return {"revision": s.revision(), "counts": s.counts()}
    finally:
        s.close()


def test_demo_loads_summarises_and_writes_map_and_printout(workdir):
    result = run("demo", "--actors", "150", "--out", "out", cwd=workdir)
    assert "Demo-lokalsamfunnet Fjordvik" in result.stdout  # bokmål by default
    assert "Hvem kan gi transport og følge i " in result.stdout
    assert "help.transport" not in result.stdout and "individual" not in result.stdout
    html = (workdir / "out" / "fjordvik-map.html").read_text("utf-8")
    assert "<html" in html.lower() and "Fjordvik" in html
    assert (workdir / "out" / "fjordvik-network.pdf").read_bytes().startswith(b"%PDF")
    # The default store is a SQLite file in the working directory; a second run changes nothing.
    assert (workdir / "graphsvc.db").exists()
    again = run("demo", "--actors", "150", "--out", "out", "--json", cwd=workdir)
    summary = json.loads(again.stdout)
    assert summary["actors"]["individual"] > 100
    assert summary["example_match"]["results"]
    english = run("demo", "--actors", "150", "--out", "out", "--lang", "en", cwd=workdir)
    assert "Fjordvik demo community" in english.stdout and "volunteer centre" in english.stdout
    assert "Demo-lokalsamfunnet" not in english.stdout and "frø" not in english.stderr


def test_match_json_is_machine_readable(workdir):
    run("demo", "--actors", "120", "--out", "out", cwd=workdir)
    out = json.loads(run("match", "help.transport", "--json", cwd=workdir).stdout)
    assert out["results"] and out["results"][0]["explanation"]
    text = run("match", "help.transport", "--lang", "en", cwd=workdir).stdout
    assert "Transport and escort" in text


def test_load_writes_good_rows_and_names_the_bad_row(workdir):
    sheet = workdir / "verksted.csv"
    sheet.write_text(
        "aktør;type;grend;tilbyr\n"
        "Testvik turlag;lag;Nes;activity.walk\n"
        "Testvik kor;lag;Nes;culture.music\n"
        "Testvik sjakk;lag;Nes;help.teleport\n",
        encoding="utf-8",
    )
    result = run("load", "verksted.csv", "--lang", "en", cwd=workdir, check=False)
    assert result.returncode == 3, result.stderr  # some rows rejected (README: exit status)
    assert "verksted.csv:4 field 'tilbyr'" in result.stdout
    assert "help.teleport" in result.stdout
    state = store_state(workdir, f"sqlite:///{workdir / 'graphsvc.db'}")
    assert state["counts"]["actors"] == 2


def test_unreadable_file_exits_non_zero_and_leaves_the_store_unchanged(workdir):
    run("demo", "--actors", "100", "--out", "out", cwd=workdir)
    store = f"sqlite:///{workdir / 'graphsvc.db'}"
    before = store_state(workdir, store)
    (workdir / "broken.xlsx").write_bytes(b"PK\x03\x04 this is not really a spreadsheet")
    result = run("load", "broken.xlsx", cwd=workdir, check=False)
    assert result.returncode == 1
    assert result.stderr.startswith("graphsvc: feil: broken.xlsx: er ikke en lesbar .xlsx-")
    assert "broken.xlsx" in result.stderr
    assert store_state(workdir, store) == before

    missing = run("load", "nope.csv", cwd=workdir, check=False)
    assert missing.returncode == 1 and "nope.csv" in missing.stderr
    assert store_state(workdir, store) == before


def test_strict_load_writes_nothing_when_a_row_is_bad(workdir):
    sheet = workdir / "s.csv"
    sheet.write_text("aktør;type\nGodt lag;lag\nRart lag;romvesen\n", encoding="utf-8")
    result = run("load", "s.csv", "--strict", cwd=workdir, check=False)
    assert result.returncode == 1
    assert "s.csv:3" in result.stderr
    assert store_state(workdir, f"sqlite:///{workdir / 'graphsvc.db'}")["counts"]["actors"] == 0


def test_bad_store_url_is_one_clear_line(workdir):
    result = run("match", "help.transport", "--store", "postgres://x", cwd=workdir, check=False)
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0
    assert "unknown store URL 'postgres://x'" in result.stderr


def test_map_and_print_commands(workdir):
    run("demo", "--actors", "100", "--out", "out", cwd=workdir)
    run("map", "-o", "m.html", "--lang", "en", cwd=workdir)
    assert "Resource map" in (workdir / "m.html").read_text("utf-8")
    run("print", "-o", "p.svg", "--paper", "A3", cwd=workdir)
    assert b"<svg" in (workdir / "p.svg").read_bytes()[:2000]
    bad = run("print", "-o", "p.docx", cwd=workdir, check=False)
    assert bad.returncode == 1 and ".pdf, .svg or .png" in bad.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_over_http(workdir):
    run("demo", "--actors", "100", "--out", "out", cwd=workdir)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRAPHSVC_")}
    server = subprocess.Popen([*GRAPHSVC, "serve", "--port", str(port)], cwd=workdir, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                health = json.load(urllib.request.urlopen(f"{base}/health", timeout=2))
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("server did not start: " + server.stderr.read1().decode())
        assert health["status"] == "ok" and health["actors"] == 100
        match = json.load(urllib.request.urlopen(f"{base}/match?category=help.transport"))
        assert match["results"][0]["explanation"]
        # / is the workbench: a shell in bokmål whose data comes from the API; the map page
        # carries the community's name itself.
        page = urllib.request.urlopen(f"{base}/").read().decode()
        assert "Arbeidsbenk" in page and 'lang="nb"' in page
        graph = json.load(urllib.request.urlopen(f"{base}/workbench/graph.json"))
        assert "Fjordvik" in json.dumps(graph, ensure_ascii=False)
        assert "Fjordvik" in urllib.request.urlopen(f"{base}/maps/network.html").read().decode()
    finally:
        server.terminate()
        server.wait(timeout=10)
        server.stderr.close()


def test_serve_refuses_to_listen_publicly_without_keys(workdir):
    result = run("serve", "--host", "0.0.0.0", cwd=workdir, check=False)
    assert result.returncode == 1
    assert "graphsvc: feil: lytter ikke på 0.0.0.0: ingen API-nøkler" in result.stderr


def test_brokers_says_how_exact_a_sampled_ranking_is(workdir):
    """A planner reading a sampled ranking is told the bound, in their language; an exact one
    claims no bound."""
    run("demo", "--actors", "150", "--out", "out", cwd=workdir)
    exact = run("brokers", "--top", "3", cwd=workdir).stdout
    assert "nøyaktig beregnet" in exact and "±" not in exact
    sampled = run("brokers", "--top", "3", "--sources", "20", cwd=workdir).stdout
    head = sampled.splitlines()[:2]
    assert "anslått fra 20 tilfeldige startpunkter" in head[0]
    assert head[1].strip().startswith("Hver verdi ligger innenfor ±0,")
    assert head[1].endswith("av den nøyaktige, med 90 % sikkerhet")
    english = run("brokers", "--top", "3", "--sources", "20", "--lang", "en", cwd=workdir).stdout
    assert "Every value lies within ±0." in english and "Hver verdi" not in english
    as_json = json.loads(run("brokers", "--sources", "20", "--json", cwd=workdir).stdout)
    assert 0 < as_json["approximation"]["epsilon"] < 1 and as_json["sources"] == 20
