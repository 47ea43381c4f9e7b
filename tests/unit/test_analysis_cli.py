"""The analysis commands: text for planners, JSON with --json, one-line errors."""

from __future__ import annotations

import json
import re

import pytest

from graphsvc.cli import main
from graphsvc.store.sqlite import SQLiteStore


@pytest.fixture(scope="module")
def store_url(tmp_path_factory, demo_batch):
    store = SQLiteStore(tmp_path_factory.mktemp("cli") / "graph.db")
    store.write(demo_batch)
    url = store.url
    store.close()
    return url


def run(capsys, *argv):
    code = main([*argv])
    out = capsys.readouterr()
    return code, out.out, out.err


COMMANDS = [
    pytest.param(["match", "help.transport", "--capacity", "2", "--availability", "kveld"],
                 "results", id="match"),
    pytest.param(["team", "demo:init001", "--max-size", "3"], "team", id="team"),
    pytest.param(["pairs", "--limit", "2"], "pairs", id="pairs"),
    pytest.param(["gaps", "--limit", "2", "--hops", "2"], "summary", id="gaps"),
    pytest.param(["paths", "demo:f001", "--service", "bibliotek"], "paths", id="paths-linking"),
    pytest.param(["paths", "demo:f001", "demo:kommune", "--alternatives", "1"], "paths",
                 id="paths-between"),
    pytest.param(["brokers", "--by", "district", "--top", "3", "--kind", "association"],
                 "results", id="brokers"),
    pytest.param(["communities", "--resolution", "0.8", "--min-size", "3"], "communities",
                 id="communities"),
    pytest.param(["profile", "demo:f001"], "counts", id="profile"),
]
# Words that give away the other language, and codes a planner should never read.
NOT_NB = re.compile(r"\b(of|candidate|offers?|bridge builders?|communit(y|ies)|reciprocal|pairs?|"
                    r"unmet|needs|groups|districts|volunteering|individual|association|"
                    r"institution|municipality|business|bonding|bridging|linking|score)\b")
NOT_EN = re.compile(r"\b(av|mulige|tilbud|brobyggere|fellesskap|gjensidige|udekkede|behov|"
                    r"grupper|grender|enkeltperson|forening|institusjon|kommunen|bedrift|"
                    r"sammenbindende|brobyggende|forbindende|poeng|ledd|bånd)\b")
CODES = re.compile(r"\b[A-Z]{3,}_[A-Z_]+\b|\bKNOWS\b|\bFUNDS\b|\bhelp\.\w+")


@pytest.mark.parametrize(("argv", "key"), COMMANDS)
def test_every_analysis_command_prints_json_and_text(capsys, store_url, argv, key):
    code, out, _err = run(capsys, *argv, "--store", store_url, "--json")
    assert code == 0 and key in json.loads(out)
    code, text, _err = run(capsys, *argv, "--store", store_url, "--lang", "en")
    assert code == 0 and text.strip() and not text.startswith("{")


def _ours(text: str, names: set[str]) -> str:
    """The text without actor names, category names and free-text data (those are data)."""
    for n in sorted(names, key=len, reverse=True):
        text = text.replace(n, " ")
    return text


@pytest.mark.parametrize(("argv", "key"), COMMANDS)
def test_every_analysis_command_speaks_one_language(capsys, store_url, demo_batch, argv, key):
    from graphsvc.taxonomy import load_taxonomy

    data = {a.name for a in demo_batch.actors} | {i.name for i in demo_batch.initiatives}
    data |= {c.name(lang) for c in load_taxonomy() for lang in ("nb", "en")}
    data |= {str(r.availability) for r in demo_batch.resources if r.availability}
    for lang, other in (("nb", NOT_NB), ("en", NOT_EN)):
        code, text, _err = run(capsys, *argv, "--store", store_url, "--lang", lang)
        assert code == 0
        ours = _ours(text, data)
        assert CODES.findall(ours) == [], lang
        assert other.findall(ours.lower()) == [], (lang, text)
        lines = text.splitlines()
        for i, line in enumerate(lines):  # a heading is followed by its items, or "(ingen)"
            if line.rstrip().endswith(":"):
                assert i + 1 < len(lines) and lines[i + 1].startswith("  "), (lang, line)


def test_text_is_bokmal_by_default_and_pseudonymised(capsys, store_url, demo_batch):
    code, text, _err = run(capsys, "gaps", "--store", store_url)
    assert code == 0 and "behov har ingen tilbyder i nærheten" in text
    names = {a.name for a in demo_batch.actors if a.kind == "individual"}
    assert not any(n in text for n in names)


def test_errors_are_one_line_and_non_zero(capsys, store_url):
    code, _out, err = run(capsys, "paths", "demo:nope", "--store", store_url, "--lang", "en")
    assert code == 1 and err.strip() == "graphsvc: error: no actor with id 'demo:nope'"
    code, _out, err = run(capsys, "team", "demo:init001", "--category", "x.y",
                          "--store", store_url, "--lang", "en")
    assert code == 1 and err.strip() == "graphsvc: error: unknown category 'x.y'"


def test_errors_are_in_bokmal_by_default_and_follow_graphsvc_lang(capsys, store_url,
                                                                  monkeypatch):
    code, _out, err = run(capsys, "paths", "demo:nope", "--store", store_url)
    assert code == 1 and err.strip() == "graphsvc: feil: ingen aktør har id 'demo:nope'"
    code, _out, err = run(capsys, "team", "demo:init001", "--category", "x.y",
                          "--store", store_url)
    assert code == 1 and err.strip() == "graphsvc: feil: ukjent kategori 'x.y'"
    monkeypatch.setenv("GRAPHSVC_LANG", "en")
    code, _out, err = run(capsys, "paths", "demo:nope", "--store", store_url)
    assert err.strip() == "graphsvc: error: no actor with id 'demo:nope'"
