"""What the map and print encode (kinds, ties, languages) and what a published map may carry."""

from __future__ import annotations

import json
import math
import re

import networkx as nx
import pytest

from graphsvc.errors import ValidationError
from graphsvc.model import ACTOR_KINDS, TIE_KINDS
from tests.fixtures.graphs import (
    AGE_BAND,
    BACKGROUND_TEXT,
    CONSENT_TEXT,
    HOSTILE_IMG,
    HOSTILE_SCRIPT,
    NAMED_PERSON,
    NAMED_PERSON_ID,
    sized_community,
    small_community,
)
from visualisations import encoding as enc
from visualisations import render_map

ALL_KINDS = (*ACTOR_KINDS, "initiative")


@pytest.fixture(scope="module")
def G() -> nx.MultiDiGraph:
    return small_community()


@pytest.fixture(scope="module")
def page(G) -> str:
    return render_map(G, title="Ressurskart – Fjordvik")


def page_data(html: str) -> dict:
    """The JSON the page hands to its script."""
    m = re.search(r"var GRAPHSVC_DATA = (\{.*?\});\n", html, re.DOTALL)
    assert m, "no graph data in the page"
    return json.loads(m.group(1))


# ---- encoding ----------------------------------------------------------------------------------


def test_every_kind_has_its_own_shape_marker_and_colour():
    assert set(enc.KINDS) == set(ALL_KINDS)
    for table in (enc.KIND_SHAPE, enc.KIND_MARKER, enc.KIND_COLOUR):
        values = [table[k] for k in ALL_KINDS]
        assert len(set(values)) == len(ALL_KINDS), table


def test_colours_are_okabe_ito():
    assert set(enc.KIND_COLOUR.values()) <= set(enc.OKABE_ITO.values())


def test_every_tie_kind_has_a_group_and_groups_have_distinct_dashes():
    assert set(enc.TIE_GROUP_OF) == set(TIE_KINDS)
    assert len({json.dumps(v) for v in enc.GROUP_DASHES_MAP.values()}) == len(enc.TIE_GROUPS)
    assert len({str(v) for v in enc.GROUP_DASHES_PRINT.values()}) == len(enc.TIE_GROUPS)


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        pytest.param("nb", {"individual": "Enkeltperson", "association": "Lag og forening",
                            "institution": "Institusjon", "frivilligsentral": "Frivilligsentral",
                            "municipality": "Kommune", "business": "Bedrift",
                            "initiative": "Initiativ"}, id="bokmål"),
        pytest.param("en", {"individual": "Individual", "association": "Association",
                            "frivilligsentral": "Volunteer centre",
                            "municipality": "Municipality"}, id="english"),
    ],
)
def test_kind_labels(lang, expected):
    for kind, label in expected.items():
        assert enc.kind_label(kind, lang) == label
    assert len({enc.kind_label(k, lang) for k in ALL_KINDS}) == len(ALL_KINDS)


def test_tie_labels_in_both_languages():
    for lang in ("nb", "en"):
        labels = {enc.tie_label(t, lang) for t in TIE_KINDS}
        assert len(labels) == len(TIE_KINDS) and not labels & set(TIE_KINDS)
    assert enc.tie_label("KNOWS") == "Kjenner" and enc.tie_label("KNOWS", "en") == "Knows"


def test_unknown_language_is_a_clear_error():
    with pytest.raises(ValidationError, match="unsupported language 'se'"):
        enc.kind_label("individual", "se")


def test_size_grows_with_ties(G):
    sizes = enc.node_sizes(G, smallest=5, largest=20)
    by_degree = sorted(G, key=G.degree)
    assert sizes[by_degree[0]] == 5 and sizes[by_degree[-1]] == 20
    assert [sizes[n] for n in by_degree] == sorted(sizes[n] for n in by_degree)


def test_public_data_of_an_individual_is_pseudonymous_and_minimal(G):
    data = enc.public_node_data(G, NAMED_PERSON_ID)
    flat = json.dumps(data, ensure_ascii=False)
    assert data["label"].startswith("Person ")
    for secret in (NAMED_PERSON, "Tveitbakk", NAMED_PERSON_ID, AGE_BAND, BACKGROUND_TEXT,
                   CONSENT_TEXT, "verksted-holmen.xlsx", "har stor bil"):
        assert secret not in flat
    assert not {"age_band", "background", "consent_purpose", "provenance", "lat", "lon",
                "name", "id"} & set(data)
    assert data["label"] == enc.public_node_data(G, NAMED_PERSON_ID)["label"]  # stable


def test_public_data_with_names_shows_the_name_but_nothing_else_personal(G):
    data = enc.public_node_data(G, NAMED_PERSON_ID, show_names=True)
    assert data["label"] == NAMED_PERSON
    flat = json.dumps(data, ensure_ascii=False)
    assert BACKGROUND_TEXT not in flat and CONSENT_TEXT not in flat and AGE_BAND not in flat


def test_public_data_of_an_organisation_keeps_what_planners_need(G):
    data = enc.public_node_data(G, "demo:bibliotek", lang="en")
    assert data["label"] == "Fjordvik bibliotek"
    assert data["kind_label"] == "Institution"
    assert data["offers"] == ["Meeting place: Møterom på kveldstid"]


def test_layout_is_deterministic_and_finite_for_big_graphs():
    H = sized_community(700, seed=3)  # past networkx's dense spring layout
    pos = enc.layout_positions(H, seed=0)
    assert set(pos) == set(H)
    assert all(math.isfinite(x) and math.isfinite(y) for x, y in pos.values())
    assert pos == enc.layout_positions(H, seed=0)
    assert len({(round(x, 6), round(y, 6)) for x, y in pos.values()}) == len(H)


def test_highlight_accepts_nodes_pairs_in_either_direction_and_ties(G):
    nodes, edges = enc.highlight_sets(G, ["demo:vel", ("demo:kommune", "demo:sykehjem"),
                                          ("demo:p02", "demo:sjakk", "MEMBER_OF"), "nope"])
    assert ("demo:sykehjem", "demo:kommune", "PART_OF") in edges
    assert ("demo:p02", "demo:sjakk", "MEMBER_OF") in edges
    assert {"demo:vel", "demo:kommune", "demo:sykehjem", "demo:p02", "demo:sjakk"} == nodes


# ---- what the published map carries -------------------------------------------------------------


def test_map_makes_no_external_request(page):
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", page, re.IGNORECASE)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?(https?:)?//", page)
    assert "bootstrap" not in page.lower() and "tom-select" not in page.lower()
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src &#x27;none&#x27;" in csp and "unsafe-eval" not in csp


def test_map_carries_no_personal_fields(page):
    for secret in (NAMED_PERSON, "Tveitbakk", "Oddvar", "Lindeskar", AGE_BAND, BACKGROUND_TEXT,
                   CONSENT_TEXT, "verksted-holmen", "har stor bil", "demo:p0", "ws:verksted"):
        assert secret not in page, secret


def test_map_with_names_shows_names_but_not_personal_fields(G):
    html = render_map(G, title="x", show_names=True)
    assert NAMED_PERSON in html
    assert BACKGROUND_TEXT not in html and CONSENT_TEXT not in html


def test_map_escapes_user_text(G):
    html = render_map(G, title="<script>alert(1)</script> Fjordvik")
    assert "<script>alert(1)" not in html
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt; Fjordvik</h1>" in html
    assert HOSTILE_IMG not in html and HOSTILE_SCRIPT not in html
    assert "<img" not in html  # the hostile names only ever appear as escaped JSON
    names = {n["name"] for n in page_data(html)["nodes"]}
    assert {HOSTILE_IMG, HOSTILE_SCRIPT} <= names


def test_map_has_legend_in_bokmal_by_default_and_english_on_request(G):
    nb = render_map(G, title="x")
    en = render_map(G, title="x", lang="en")
    for label in ("Tegnforklaring", "Enkeltperson", "Lag og forening", "Frivilligsentral",
                  "Kommune", "Bedrift", "Initiativ", "Medlemskap og deltakelse"):
        assert label in nb
    for label in ("Legend", "Individual", "Volunteer centre", "Membership and participation"):
        assert label in en
    assert "Tegnforklaring" not in en


def test_map_data_matches_graph_and_turns_physics_off_for_big_graphs(G):
    data = page_data(render_map(G, title="x"))
    assert len(data["nodes"]) == G.number_of_nodes()
    assert len(data["edges"]) == G.number_of_edges()
    assert data["physics"]["enabled"] and data["physics"]["stabilization"]["enabled"]
    shapes = data["options"]["groups"]
    assert {shapes[k]["shape"] for k in ALL_KINDS} == set(enc.KIND_SHAPE.values())
    big = sized_community(1600, seed=1)
    assert page_data(render_map(big, title="x"))["physics"] == {"enabled": False}


def test_map_highlight_marks_nodes_and_dims_the_rest(G):
    data = page_data(render_map(G, title="x", highlight=[("demo:vel", "demo:fs-holmen")]))
    marked = [n for n in data["nodes"] if n.get("borderWidth") == 4]
    assert {n["name"] for n in marked} == {"Holmen velforening", "Holmen nærmiljøsentral"}
    assert all(n.get("opacity") == 0.3 for n in data["nodes"] if n not in marked)
    assert sum(1 for e in data["edges"] if e.get("width") == 4) == 1


def test_empty_graph_gives_a_page_that_says_so():
    html = render_map(nx.MultiDiGraph(), title="Tomt")
    assert "Ingen aktører å vise." in html and page_data(html)["nodes"] == []
