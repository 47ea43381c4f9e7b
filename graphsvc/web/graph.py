"""What the workbench's map draws (``GET /workbench/graph.json``): every actor and initiative
with its place, kind and size, every tie, the legend and the choices the panels offer.

Compact and publishable only: rows instead of objects (a 10 000-actor community stays a few MB),
built from the interactive map's own encoding (``visualisations.map.map_data``: the same
positions, colours, shapes, sizes and dash patterns, and ``public_node_data``'s allow-list of
fields), so the workbench and ``/maps/network.html`` draw a community alike. Ids are the API's
ids (people's are keyed hashes, never names), so a panel can pass what an answer names straight
to the map.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx

from graphsvc.i18n import tie_name
from graphsvc.taxonomy import load_taxonomy
from visualisations import encoding as enc
from visualisations.map import _groups, map_data

NODE_COLUMNS = ("id", "label", "name", "kind", "district", "size", "x", "y", "categories",
                "offers", "needs")
EDGE_COLUMNS = ("from", "to", "tie", "group", "width")


def workbench_graph(G: nx.MultiDiGraph, *, lang: str = "nb", show_names: bool = False
                    ) -> dict[str, Any]:
    """The map's data for the workbench: ``nodes`` and ``edges`` as rows (``*_columns`` name
    their fields; an edge's ends are indexes into ``nodes``), vis-network's ``groups``, the
    ``legend``, the panels' ``choices`` and the tie kinds' words (``tie_labels``: the relation,
    ``tie_names``: the noun).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("demo:fs", node_type="actor", kind="frivilligsentral",
    ...            name="Holmen frivilligsentral", district="Holmen")
    >>> G.add_node("demo:p1", node_type="actor", kind="individual", name="Kari Nordvik",
    ...            district="Holmen")
    >>> G.add_edge("demo:p1", "demo:fs", key="VOLUNTEERS_AT", kind="VOLUNTEERS_AT")
    'VOLUNTEERS_AT'
    >>> g = workbench_graph(G, lang="en")
    >>> [row[:4] for row in g["nodes"]]
    [['demo:fs', 'Holmen frivilligsentral', 'Holmen frivilligsentral', 'frivilligsentral'],
     ['demo:p1', 'Person ...', 'Person ...', 'individual']]
    >>> g["edges"][0][:4], g["tie_labels"]
    ([1, 0, 'VOLUNTEERS_AT', 'work'], {'VOLUNTEERS_AT': 'Volunteers at'})
    >>> g["choices"]["districts"], g["choices"]["kinds"]
    ([['Holmen', 'Holmen']], [['individual', 'Individual'], ['frivilligsentral', 'Volunteer centre']])
    """
    drawn = map_data(G, lang=lang, show_names=show_names)
    order = list(G)  # map_data numbers the nodes in the graph's order
    tax = load_taxonomy()
    nodes = []
    for node, item in zip(order, drawn["nodes"], strict=True):
        nodes.append([
            str(node), item["label"], item["name"], G.nodes[node].get("kind") or "unknown",
            item["district"] or "", item["value"], item["x"], item["y"], item["cats"],
            item.get("of", []), item.get("ne", []),
        ])
    # map_data draws one edge per tie, in G.edges' order
    edges = [[e["from"], e["to"], str(d.get("kind", key)), e["tg"], e["width"]]
             for e, (_u, _v, key, d) in zip(drawn["edges"], G.edges(keys=True, data=True),
                                            strict=True)]
    kinds = Counter(row[3] for row in nodes)
    ties = sorted({row[2] for row in edges})
    districts = sorted({row[4] for row in nodes if row[4]}, key=str.casefold)
    categories = sorted({c for row in nodes for c in row[8] if c in tax},
                        key=lambda c: tax.name(c, lang).casefold())
    kommune = next((row[2] for row in nodes if row[3] == "municipality"), "")
    return {
        "kommune": kommune,
        "revision": G.graph.get("revision"),  # the store's: the page keeps a layout per revision
        "names": show_names,
        "node_columns": list(NODE_COLUMNS),
        "edge_columns": list(EDGE_COLUMNS),
        "nodes": nodes,
        "edges": edges,
        "groups": _groups(),
        # As the map does: a force layout settles in the browser up to 1 500 nodes (then
        # stops), larger graphs and district islands are drawn where they were placed.
        "physics": drawn["physics"],
        "legend": {
            "kinds": [[k, enc.kind_label(k, lang), enc.kind_colour(k), enc.kind_shape(k),
                       kinds[k]] for k in enc.kinds_present(G) if k in enc.KINDS],
            "ties": [[g, enc.group_label(g, lang), enc.group_members_label(g, lang),
                      enc.GROUP_DASHES_MAP[g]] for g in enc.groups_present(G)],
        },
        "tie_labels": {t: enc.tie_label(t, lang) for t in ties},
        "tie_names": {t: tie_name(t, lang) for t in ties},
        "choices": {
            "kinds": [[k, enc.kind_label(k, lang)] for k in enc.kinds_present(G)
                      if k in enc.KINDS and k != "initiative"],
            "categories": [[c, tax.name(c, lang)] for c in categories],
            "districts": [[d, d] for d in districts],
            "initiatives": sorted(([row[0], row[2]] for row in nodes if row[3] == "initiative"),
                                  key=lambda r: r[1].casefold()),
        },
    }

