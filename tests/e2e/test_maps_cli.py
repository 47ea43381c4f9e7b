"""``graphsvc map VIEW`` and ``graphsvc print VIEW`` as a user types them, on a real store."""

from __future__ import annotations

import json
import re

import pytest

from tests.e2e.test_cli import run


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    path = tmp_path_factory.mktemp("maps-cli")
    run("demo", "--actors", "150", "--out", "out", cwd=path)
    return path


def test_views_as_maps_with_the_same_options_as_the_api(workdir):
    out = json.loads(run("map", "ego", "--focus", "demo:kommune", "--depth", "1", "--lang", "en",
                         "-o", "ego.html", "--json", cwd=workdir).stdout)
    assert out["view"] == "ego" and out["bytes"] > 1000
    html = (workdir / "ego.html").read_text("utf-8")
    assert "Resource map around Fjordvik kommune" in html
    run("map", "path", "--from", "demo:kommune", "--to", "demo:s01", "-o", "path.html",
        cwd=workdir)
    assert "Vei i nettverket" in (workdir / "path.html").read_text("utf-8")
    run("map", "--kind", "association", "--kind", "frivilligsentral", "--aggregate",
        "-o", "agg.html", cwd=workdir)
    assert '"clusters"' in (workdir / "agg.html").read_text("utf-8")


def test_views_as_prints_and_the_booklet(workdir):
    run("print", "gaps", "--paper", "A3", "--orientation", "portrait", "-o", "gaps.svg",
        cwd=workdir)
    assert "Udekket behov" in (workdir / "gaps.svg").read_text("utf-8")
    run("print", "booklet", "-o", "booklet.pdf", cwd=workdir)
    pdf = (workdir / "booklet.pdf").read_bytes()
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) >= 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(("map", "ego"), "needs a focus", id="no-focus"),
        pytest.param(("map", "ego", "--focus", "nobody"), "'nobody'", id="unknown-focus"),
        pytest.param(("print", "booklet", "-o", "b.png"), "the booklet is a PDF", id="booklet-png"),
    ],
)
def test_errors_are_one_line_and_a_non_zero_exit(workdir, args, message):
    result = run(*args, cwd=workdir, check=False)
    assert result.returncode != 0
    assert result.stderr.strip().count("\n") == 0 and message in result.stderr
