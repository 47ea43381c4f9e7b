"""Printouts as a workshop facilitator gets them: the right paper, a legend beside the drawing,
readable text, today's date, no personal data."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import matplotlib
import networkx as nx
import pytest
from matplotlib.collections import PathCollection

from graphsvc.errors import ValidationError
from tests.fixtures.graphs import (
    AGE_BAND,
    BACKGROUND_TEXT,
    CONSENT_TEXT,
    HOSTILE_SCRIPT,
    NAMED_PERSON,
    sized_community,
    small_community,
)
from visualisations import render_print
from visualisations.print import print_figure


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return small_community()


def media_box(pdf: bytes) -> tuple[float, float]:
    m = re.search(rb"/MediaBox\s*\[\s*([\d.]+)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)\s*\]", pdf)
    assert m, "no MediaBox"
    x0, y0, x1, y1 = (float(v) for v in m.groups())
    return x1 - x0, y1 - y0


def svg_text(svg: bytes) -> str:
    """Every text element's content, unescaped (the SVG keeps text as text)."""
    import html

    return html.unescape(" ".join(re.findall(r"<text[^>]*>(.*?)</text>", svg.decode(), re.DOTALL)))


@pytest.mark.parametrize(
    ("paper", "orientation", "size"),
    [
        pytest.param("A4", "portrait", (595.3, 841.9), id="A4-portrait"),
        pytest.param("A4", "landscape", (841.9, 595.3), id="A4-landscape"),
        pytest.param("A3", "portrait", (841.9, 1190.6), id="A3-portrait"),
        pytest.param("A3", "landscape", (1190.6, 841.9), id="A3-landscape"),
    ],
)
def test_pdf_has_the_exact_paper_size(G, paper, orientation, size):
    pdf = render_print(G, title="Fjordvik", paper=paper, orientation=orientation, fmt="pdf")
    assert pdf.startswith(b"%PDF")
    assert pdf.count(b"/Type /Page\n") + pdf.count(b"/Type /Page ") <= 1  # one page
    width, height = media_box(pdf)
    assert width == pytest.approx(size[0], abs=0.5) and height == pytest.approx(size[1], abs=0.5)


def test_png_is_a_page_at_the_requested_resolution(G):
    png = render_print(G, title="Fjordvik", fmt="png", dpi=100)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    width = int.from_bytes(png[16:20], "big")
    height = int.from_bytes(png[20:24], "big")
    assert width == pytest.approx(297 / 25.4 * 100, abs=1)
    assert height == pytest.approx(210 / 25.4 * 100, abs=1)


def test_svg_has_title_date_subtitle_and_legend_in_bokmal(G):
    svg = render_print(G, title="Ressurskart – Fjordvik", subtitle="Verksted på Holmen",
                       fmt="svg", today=date(2025, 3, 14))
    text = svg_text(svg)
    for expected in ("Ressurskart – Fjordvik", "Verksted på Holmen", "14.03.2025", "Aktører",
                     "Frivilligsentral", "Lag og forening", "Enkeltperson", "Bånd",
                     "Medlemskap og deltakelse", "Fjordvik frivilligsentral"):
        assert expected in text, expected


def test_english_on_request(G):
    text = svg_text(render_print(G, title="Resource map", fmt="svg", lang="en"))
    assert "Volunteer centre" in text and "Membership and participation" in text
    assert "Frivilligsentral" not in text and "Aktører" not in text


def test_today_is_the_default_date(G):
    text = svg_text(render_print(G, title="x", fmt="svg"))
    assert date.today().strftime("%d.%m.%Y") in text


def test_no_personal_data_without_show_names(G):
    text = svg_text(render_print(G, title="x", fmt="svg", paper="A3"))
    for secret in (NAMED_PERSON, "Tveitbakk", "Oddvar", AGE_BAND, BACKGROUND_TEXT, CONSENT_TEXT,
                   "Person "):
        assert secret not in text, secret
    svg = render_print(G, title="x", fmt="svg").decode()
    assert CONSENT_TEXT not in svg and BACKGROUND_TEXT not in svg


def test_names_of_individuals_only_with_show_names(G):
    text = svg_text(render_print(G, title="x", fmt="svg", paper="A3", show_names=True))
    people = ("Sigrun Tveitbakk", "Oddvar Lindeskar", "Aslaug Brennhovd", "Yasmin Haugervik")
    assert any(p.split()[-1] in text for p in people)
    assert BACKGROUND_TEXT not in text and CONSENT_TEXT not in text


def test_user_text_is_printed_literally(G):
    title = "Budsjett $x^2$ & <b>5 %</b>"
    text = svg_text(render_print(G, title=title, fmt="svg"))
    assert title in text  # no mathtext, no markup
    assert HOSTILE_SCRIPT.split("__")[0] in text


def test_all_text_is_at_least_7_points():
    svg = render_print(sized_community(300, seed=2), title="Fjordvik", fmt="svg").decode()
    sizes = [float(s) for s in re.findall(r"font(?:-size)?:\s*(?:[a-z]+\s+)*([\d.]+)px", svg)]
    assert sizes and min(sizes) >= 7


def test_legend_sits_beside_the_drawing_and_everything_stays_on_the_page(G):
    for orientation in ("landscape", "portrait"):
        fig = print_figure(G, title="Fjordvik", orientation=orientation)
        renderer = fig.canvas.get_renderer()
        drawing, legend = (ax.get_window_extent(renderer) for ax in fig.axes)
        assert not drawing.overlaps(legend), orientation
        page = fig.bbox
        for ax in fig.axes:
            for t in ax.texts:
                box = t.get_window_extent(renderer)
                assert page.x0 <= box.x0 and box.x1 <= page.x1, t.get_text()
                assert page.y0 <= box.y0 and box.y1 <= page.y1, t.get_text()
        for t in fig.texts:
            box = t.get_window_extent(renderer)
            assert page.x0 <= box.x0 and box.x1 <= page.x1 and box.y0 >= page.y0, t.get_text()


def test_big_graphs_label_only_some_organisations_and_no_individuals():
    H = sized_community(300, seed=2)
    fig = print_figure(H, title="Fjordvik")
    labels = [t.get_text() for t in fig.axes[0].texts]
    assert 10 <= len(labels) <= 40
    names = {d["name"] for _, d in H.nodes(data=True) if d["kind"] == "individual"}
    assert not any(label.replace("\n", " ") in names for label in labels)


def test_kinds_differ_by_marker_so_greyscale_prints_work(G):
    fig = print_figure(G, title="x")
    markers = {c.get_paths()[0].vertices.tobytes() for c in fig.axes[0].collections
               if isinstance(c, PathCollection)}
    assert len(markers) >= 7


def test_renders_concurrently_without_shared_state(G):
    before = matplotlib.rcParams["svg.fonttype"]
    jobs = [("svg", "A4"), ("pdf", "A3"), ("png", "A4"), ("svg", "A3")] * 2
    with ThreadPoolExecutor(4) as pool:
        out = list(pool.map(lambda j: render_print(G, title="x", fmt=j[0], paper=j[1]), jobs))
    for (fmt, _), data in zip(jobs, out, strict=True):
        assert data[:4] in (b"%PDF", b"\x89PNG", b"<?xm")
        if fmt == "svg":
            assert "Frivilligsentral" in svg_text(data)
    assert matplotlib.rcParams["svg.fonttype"] == before


def test_empty_graph_prints_a_page_that_says_so():
    text = svg_text(render_print(nx.MultiDiGraph(), title="Tomt", fmt="svg"))
    assert "Ingen aktører å vise." in text


@pytest.mark.parametrize(
    "kwargs",
    [pytest.param({"paper": "A5"}, id="paper"), pytest.param({"fmt": "jpg"}, id="format"),
     pytest.param({"orientation": "sideways"}, id="orientation"),
     pytest.param({"lang": "de"}, id="language")],
)
def test_bad_options_are_clear_errors(G, kwargs):
    with pytest.raises(ValidationError, match="unsupported"):
        render_print(G, title="x", **kwargs)
