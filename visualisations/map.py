"""The interactive map: one self-contained HTML page that works offline and makes no external
request, drawn by vis-network (as bundled with pyvis) up to ``SIGMA_FROM`` nodes and by sigma.js
on WebGL (with graphology, vendored in ``static/vendor``) from there on.

pyvis' own page template pulls Bootstrap from a CDN, prints the heading unescaped and switches
tooltips to ``innerHTML`` when a title contains ``href``; so we take pyvis' bundled vis-network
and write the page ourselves. All user text reaches the page either HTML-escaped or as JSON
inside a script, and the browser only ever turns it into text (canvas labels, ``textContent``
tooltips). A Content-Security-Policy allows just this page's own scripts, by hash, and no
network access at all.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import math
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from datetime import date
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import networkx as nx

from graphsvc.taxonomy import load_taxonomy
from visualisations import encoding as enc
from visualisations.aggregate import (
    AGGREGATE_FROM,
    cluster_positions,
    clusters,
    district_islands,
    district_layouts,
    district_of,
    wants_islands,
)
from visualisations.layout import ring_layout

PHYSICS_MAX_NODES = 1500  # beyond this vis-network takes minutes to settle: precomputed only
# From here on sigma.js draws the map (benchmarks/bench_maps.py, docs/maps.md "Scale"): up to
# 1 500 nodes a search on the vis-network page answers within 0.1 s, at 2 000 it takes 0.24 s,
# at 3 000 0.6 s and at 4 000 1.1 s (sigma: 0.03 s at every size). Below, vis-network keeps
# what it draws better: shapes per kind, dashed ties, a layout settled in the browser.
SIGMA_FROM = 2000
_VIS_JS = "templates/lib/vis-9.1.2/vis-network.min.js"
_SIGMA_JS = ("vendor/graphology.umd.min.js", "vendor/sigma.min.js")
# On a sigma map ties are thin lines, too many for dash patterns: their group is a colour.
SIGMA_TIE_COLOUR = {"membership": "#9a9a9a", "work": "#c8a47e", "acquaintance": "#b2cca3",
                    "cooperation": "#c9a0c0"}


def render_map(
    G: nx.MultiDiGraph,
    *,
    title: str,
    subtitle: str | None = None,
    lang: str = "nb",
    show_names: bool = False,
    highlight: Iterable[Any] | None = None,
    marks: Mapping[Hashable, str] | None = None,
    hop_labels: Mapping[tuple[Hashable, Hashable], str] | None = None,
    focus: Hashable | None = None,
    aggregate: bool | None = None,
    lacks: bool | None = None,
    renderer: str | None = None,
) -> str:
    """The graph as one HTML page: legend, search, filters, a details panel, colour and shape
    by actor kind, dash pattern by tie kind, size by number of ties.

    ``highlight`` holds node ids, ``(u, v)`` pairs or ``(u, v, key)`` ties to emphasise (a
    path, match results); everything else is dimmed. ``marks`` tags nodes as ``focus``,
    ``path``, ``unmet`` or ``isolated`` (each with its own outline); ``hop_labels`` labels the
    steps of a path (``bonding``, ``bridging``, ``linking``); with a ``focus`` the map is laid
    out in ABCD rings around it. ``aggregate`` (default: from ``AGGREGATE_FROM`` nodes) shows
    clusters by district and kind that open into their actors. Individuals appear by pseudonym
    unless ``show_names``; see ``encoding.public_node_data`` for what a page may carry.
    ``lacks`` (default: on an overview, with nothing highlighted) adds "what the map still
    lacks" to the side panel: per district what is missing, and whom to invite next
    (:func:`graphsvc.analysis.coverage`).

    ``renderer`` is ``"vis"`` (vis-network) or ``"sigma"`` (sigma.js on WebGL); by default
    sigma from ``SIGMA_FROM`` nodes, unless ``aggregate`` asks for the cluster overview (which
    vis-network draws). A sigma map shows the whole graph at once, so it is never aggregated.
    """
    enc.check_lang(lang)
    n = G.number_of_nodes()
    if renderer is None:
        renderer = "sigma" if n >= SIGMA_FROM and not aggregate else "vis"
    if renderer not in ("vis", "sigma"):
        raise ValueError(f"unknown map renderer {renderer!r} (vis or sigma)")
    if renderer == "sigma":
        aggregate = False
    elif aggregate is None:
        aggregate = n >= AGGREGATE_FROM and focus is None
    data = map_data(G, lang=lang, show_names=show_names, highlight=highlight, marks=marks,
                    hop_labels=hop_labels, focus=focus, aggregate=aggregate)
    if lacks is None:
        lacks = not (highlight or marks or hop_labels or focus is not None)
    return _page(G, title=title, subtitle=subtitle, lang=lang, show_names=show_names, data=data,
                 lacks=_lacks(G, lang) if lacks and G.number_of_nodes() else "",
                 renderer=renderer)


def _lacks(G: nx.MultiDiGraph, lang: str, most: int = 6) -> str:
    """The side panel's "what the map still lacks": the counts, the districts' gaps, whom to
    invite (the first five)."""
    from graphsvc.analysis import coverage

    e = html.escape
    out = coverage(G, limit=5, lang=lang)
    rows = [f'<section id="lacks"><h3>{e(enc.text("lacks", lang))}</h3>',
            f'<p class="note">{e(out["explanation"][0])}</p>']
    gaps = [d for d in out["districts"] if d["missing"]]
    if gaps:
        rows.append('<ul class="lacks">' + "".join(
            f'<li><b>{e(d["name"])}</b>: '
            f'{e(", ".join(m["explanation"] for m in d["missing"]))}</li>'
            for d in gaps[:most]) + "</ul>")
        if len(gaps) > most:
            rows.append(f'<p class="note">{e(enc.text("lacks_more", lang, n=len(gaps) - most))}'
                        "</p>")
    if out["invite"]:
        rows.append(f'<h3>{e(enc.text("lacks_invite", lang))}</h3><ol class="invite">' + "".join(
            f'<li><b>{e(i["name"])}</b>: {e(i["reason"])}</li>' for i in out["invite"])
            + "</ol>")
    return "\n".join(rows) + "</section>"


def map_data(
    G: nx.MultiDiGraph,
    *,
    lang: str = "nb",
    show_names: bool = False,
    highlight: Iterable[Any] | None = None,
    marks: Mapping[Hashable, str] | None = None,
    hop_labels: Mapping[tuple[Hashable, Hashable], str] | None = None,
    focus: Hashable | None = None,
    aggregate: bool = False,
) -> dict[str, Any]:
    """The vis-network nodes, edges and options for ``G`` (JSON-ready, publishable only)."""
    n = G.number_of_nodes()
    marks = {k: v for k, v in (marks or {}).items() if k in G}
    hi_nodes, hi_edges = enc.highlight_sets(G, highlight)
    hi_nodes |= {k for k, v in marks.items() if v == "path"}
    dim = bool(hi_nodes or hi_edges or any(v != "focus" for v in marks.values()))
    ids = {node: i for i, node in enumerate(G)}
    sizes = enc.node_sizes(G, smallest=9, largest=36)
    rings: list[dict[str, Any]] = []
    islands: list[dict[str, Any]] = []
    if focus is not None and focus in G:
        unit, guides = ring_layout(G.to_undirected(as_view=True), focus)
        scale = 1000.0 if n > 60 else 600.0
        rings = [{"r": round(r * scale, 1), "label": enc.text(f"ring_{ring}", lang)}
                 for ring, r in guides]
        pos = unit
    elif aggregate:
        pos = district_layouts(G)
    elif wants_islands(G):
        pos, islands = district_islands(G, enc.text("no_district", lang))
    else:
        pos = enc.layout_positions(G, seed=0)
    per_district = Counter(district_of(G, n) for n in G) if aggregate else None
    nodes = []
    for node in G:
        public = enc.public_node_data(G, node, show_names=show_names, lang=lang)
        kind = public["kind"]
        x, y = pos[node]
        if focus is None:
            size = per_district[district_of(G, node)] if per_district else n
            scale = 45 * max(size, 25) ** 0.5
            if islands:  # in pixels, y down already
                scale, y = 1.0, -y
        item: dict[str, Any] = {
            "id": ids[node],
            "label": enc.short_label(public["label"], 24),
            "name": public["label"],
            "group": kind if kind in enc.KINDS else "unknown",
            "x": round(x * scale, 1),
            "y": round(-y * scale, 1),
            "value": sizes[node],
            "district": public.get("district", ""),
            "cats": public["categories"],
            "kl": public["kind_label"],
        }
        for key, short in (("offers", "of"), ("needs", "ne")):
            if public[key]:
                item[short] = public[key]
        if public.get("description"):
            item["desc"] = public["description"]
        if rings and kind != "individual":  # an ego map is read by its organisations' names
            item["value"] = max(item["value"], max(sizes.values()) * 0.55)
        mark = marks.get(node)
        if mark:
            item["mk"] = mark
            item["borderWidth"] = 5 if mark == "focus" else 4
            item["color"] = _colour(enc.kind_colour(kind), border="#000000")
            if enc.MARK_DASHES_MAP.get(mark):
                item["shapeProperties"] = {"borderDashes": enc.MARK_DASHES_MAP[mark]}
            top = max(sizes.values())
            item["value"] = top * 1.3 if mark == "focus" else max(item["value"], top * 0.6)
        elif node in hi_nodes:
            item["borderWidth"] = 4
            item["color"] = _colour(enc.kind_colour(kind), border="#000000")
        elif dim:
            item["opacity"] = 0.3
        nodes.append(item)
    edges = []
    parallel: Counter[tuple[int, int]] = Counter()
    hops = {}
    for i, ((u, v), hop) in enumerate((hop_labels or {}).items()):
        hops[(u, v)] = hops[(v, u)] = f"{i + 1}. {enc.hop_label(hop, lang)}"
    for u, v, key, d in G.edges(keys=True, data=True):
        a, b = ids[u], ids[v]
        pair = (min(a, b), max(a, b))
        k = parallel[pair]
        parallel[pair] += 1
        tie = str(d.get("kind", key))
        group = enc.tie_group(tie)
        strength = float(d.get("strength") or 0.5)
        edge: dict[str, Any] = {
            "id": len(edges),
            "from": a,
            "to": b,
            "tg": group,
            "tl": enc.tie_label(tie, lang),
            "dashes": enc.GROUP_DASHES_MAP[group],
            "width": round(0.6 + 2.2 * strength, 2),
        }
        if d.get("strength") is not None:
            s = f"{float(d['strength']):.1f}"
            edge["st"] = s.replace(".", ",") if lang == "nb" else s
        if d.get("co_creation_level"):
            edge["lv"] = int(d["co_creation_level"])
        if k:  # a second tie between the same pair: bend it so both stay visible
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15 * k}
        if (u, v, key) in hi_edges:
            edge["color"] = {"color": "#000000", "opacity": 1}
            edge["width"] = 4
            if (u, v) in hops and not k:
                edge["label"] = hops[(u, v)]
                edge["font"] = {"size": 16, "strokeWidth": 5, "strokeColor": "#ffffff",
                                "face": "system-ui, sans-serif", "color": "#000000"}
        elif dim:
            edge["color"] = {"opacity": 0.2}
        edges.append(edge)
    data: dict[str, Any] = {"nodes": nodes, "edges": edges, "options": _options(n, aggregate),
                            "physics": _physics(n, focus is not None or aggregate
                                                or bool(islands)),
                            "rings": rings, "islands": islands,
                            "hops": [hops[k] for k in (hop_labels or {})]}
    if aggregate:
        data["clusters"] = _cluster_data(G, ids, lang)
    return data


def _cluster_data(G: nx.MultiDiGraph, ids: dict, lang: str) -> dict[str, Any]:
    """The overview: one node per (district, kind), the district named in their middle;
    ties between a district's own clusters, and between districts only each district's
    strongest few links (all of them make a grey hairball at this scale)."""
    sizes, ties = clusters(G)
    pos = cluster_positions(G, sizes, ties)
    index = {c: f"c{i}" for i, c in enumerate(sorted(sizes))}
    scale = 60 * max(len(sizes), 25) ** 0.5
    top = max(sizes.values(), default=1)
    totals: Counter[str] = Counter()
    for (district, _kind), count in sizes.items():
        totals[district] += count
    head = {d: max((c for c in sizes if c[0] == d), key=lambda c: (sizes[c], c[1]))
            for d in totals}
    nodes: list[dict[str, Any]] = []
    places = []
    # Each district's name sits under its clusters (drawn after them, so on top), at a fixed
    # size: about 11 px with the whole overview in view.
    font = {"size": round(scale * 0.03), "strokeWidth": 6, "strokeColor": "#ffffff",
            "face": "system-ui, sans-serif", "color": "#111111"}
    for i, district in enumerate(sorted(totals)):
        place = district or enc.text("whole_kommune", lang)
        mine = [pos[c] for c in sizes if c[0] == district]
        x, y = sum(p[0] for p in mine) / len(mine), sum(p[1] for p in mine) / len(mine)
        y -= max(math.dist((x, y), p) for p in mine) * 1.2 + 0.004
        places.append({"id": f"d{i}", "label": f"{place} ({totals[district]})", "name": place,
                      "group": "place", "cd": district, "district": district, "cats": [],
                      "x": round(x * scale, 1), "y": round(-y * scale, 1), "value": 36,
                      "font": font, "scaling": {"label": {"enabled": False}},
                      "tip": f"{place}: {enc.text('members', lang, n=totals[district])}"})
    for (district, kind), count in sorted(sizes.items()):
        place = district or enc.text("whole_kommune", lang)
        x, y = pos[(district, kind)]
        nodes.append({
            "id": index[(district, kind)],
            "label": "",
            "name": place, "group": kind if kind in enc.KINDS else "unknown", "cd": district,
            "district": district, "cats": [], "x": round(x * scale, 1),
            "y": round(-y * scale, 1), "value": round(9 + 27 * (count / top) ** 0.5, 2),
            "tip": f"{place}\n{enc.kind_label(kind, lang)}: {enc.text('members', lang, n=count)}",
        })
    nodes += places
    between: Counter[tuple[str, str]] = Counter()
    inside = []
    for (a, b), count in ties.items():
        if a[0] == b[0]:
            inside.append((index[a], index[b], count))
        else:
            between[(min(a[0], b[0]), max(a[0], b[0]))] += count
    strongest: set[tuple[str, str]] = set()
    for d in totals:
        mine = sorted((pair for pair in between if d in pair), key=lambda p: -between[p])
        strongest.update(mine[:3])
    links = inside + [(index[head[a]], index[head[b]], between[(a, b)])
                      for a, b in sorted(strongest)]
    most = max((c for *_, c in links), default=1)
    edges = [
        {"id": f"ce{i}", "from": a, "to": b, "tg": "cluster",
         "width": round(0.5 + 4 * (count / most) ** 0.5, 2), "arrows": {"to": {"enabled": False}},
         "color": {"color": "#9a9a9a", "opacity": 0.6},
         "tip": enc.text("ties_count", lang, n=count)}
        for i, (a, b, count) in enumerate(links)
    ]
    return {"nodes": nodes, "edges": edges}


def sigma_data(data: dict[str, Any]) -> dict[str, Any]:
    """``map_data``'s nodes and edges once more, compactly, for the sigma page: columns instead
    of one object per node, repeated texts (kinds, districts, categories, offers) once in a
    table and referred to by number, ties grouped by their first actor.

    Only what ``map_data`` published goes in (it took it from ``encoding.public_node_data``).
    Positions are ``map_data``'s precomputed layout with y pointing up, as sigma has it.
    """
    kinds = [*enc.KINDS, "unknown"]
    kind_index = {k: i for i, k in enumerate(kinds)}
    words: dict[str, int] = {}

    def word(s: str) -> int:
        return words.setdefault(s, len(words))

    nodes = data["nodes"]
    kind_labels: dict[str, str] = {}
    xy: list[float] = []
    cols: dict[str, list[Any]] = {"sz": [], "kd": [], "nm": [], "di": [], "ct": []}
    sparse: dict[str, dict[int, Any]] = {"lb": {}, "of": {}, "ne": {}, "ds": {}, "mk": {}}
    hi = []
    for i, node in enumerate(nodes):
        xy += [node["x"], -node["y"]]
        cols["sz"].append(round(node["value"], 1))
        cols["kd"].append(kind_index[node["group"]])
        kind_labels.setdefault(node["group"], node["kl"])
        cols["nm"].append(node["name"])
        cols["di"].append(word(node["district"]) if node["district"] else -1)
        cols["ct"].append([word(c) for c in node["cats"]])
        if node["label"] != node["name"]:
            sparse["lb"][i] = node["label"]
        for key in ("of", "ne"):
            if node.get(key):
                sparse[key][i] = [word(x) for x in node[key]]
        if node.get("desc"):
            sparse["ds"][i] = node["desc"]
        if node.get("mk"):
            sparse["mk"][i] = node["mk"]
        elif "borderWidth" in node:
            hi.append(i)
    ties: dict[tuple[str, str], int] = {}
    by_source: list[list[tuple[int, int, bool, str]]] = [[] for _ in nodes]
    for edge in data["edges"]:
        t = ties.setdefault((edge["tg"], edge["tl"]), len(ties))
        emphasised = edge.get("color", {}).get("color") == "#000000"  # on the path
        by_source[edge["from"]].append((edge["to"], t, emphasised, edge.get("label", "")))
    base = max(len(ties), 1)  # each tie is one number: its other actor and its kind
    out_degree, targets, hi_edges, hops = [], [], [], {}
    for outgoing in by_source:
        out_degree.append(len(outgoing))
        for to, t, emphasised, label in outgoing:
            if emphasised:
                hi_edges.append(len(targets))
            if label:
                hops[len(targets)] = label
            targets.append(to * base + t)
    return {
        "renderer": "sigma",
        "kinds": [[k, enc.kind_colour(k) if k in enc.KINDS else enc.UNKNOWN_COLOUR,
                   kind_labels.get(k, "")] for k in kinds],
        "ties": [[group, label, SIGMA_TIE_COLOUR.get(group, "#8c8c8c")]
                 for (group, label) in ties],
        "words": list(words),
        "xy": xy, **cols, **{k: v for k, v in sparse.items() if v},
        "hi": hi, "dim": any("opacity" in n for n in nodes),
        "deg": out_degree, "to": targets, "tb": base, "ehi": hi_edges, "hop": hops,
        "islands": [{**d, "y": -d["y"]} for d in data["islands"]],
    }


def _colour(fill: str, border: str = "#333333") -> dict[str, Any]:
    """A vis-network colour that keeps the kind's fill when selected or hovered (a node's own
    ``color`` replaces its group's whole colour, not just the parts it names)."""
    return {
        "background": fill,
        "border": border,
        "highlight": {"background": fill, "border": "#000000"},
        "hover": {"background": fill, "border": "#000000"},
    }


def _groups() -> dict[str, Any]:
    groups: dict[str, Any] = {
        kind: {"shape": enc.kind_shape(kind), "color": _colour(enc.kind_colour(kind))}
        for kind in (*enc.KINDS, "unknown")
    }
    groups["place"] = {"shape": "text"}  # a district's name in the clustered overview
    # A pseudonym says nothing from afar: people's labels stay small and show on zooming in.
    groups["individual"]["scaling"] = {"label": {"enabled": True, "min": 8, "max": 11,
                                                 "maxVisible": 14, "drawThreshold": 7}}
    return groups


def _physics(n: int, fixed: bool = False) -> dict[str, Any]:
    if n > PHYSICS_MAX_NODES or n == 0 or fixed:
        return {"enabled": False}
    return {
        "enabled": True,
        "solver": "barnesHut",
        "barnesHut": {
            "gravitationalConstant": -6000,
            "centralGravity": 0.12,
            "springLength": 150,
            "springConstant": 0.025,
            "damping": 0.5,
            "avoidOverlap": 0.5,
        },
        "minVelocity": 1.0,
        "stabilization": {"enabled": True, "iterations": 300 if n <= 500 else 100,
                          "updateInterval": 25, "fit": True},
    }


def _options(n: int, aggregate: bool = False) -> dict[str, Any]:
    if aggregate:  # one district at a time is on screen
        n = 200
    return {
        "groups": _groups(),
        "nodes": {
            "borderWidth": 1,
            # Labels grow with the number of ties: the best connected stay readable with the
            # whole map in view, the rest appear on zooming in; none grows past 20px on screen.
            "scaling": {"min": 9, "max": 36, "label": {
                "enabled": True, "min": 8, "max": 22 if n <= 60 else 48,
                "maxVisible": 20, "drawThreshold": 7}},
            "font": {"face": "system-ui, sans-serif", "color": "#111111", "strokeWidth": 3,
                     "strokeColor": "#ffffff"},
        },
        "edges": {
            "color": {"color": "#8c8c8c", "highlight": "#000000", "hover": "#333333",
                      "opacity": 0.8},
            "smooth": False,
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
            "selectionWidth": 1.5,
        },
        "interaction": {
            "hover": n <= PHYSICS_MAX_NODES,
            "tooltipDelay": 150,
            "hideEdgesOnDrag": n > 800,
            "hideEdgesOnZoom": n > PHYSICS_MAX_NODES,
            "keyboard": False,
            "multiselect": True,
        },
        "layout": {"improvedLayout": False},
    }


# ---- the page ----------------------------------------------------------------------------------


@cache
def _static(name: str) -> str:
    """The page's own script (``map.js``: behaviour; every user string is handled as text) and
    style sheet (``map.css``), shipped as package data."""
    return resources.files("visualisations").joinpath("static", name).read_text("utf-8")


@lru_cache(maxsize=1)
def _vis_js() -> str:
    try:
        js = resources.files("pyvis").joinpath(_VIS_JS).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:  # pragma: no cover - packaging
        raise RuntimeError(f"vis-network not found in the pyvis package ({_VIS_JS})") from exc
    return js.replace("</script", "<\\/script")


@lru_cache(maxsize=1)
def _sigma_js() -> tuple[str, ...]:
    """graphology and sigma.js as vendored (``static/vendor``: their versions and hashes are in
    ``vendor.json``, checked by the tests against ``package-lock.json``)."""
    return tuple(_static(name).replace("</script", "<\\/script") for name in _SIGMA_JS)


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no way to close it or open a comment)."""
    s = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for ch, esc in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                    ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        s = s.replace(ch, esc)
    return s


def _sha256(script: str) -> str:
    """The CSP source that allows exactly this inline script."""
    digest = hashlib.sha256(script.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode()}'"


_SHAPE_SVG = {
    "dot": '<circle cx="9" cy="9" r="6.5"/>',
    "triangle": '<polygon points="9,1.5 16.5,15.5 1.5,15.5"/>',
    "square": '<rect x="2.5" y="2.5" width="13" height="13"/>',
    "star": ('<polygon points="9,1 11.1,6.6 17,6.8 12.4,10.5 14,16.3 9,13 4,16.3 5.6,10.5 '
             '1,6.8 6.9,6.6"/>'),
    "hexagon": '<polygon points="9,1.5 15.5,5.2 15.5,12.8 9,16.5 2.5,12.8 2.5,5.2"/>',
    "triangleDown": '<polygon points="1.5,2.5 16.5,2.5 9,16.5"/>',
    "diamond": '<polygon points="9,1 17,9 9,17 1,9"/>',
}


def _kind_icon(kind: str, sigma: bool = False) -> str:
    shape = "dot" if sigma else enc.kind_shape(kind)  # sigma draws every actor as a disc
    return (f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" '
            f'fill="{enc.kind_colour(kind)}" stroke="#333" stroke-width="1">'
            f'{_SHAPE_SVG[shape]}</svg>')


def _dash_icon(group: str, sigma: bool = False) -> str:
    if sigma:
        return (f'<svg width="44" height="12" aria-hidden="true"><line x1="1" y1="6" x2="43" '
                f'y2="6" stroke="{SIGMA_TIE_COLOUR.get(group, "#8c8c8c")}" stroke-width="3"/>'
                "</svg>")
    dashes = enc.GROUP_DASHES_MAP[group]
    dash = f' stroke-dasharray="{" ".join(map(str, dashes))}"' if dashes else ""
    return (f'<svg width="44" height="12" aria-hidden="true"><line x1="1" y1="6" x2="43" y2="6" '
            f'stroke="#555" stroke-width="2"{dash}/></svg>')


def _mark_icon(mark: str) -> str:
    dashes = enc.MARK_DASHES_MAP[mark]
    dash = f' stroke-dasharray="{" ".join(str(x / 2) for x in dashes)}"' if dashes else ""
    width = 3.5 if mark == "focus" else 2.5
    return (f'<svg width="18" height="18" aria-hidden="true"><circle cx="9" cy="9" r="6.5" '
            f'fill="#fff" stroke="#000" stroke-width="{width}"{dash}/></svg>')


def _legend(G: nx.MultiDiGraph, lang: str, show_names: bool, data: dict,
            sigma: bool = False) -> str:
    e = html.escape
    counts = Counter(str(d.get("kind")) for _, d in G.nodes(data=True))
    rows = [f'<h2>{e(enc.text("legend", lang))}</h2>', f'<h3>{e(enc.text("actors", lang))}</h3>']
    for kind in enc.kinds_present(G):
        rows.append(
            f'<label class="row"><input type="checkbox" class="f-kind" value="{e(kind)}" checked>'
            f'{_kind_icon(kind, sigma) if kind in enc.KINDS else ""}'
            f'<span>{e(enc.kind_label(kind, lang))}</span><span class="n">{counts[kind]}</span>'
            "</label>"
        )
    groups = enc.groups_present(G)
    if groups:
        rows.append(f'<h3>{e(enc.text("ties", lang))}</h3>')
    for group in groups:
        rows.append(
            f'<label class="row"><input type="checkbox" class="f-tie" value="{group}" checked>'
            f'{_dash_icon(group, sigma)}<span><span>{e(enc.group_label(group, lang))}</span>'
            f'<small>{e(enc.group_members_label(group, lang))}</small></span></label>'
        )
    present = {n["mk"] for n in data["nodes"] if n.get("mk")}
    plain = any("borderWidth" in n and not n.get("mk") for n in data["nodes"])
    if present or plain:
        rows.append(f'<h3>{e(enc.text("marks", lang))}</h3>')
    for mark in enc.MARKS:
        if mark in present:
            count = sum(1 for n in data["nodes"] if n.get("mk") == mark)
            rows.append(f'<p class="row mark">{_mark_icon(mark)}'
                        f'<span>{e(enc.text("mark_" + mark, lang))}</span>'
                        f'<span class="n">{count}</span></p>')
    if plain:
        rows.append(f'<p class="row mark">{_mark_icon("path")}'
                    f'<span>{e(enc.text("highlight", lang))}</span></p>')
    if data["hops"]:
        rows.append(f'<h3>{e(enc.text("hops", lang))}</h3><ol class="hops">'
                    + "".join(f"<li>{e(h.split('. ', 1)[1])}</li>" for h in data["hops"])
                    + "</ol>")
    notes = [enc.text("size", lang)]
    if data["rings"]:
        notes.insert(0, " · ".join(r["label"] for r in data["rings"]))
    if data.get("clusters"):
        notes.insert(0, enc.text("clusters", lang))
    if not show_names:
        notes.append(enc.text("pseudonymised", lang))
    rows += [f'<p class="note">{e(x)}</p>' for x in notes]
    return "\n".join(rows)


def _select(id_: str, first: str, options: list[tuple[str, str]]) -> str:
    e = html.escape
    opts = "".join(f'<option value="{e(v)}">{e(label)}</option>' for v, label in options)
    return f'<select id="{id_}"><option value="">{e(first)}</option>{opts}</select>'


def _page(
    G: nx.MultiDiGraph, *, title: str, subtitle: str | None, lang: str, show_names: bool,
    data: dict, lacks: str = "", renderer: str = "vis",
) -> str:
    e = html.escape
    districts = sorted({str(d["district"]) for _, d in G.nodes(data=True) if d.get("district")})
    cats = sorted({c for node in data["nodes"] for c in node["cats"]},
                  key=lambda c: load_taxonomy().name(c, lang))
    summary = " · ".join([
        enc.text("counts", lang, n=G.number_of_nodes(), m=G.number_of_edges()),
        enc.text("made", lang, date=date.today().strftime("%d.%m.%Y")),
    ])
    words = ("hits", "no_hits", "offers", "needs", "neighbours", "more", "strength", "level")
    sigma = renderer == "sigma"
    if sigma:
        payload = {**sigma_data(data), "text": {k: enc.text(k, lang) for k in words}}
        app = ("var GRAPHSVC_DATA = " + _script_json(payload) + ";\n"
               + _static("map-sigma.js"))
        libs = _sigma_js()
    else:
        payload = {
            "nodes": data["nodes"], "edges": data["edges"], "options": data["options"],
            "physics": data["physics"], "rings": data["rings"], "islands": data["islands"],
            "text": {k: enc.text(k, lang) for k in words},
        }
        if data.get("clusters"):
            payload["clusters"] = data["clusters"]
        app = "var GRAPHSVC_DATA = " + _script_json(payload) + ";\n" + _static("map.js")
        libs = (_vis_js(),)
    csp = ("default-src 'none'; "
           f"script-src {' '.join(_sha256(x) for x in (*libs, app))}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    tax = load_taxonomy()
    empty = f'<p class="empty">{e(enc.text("empty", lang))}</p>' if not data["nodes"] else ""
    loading = (f'<div id="loading">{e(enc.text("layout", lang))}</div>'
               if data["physics"]["enabled"] and not sigma else "")
    sub = f'<p class="subtitle">{e(subtitle)}</p>' if subtitle else ""
    back = (f'<button type="button" id="overview" hidden>{e(enc.text("overview", lang))}</button>'
            if data.get("clusters") else "")
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'nb'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{e(title)}</title>
<style>{_static("map.css")}</style>
{"".join(f"<script>{x}</script>" for x in libs)}
</head>
<body data-renderer="{renderer}">
<header>
<div class="titles"><h1>{e(title)}</h1>{sub}<p class="summary">{e(summary)}</p></div>
<form id="search-form" role="search">
{back}
<input id="search" type="search" list="names" autocomplete="off"
 placeholder="{e(enc.text('search', lang))}">
<datalist id="names"></datalist>
<button type="submit">{e(enc.text('search_button', lang))}</button>
<span id="search-status" aria-live="polite"></span>
{_select("f-district", enc.text("all_districts", lang), [(d, d) for d in districts])}
{_select("f-category", enc.text("all_categories", lang), [(c, tax.name(c, lang)) for c in cats])}
</form>
</header>
<main>
<div id="network">{loading}{empty}</div>
<section id="details" hidden aria-live="polite">
<button type="button" id="details-close" aria-label="{e(enc.text('close', lang))}">×</button>
<div id="details-body"></div>
</section>
<aside id="legend">
{lacks}
{_legend(G, lang, show_names, data, sigma)}
</aside>
</main>
<script>{app}</script>
</body>
</html>
"""
