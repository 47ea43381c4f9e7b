"""Every view as a map and as a print: what they carry, mark and label, and what they never
carry (personal fields), at A4/A3 portrait/landscape and as a booklet."""

from __future__ import annotations

import json
import re

import networkx as nx
import pytest
from matplotlib.collections import PathCollection

from graphsvc.views import booklet_views, build_view
from tests.fixtures.graphs import (
    AGE_BAND,
    BACKGROUND_TEXT,
    CONSENT_TEXT,
    HOSTILE_IMG,
    NAMED_PERSON,
    VIEWS,
    sized_community,
    small_community,
)
from tests.unit.test_encoding import page_data
from tests.unit.test_print import svg_text
from visualisations import render_booklet, render_map, render_print
from visualisations.print import print_figure

SECRETS = (NAMED_PERSON, "Tveitbakk", "Oddvar", "Lindeskar", "Eivind Krokli", AGE_BAND,
           BACKGROUND_TEXT, CONSENT_TEXT, "verksted-holmen", "har stor bil", "demo:p0",
           "ws:verksted", "67-79", "consent", "age_band", "provenance")


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return small_community()


@pytest.fixture(scope="module", params=list(VIEWS))
def view(request, G):
    return build_view(G, request.param, **VIEWS[request.param])


@pytest.fixture(scope="module")
def page(view):
    return render_map(view.graph, **view.render_kwargs())


def test_no_view_carries_a_hidden_personal_field(page):
    for secret in SECRETS:
        assert secret not in page, secret


def test_every_view_has_its_legend_title_and_subtitle(view, page):
    assert "Tegnforklaring" in page and "Enkeltperson" in page
    assert f'<p class="subtitle">{view.subtitle}</p>' in page
    assert HOSTILE_IMG not in page


def test_every_view_prints_without_personal_data_and_with_its_subtitle(view):
    text = svg_text(render_print(view.graph, fmt="svg", **view.render_kwargs()))
    assert view.subtitle.split(" · ")[0] in text and "Aktører" in text
    for secret in SECRETS:
        assert secret not in text, secret


def test_path_map_labels_its_hops_and_dims_the_rest(G):
    v = build_view(G, "path", **VIEWS["path"])
    data = page_data(render_map(v.graph, **v.render_kwargs()))
    labels = sorted(e["label"] for e in data["edges"] if "label" in e)
    assert labels == ["1. sammenbindende", "2. brobyggende", "3. forbindende"]
    marked = [n for n in data["nodes"] if n.get("mk") == "path"]
    assert len(marked) == 4 and any(n["name"].startswith("Person ") for n in marked)
    assert all(n.get("opacity") == 0.3 for n in data["nodes"] if not n.get("mk"))
    html = render_map(v.graph, lang="en", **v.render_kwargs())
    assert "2. bridging" in html and "Steps of the path" in html


def test_ego_map_is_fixed_in_rings_with_guides(G):
    v = build_view(G, "ego", focus="demo:fs-holmen")
    data = page_data(render_map(v.graph, **v.render_kwargs()))
    assert data["physics"] == {"enabled": False}
    assert [r["label"] for r in data["rings"]] == ["Enkeltpersoner, lag og foreninger",
                                                    "Institusjoner, frivilligsentraler, kommune"]
    focus = next(n for n in data["nodes"] if n.get("mk") == "focus")
    assert (focus["x"], focus["y"]) == (0, 0) and focus["name"] == "Holmen nærmiljøsentral"


def test_gap_map_legend_counts_the_marks(G):
    v = build_view(G, "gaps")
    html = render_map(v.graph, **v.render_kwargs())
    assert "Udekket behov" in html
    data = page_data(html)
    unmet = [n for n in data["nodes"] if n.get("mk") == "unmet"]
    assert unmet and all(n["shapeProperties"]["borderDashes"] for n in unmet)


def test_details_panel_data_is_text_and_public_only(G):
    data = page_data(render_map(G, title="x"))
    lib = next(n for n in data["nodes"] if n["name"] == "Fjordvik bibliotek")
    assert lib["of"] == ["Møteplass / treffsted: Møterom på kveldstid"]
    assert lib["kl"] == "Institusjon"
    person = next(n for n in data["nodes"] if n["name"].startswith("Person ") and "of" in n)
    assert all(":" not in o for o in person["of"])  # a person's own words are never published
    assert all({"from", "to", "tl"} <= set(e) for e in data["edges"])


def test_a_very_large_map_opens_as_clusters_by_district_and_kind():
    H = sized_community(400, seed=5)
    data = page_data(render_map(H, title="x", aggregate=True))
    clusters = [c for c in data["clusters"]["nodes"] if c["group"] != "place"]
    places = [c for c in data["clusters"]["nodes"] if c["group"] == "place"]
    kinds_by_district = {(d.get("district") or "", d["kind"]) for _, d in H.nodes(data=True)}
    assert len(clusters) == len(kinds_by_district)
    assert sum(int(re.search(r": (\d+) aktør(?:er)?$", c["tip"]).group(1)) for c in clusters) == len(H)
    named = sorted(c["cd"] for c in places)  # each district named once
    assert named == sorted({d.get("district") or "" for _, d in H.nodes(data=True)})
    assert not any(c["label"] for c in clusters)
    assert len(data["nodes"]) == len(H)  # every actor is there to drill down to
    assert data["physics"] == {"enabled": False}
    assert "clusters" not in page_data(render_map(H, title="x"))


def test_the_booklet_has_a_page_per_district_plus_the_overview(G):
    pages = booklet_views(G)
    pdf = render_booklet([(v.graph, v.render_kwargs()) for v in pages], paper="A3")
    assert pdf.startswith(b"%PDF")
    districts = {d["district"] for _, d in G.nodes(data=True) if d.get("district")}
    assert len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf)) == len(pages) == 1 + len(districts)


@pytest.mark.parametrize("orientation", ["landscape", "portrait"])
@pytest.mark.parametrize("paper", ["A4", "A3"])
@pytest.mark.parametrize("name", ["ego", "path", "gaps"])
def test_marked_prints_keep_labels_readable_and_off_the_legend(G, name, paper, orientation):
    v = build_view(G, name, **VIEWS[name])
    fig = print_figure(v.graph, paper=paper, orientation=orientation, **v.render_kwargs())
    renderer = fig.canvas.get_renderer()
    drawing, legend = fig.axes
    legend_box = legend.get_window_extent(renderer)
    assert not drawing.get_window_extent(renderer).overlaps(legend_box)
    boxes = []
    for t in drawing.texts:
        assert t.get_fontsize() >= 7, t.get_text()
        box = t.get_window_extent(renderer)
        assert not box.overlaps(legend_box), t.get_text()
        assert not any(box.overlaps(b) for b in boxes), t.get_text()
        boxes.append(box)
    for t in legend.texts + fig.texts:
        assert t.get_fontsize() >= 7, t.get_text()
        box = t.get_window_extent(renderer)
        assert fig.bbox.x0 <= box.x0 and box.x1 <= fig.bbox.x1, t.get_text()
        assert fig.bbox.y0 <= box.y0 and box.y1 <= fig.bbox.y1, t.get_text()
    if name == "path":
        assert {"1. sammenbindende", "2. brobyggende", "3. forbindende"} <= {t.get_text()
                                                                      for t in drawing.texts}


def test_prints_in_english(G):
    v = build_view(G, "path", lang="en", **VIEWS["path"])
    text = svg_text(render_print(v.graph, fmt="svg", lang="en", **v.render_kwargs()))
    assert "1. bonding" in text and "The path" in text and "Path through the network" in text


def test_print_marks_tell_apart_in_greyscale(G):
    v = build_view(G, "gaps", unmet_needs=["demo:n4"], isolated=["demo:p10"])
    fig = print_figure(v.graph, **v.render_kwargs())
    outlines = [c for c in fig.axes[0].collections
                if isinstance(c, PathCollection) and len(c.get_facecolors()) == 0]
    dashes = {json.dumps(c.get_linestyles()[0][1], default=float) for c in outlines}
    assert len(outlines) == 2 and len(dashes) == 2  # unmet dashed, isolated dotted


@pytest.mark.parametrize("paper", ["A4", "A3"])
def test_a_long_title_wraps_before_the_print_date(G, paper):
    title = "Ressurskart rundt Aktiv på dagtid – Strandstad – Fjordvik kommune – Holmen og Bakkeli"
    fig = print_figure(G, title=title, subtitle="x", paper=paper, orientation="portrait")
    renderer = fig.canvas.get_renderer()
    boxes = {t.get_text(): t.get_window_extent(renderer) for t in fig.texts}
    date_box = next(b for text, b in boxes.items() if text.startswith("Utskrevet"))
    title_box = next(b for text, b in boxes.items() if text.startswith("Ressurskart"))
    assert not title_box.overlaps(date_box)
    assert sum(1 for text in boxes if text.startswith("Ressurskart")) == 1
