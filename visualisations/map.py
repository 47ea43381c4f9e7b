"""The interactive map: one self-contained HTML page (vis-network, as bundled with pyvis) that
works offline and makes no external request.

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
from collections import Counter
from collections.abc import Iterable
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

import networkx as nx

from graphsvc.taxonomy import load_taxonomy
from visualisations import encoding as enc

PHYSICS_MAX_NODES = 1500  # beyond this vis-network takes minutes to settle: precomputed only
_VIS_JS = "templates/lib/vis-9.1.2/vis-network.min.js"


def render_map(
    G: nx.MultiDiGraph,
    *,
    title: str,
    lang: str = "nb",
    show_names: bool = False,
    highlight: Iterable[Any] | None = None,
) -> str:
    """The graph as one HTML page: legend, search, filters, colour and shape by actor kind,
    dash pattern by tie kind, size by number of ties.

    ``highlight`` holds node ids, ``(u, v)`` pairs or ``(u, v, key)`` ties to emphasise (a
    path, match results); everything else is dimmed. Individuals appear by pseudonym unless
    ``show_names``; see ``encoding.public_node_data`` for what a page may carry.
    """
    enc.check_lang(lang)
    data = map_data(G, lang=lang, show_names=show_names, highlight=highlight)
    return _page(G, title=title, lang=lang, show_names=show_names, data=data)


def map_data(
    G: nx.MultiDiGraph,
    *,
    lang: str = "nb",
    show_names: bool = False,
    highlight: Iterable[Any] | None = None,
) -> dict[str, Any]:
    """The vis-network nodes, edges and options for ``G`` (JSON-ready, publishable only)."""
    n = G.number_of_nodes()
    hi_nodes, hi_edges = enc.highlight_sets(G, highlight)
    dim = bool(hi_nodes or hi_edges)
    ids = {node: i for i, node in enumerate(G)}
    sizes = enc.node_sizes(G, smallest=9, largest=36)
    scale = 45 * max(n, 25) ** 0.5
    pos = enc.layout_positions(G, seed=0)
    nodes = []
    for node in G:
        public = enc.public_node_data(G, node, show_names=show_names, lang=lang)
        kind = public["kind"]
        x, y = pos[node]
        item: dict[str, Any] = {
            "id": ids[node],
            "label": enc.short_label(public["label"], 24),
            "name": public["label"],
            "group": kind if kind in enc.KINDS else "unknown",
            "x": round(x * scale, 1),
            "y": round(-y * scale, 1),
            "value": sizes[node],
            "tip": enc.tooltip_text(public, lang),
            "district": public.get("district", ""),
            "cats": public["categories"],
        }
        if node in hi_nodes:
            item["borderWidth"] = 4
            item["color"] = _colour(enc.kind_colour(kind), border="#000000")
        elif dim:
            item["opacity"] = 0.3
        nodes.append(item)
    edges = []
    parallel: Counter[tuple[int, int]] = Counter()
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
            "dashes": enc.GROUP_DASHES_MAP[group],
            "width": round(0.6 + 2.2 * strength, 2),
            "tip": _edge_tip(tie, d, nodes[a]["name"], nodes[b]["name"], lang),
        }
        if k:  # a second tie between the same pair: bend it so both stay visible
            edge["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.15 * k}
        if (u, v, key) in hi_edges:
            edge["color"] = {"color": "#000000", "opacity": 1}
            edge["width"] = 4
        elif dim:
            edge["color"] = {"opacity": 0.2}
        edges.append(edge)
    return {"nodes": nodes, "edges": edges, "options": _options(n), "physics": _physics(n)}


def _edge_tip(tie: str, d: dict, name_u: str, name_v: str, lang: str) -> str:
    parts = [f"{name_u} → {name_v}", enc.tie_label(tie, lang)]
    if d.get("strength") is not None:
        s = f"{float(d['strength']):.1f}"
        parts.append(f"{enc.text('strength', lang)} {s.replace('.', ',') if lang == 'nb' else s}")
    if d.get("co_creation_level"):
        parts.append(f"{enc.text('level', lang)} {d['co_creation_level']}")
    return "\n".join([parts[0], ", ".join(parts[1:])])


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
    # A pseudonym says nothing from afar: people's labels stay small and show on zooming in.
    groups["individual"]["scaling"] = {"label": {"enabled": True, "min": 8, "max": 11,
                                                 "maxVisible": 14, "drawThreshold": 7}}
    return groups


def _physics(n: int) -> dict[str, Any]:
    if n > PHYSICS_MAX_NODES or n == 0:
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
        "stabilization": {"enabled": True, "iterations": 300 if n <= 500 else 150,
                          "updateInterval": 25, "fit": True},
    }


def _options(n: int) -> dict[str, Any]:
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


@lru_cache(maxsize=1)
def _vis_js() -> str:
    try:
        js = resources.files("pyvis").joinpath(_VIS_JS).read_text("utf-8")
    except (FileNotFoundError, ModuleNotFoundError) as exc:  # pragma: no cover - packaging
        raise RuntimeError(f"vis-network not found in the pyvis package ({_VIS_JS})") from exc
    return js.replace("</script", "<\\/script")


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


def _kind_icon(kind: str) -> str:
    return (f'<svg width="18" height="18" viewBox="0 0 18 18" aria-hidden="true" '
            f'fill="{enc.kind_colour(kind)}" stroke="#333" stroke-width="1">'
            f'{_SHAPE_SVG[enc.kind_shape(kind)]}</svg>')


def _dash_icon(group: str) -> str:
    dashes = enc.GROUP_DASHES_MAP[group]
    dash = f' stroke-dasharray="{" ".join(map(str, dashes))}"' if dashes else ""
    return (f'<svg width="44" height="12" aria-hidden="true"><line x1="1" y1="6" x2="43" y2="6" '
            f'stroke="#555" stroke-width="2"{dash}/></svg>')


def _legend(G: nx.MultiDiGraph, lang: str, show_names: bool, highlighted: bool) -> str:
    e = html.escape
    counts = Counter(str(d.get("kind")) for _, d in G.nodes(data=True))
    rows = [f'<h2>{e(enc.text("legend", lang))}</h2>', f'<h3>{e(enc.text("actors", lang))}</h3>']
    for kind in enc.kinds_present(G):
        rows.append(
            f'<label class="row"><input type="checkbox" class="f-kind" value="{e(kind)}" checked>'
            f'{_kind_icon(kind) if kind in enc.KINDS else ""}'
            f'<span>{e(enc.kind_label(kind, lang))}</span><span class="n">{counts[kind]}</span>'
            "</label>"
        )
    groups = enc.groups_present(G)
    if groups:
        rows.append(f'<h3>{e(enc.text("ties", lang))}</h3>')
    for group in groups:
        rows.append(
            f'<label class="row"><input type="checkbox" class="f-tie" value="{group}" checked>'
            f'{_dash_icon(group)}<span><span>{e(enc.group_label(group, lang))}</span>'
            f'<small>{e(enc.group_members_label(group, lang))}</small></span></label>'
        )
    notes = [enc.text("size", lang)]
    if not show_names:
        notes.append(enc.text("pseudonymised", lang))
    if highlighted:
        label = e(enc.text("highlight", lang))
        rows.append(f'<p class="hl"><span class="ring"></span>{label}</p>')
    rows += [f'<p class="note">{e(x)}</p>' for x in notes]
    return "\n".join(rows)


def _select(id_: str, first: str, options: list[tuple[str, str]]) -> str:
    e = html.escape
    opts = "".join(f'<option value="{e(v)}">{e(label)}</option>' for v, label in options)
    return f'<select id="{id_}"><option value="">{e(first)}</option>{opts}</select>'


def _page(G: nx.MultiDiGraph, *, title: str, lang: str, show_names: bool, data: dict) -> str:
    e = html.escape
    districts = sorted({str(d["district"]) for _, d in G.nodes(data=True) if d.get("district")})
    cats = sorted({c for node in data["nodes"] for c in node["cats"]},
                  key=lambda c: load_taxonomy().name(c, lang))
    highlighted = any("borderWidth" in n for n in data["nodes"])
    summary = " · ".join([
        enc.text("counts", lang).format(n=G.number_of_nodes(), m=G.number_of_edges()),
        enc.text("made", lang).format(date=date.today().strftime("%d.%m.%Y")),
    ])
    payload = {
        "nodes": data["nodes"], "edges": data["edges"], "options": data["options"],
        "physics": data["physics"],
        "text": {k: enc.text(k, lang) for k in ("hits", "no_hits")},
    }
    app = "var GRAPHSVC_DATA = " + _script_json(payload) + ";\n" + _APP_JS
    vis = _vis_js()
    csp = ("default-src 'none'; "
           f"script-src {_sha256(vis)} {_sha256(app)}; "
           "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'")
    tax = load_taxonomy()
    empty = f'<p class="empty">{e(enc.text("empty", lang))}</p>' if not data["nodes"] else ""
    loading = (f'<div id="loading">{e(enc.text("layout", lang))}</div>'
               if data["physics"]["enabled"] else "")
    return f"""<!DOCTYPE html>
<html lang="{'en' if lang == 'en' else 'nb'}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{e(csp)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>{e(title)}</title>
<style>{_CSS}</style>
<script>{vis}</script>
</head>
<body>
<header>
<div class="titles"><h1>{e(title)}</h1><p class="summary">{e(summary)}</p></div>
<form id="search-form" role="search">
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
<aside id="legend">
{_legend(G, lang, show_names, highlighted)}
</aside>
</main>
<script>{app}</script>
</body>
</html>
"""


_CSS = """
*{box-sizing:border-box}
html,body{margin:0;height:100%;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;color:#1a1a1a;background:#fff}
body{display:flex;flex-direction:column}
header{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1.5rem;padding:.6rem 1rem;border-bottom:1px solid #ddd}
h1{font-size:1.3rem;margin:0;overflow-wrap:anywhere}
.summary{margin:.15rem 0 0;color:#555;font-size:.85rem}
form{display:flex;flex-wrap:wrap;gap:.4rem;align-items:center;margin-left:auto}
input[type=search]{width:15rem;padding:.3rem .5rem;font:inherit;font-size:.9rem}
select,button{font:inherit;font-size:.85rem;padding:.3rem .4rem;max-width:14rem}
#search-status{font-size:.85rem;color:#555;min-width:4rem}
main{flex:1;display:flex;min-height:0}
#network{flex:1;position:relative;min-width:0}
#legend{width:17rem;overflow:auto;padding:.5rem .9rem;border-left:1px solid #ddd;font-size:.85rem;background:#fafafa}
#legend h2{font-size:1rem;margin:.2rem 0 .4rem}
#legend h3{font-size:.85rem;margin:.8rem 0 .3rem;text-transform:uppercase;letter-spacing:.04em;color:#444}
.row{display:flex;align-items:center;gap:.45rem;padding:.15rem 0;cursor:pointer}
.row svg{flex:none}
.row span{flex:1}
.row small{display:block;color:#666;font-size:.75rem}
.row .n{flex:none;color:#666;font-variant-numeric:tabular-nums}
.note{color:#555;font-size:.78rem;margin:.6rem 0 0}
.hl{display:flex;align-items:center;gap:.45rem;margin:.6rem 0 0}
.ring{display:inline-block;width:14px;height:14px;border:3px solid #000;border-radius:50%}
#loading,.empty{position:absolute;inset:0;display:flex;align-items:center;justify-content:center;color:#555;font-size:1.1rem;z-index:2;background:rgba(255,255,255,.85)}
div.vis-tooltip{position:absolute;visibility:hidden;padding:6px 8px;background:#fffff4;border:1px solid #777;border-radius:3px;box-shadow:2px 2px 8px rgba(0,0,0,.2);font-size:13px;color:#111;pointer-events:none;z-index:5;max-width:26rem}
div.vis-tooltip .tip{white-space:pre-line;overflow-wrap:anywhere}
@media print{header form,#legend input{display:none}}
"""

# The page's behaviour. Every user string is handled as text: labels are drawn on the canvas,
# tooltips are elements filled with textContent, datalist options get .value.
_APP_JS = r"""
(function () {
  "use strict";
  var D = GRAPHSVC_DATA;
  function tip(s) {
    var el = document.createElement("div");
    el.className = "tip";
    el.textContent = s;
    return el;
  }
  var nodes = new vis.DataSet(D.nodes.map(function (n) {
    var o = Object.assign({}, n); o.title = tip(n.tip); delete o.tip; return o;
  }));
  var edges = new vis.DataSet(D.edges.map(function (e) {
    var o = Object.assign({}, e); o.title = tip(e.tip); delete o.tip; return o;
  }));
  var options = D.options;
  options.physics = D.physics;
  var container = document.getElementById("network");
  var network = new vis.Network(container, {nodes: nodes, edges: edges}, options);
  var state = {network: network, nodes: nodes, edges: edges, ready: false};
  window.graphsvc = state;
  window.network = network;
  function ready() {
    var loading = document.getElementById("loading");
    if (loading) { loading.style.display = "none"; }
    state.ready = true;
  }
  if (D.physics.enabled) {
    network.once("stabilizationIterationsDone", function () {
      network.setOptions({physics: {enabled: false}});
      ready();
    });
  } else {
    network.once("afterDrawing", ready);
    if (!D.nodes.length) { ready(); }
  }

  var names = document.getElementById("names");
  var seen = {};
  D.nodes.forEach(function (n) {
    if (!seen[n.name]) {
      seen[n.name] = true;
      var opt = document.createElement("option");
      opt.value = n.name;
      names.appendChild(opt);
    }
  });
  var status = document.getElementById("search-status");
  document.getElementById("search-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var q = document.getElementById("search").value.trim().toLocaleLowerCase();
    if (!q) { network.unselectAll(); status.textContent = ""; return; }
    var ids = nodes.getIds({filter: function (n) {
      return !n.hidden && n.name.toLocaleLowerCase().indexOf(q) >= 0;
    }});
    if (!ids.length) { network.unselectAll(); status.textContent = D.text.no_hits; return; }
    network.selectNodes(ids);
    if (ids.length === 1) { network.focus(ids[0], {scale: 1.3, animation: {duration: 400}}); }
    else { network.fit({nodes: ids, animation: {duration: 400}}); }
    status.textContent = ids.length + " " + D.text.hits;
  });

  function checked(cls) {
    var on = {};
    document.querySelectorAll("input." + cls).forEach(function (box) { on[box.value] = box.checked; });
    return on;
  }
  function applyFilters() {
    var kinds = checked("f-kind"), ties = checked("f-tie");
    var district = document.getElementById("f-district").value;
    var cat = document.getElementById("f-category").value;
    nodes.update(nodes.get().map(function (n) {
      var show = kinds[n.group] !== false
        && (!district || n.district === district)
        && (!cat || n.cats.indexOf(cat) >= 0);
      return {id: n.id, hidden: !show};
    }));
    edges.update(edges.get().map(function (e) { return {id: e.id, hidden: ties[e.tg] === false}; }));
  }
  document.querySelectorAll("input.f-kind, input.f-tie, #f-district, #f-category").forEach(
    function (el) { el.addEventListener("change", applyFilters); });
})();
"""
