"""What to draw, shared by the interactive map and the printout: colours, shapes, dash patterns,
sizes, labels, positions, and the only node data that may be published.

Colours come from the Okabe–Ito palette (safe for the common colour-vision deficiencies) and every
actor kind also has its own shape, and every tie group its own dash pattern, so a black-and-white
print still tells them apart. Nothing here draws; ``map.py`` and ``print.py`` do.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx

from graphsvc.errors import ValidationError
from graphsvc.i18n import LANGS, capital, class_name, kind_name, register, say
from graphsvc.privacy import display_name
from graphsvc.taxonomy import load_taxonomy

KINDS = (
    "individual",
    "association",
    "institution",
    "frivilligsentral",
    "municipality",
    "business",
    "initiative",
)

# Okabe & Ito (2008). Black is kept for text, outlines and highlights.
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}

KIND_COLOUR = {
    "individual": OKABE_ITO["sky_blue"],
    "association": OKABE_ITO["orange"],
    "institution": OKABE_ITO["blue"],
    "frivilligsentral": OKABE_ITO["bluish_green"],
    "municipality": OKABE_ITO["vermillion"],
    "business": OKABE_ITO["yellow"],
    "initiative": OKABE_ITO["reddish_purple"],
}
UNKNOWN_COLOUR = "#999999"

# vis-network shapes that put the label below the shape and scale with ``size``.
KIND_SHAPE = {
    "individual": "dot",
    "association": "triangle",
    "institution": "square",
    "frivilligsentral": "star",
    "municipality": "hexagon",
    "business": "triangleDown",
    "initiative": "diamond",
}
# The same shapes as matplotlib markers, so a print and a map read alike.
KIND_MARKER = {
    "individual": "o",
    "association": "^",
    "institution": "s",
    "frivilligsentral": "*",
    "municipality": "h",
    "business": "v",
    "initiative": "D",
}

# The actor kinds in the reader's words, as the analyses write them (docs/glossary.md).
KIND_LABELS = {lang: {k: capital(kind_name(k, lang)) for k in KINDS} for lang in LANGS}

# A tie as a relation, for tooltips and the legend (the noun is graphsvc.i18n.tie_name).
TIE_LABELS = register(f"{__name__}.ties", {
    "nb": {
        "MEMBER_OF": "Medlem av",
        "VOLUNTEERS_AT": "Frivillig i",
        "WORKS_AT": "Arbeider i",
        "KNOWS": "Kjenner",
        "PARTNERS_WITH": "Samarbeider med",
        "COORDINATES": "Koordinerer",
        "FUNDS": "Finansierer",
        "PARTICIPATES_IN": "Deltar i",
        "PART_OF": "Del av",
    },
    "en": {
        "MEMBER_OF": "Member of",
        "VOLUNTEERS_AT": "Volunteers at",
        "WORKS_AT": "Works at",
        "KNOWS": "Knows",
        "PARTNERS_WITH": "Partners with",
        "COORDINATES": "Coordinates",
        "FUNDS": "Funds",
        "PARTICIPATES_IN": "Participates in",
        "PART_OF": "Part of",
    },
}).table

# Nine tie kinds are too many dash patterns to tell apart on paper; four groups are not.
TIE_GROUPS: dict[str, tuple[str, ...]] = {
    "membership": ("MEMBER_OF", "PARTICIPATES_IN", "PART_OF"),
    "work": ("VOLUNTEERS_AT", "WORKS_AT"),
    "acquaintance": ("KNOWS",),
    "cooperation": ("PARTNERS_WITH", "COORDINATES", "FUNDS"),
}
TIE_GROUP_OF = {tie: group for group, ties in TIE_GROUPS.items() for tie in ties}

GROUP_LABELS = register(f"{__name__}.groups", {
    "nb": {
        "membership": "Medlemskap og deltakelse",
        "work": "Arbeid og frivillighet",
        "acquaintance": "Bekjentskap",
        "cooperation": "Samarbeid og finansiering",
    },
    "en": {
        "membership": "Membership and participation",
        "work": "Work and volunteering",
        "acquaintance": "Acquaintance",
        "cooperation": "Partnership and funding",
    },
}).table

# vis-network ``dashes``: False for solid, else [dash, gap, ...] in pixels.
GROUP_DASHES_MAP: dict[str, bool | list[int]] = {
    "membership": False,
    "work": [9, 5],
    "acquaintance": [2, 4],
    "cooperation": [12, 4, 2, 4],
}
# matplotlib linestyles (offset, (on, off, ...)) in points; the same rhythm as the map.
GROUP_DASHES_PRINT: dict[str, Any] = {
    "membership": "solid",
    "work": (0, (5, 3)),
    "acquaintance": (0, (1, 2)),
    "cooperation": (0, (7, 2.5, 1.5, 2.5)),
}

MESSAGES = register(__name__, {
    "nb": {
        "actors": "Aktører",
        "ties": "Bånd",
        "size": "Størrelse: antall bånd",
        "highlight": "Uthevet",
        "search": "Søk etter navn …",
        "search_button": "Søk",
        "hits": "treff",
        "no_hits": "Ingen treff",
        "all_districts": "Alle grender",
        "all_categories": "Alle kategorier",
        "filters": "Utvalg",
        "legend": "Tegnforklaring",
        "offers": "Tilbyr",
        "derived_offer": "fra registeret (ikke bekreftet)",
        "needs": "Trenger",
        "district": "Grend",
        "strength": "styrke",
        "level": "samskapingsnivå",
        "pseudonymised": "Enkeltpersoner vises med pseudonym.",
        "lacks": "Hva kartet mangler",
        "no_district": "Uten grend",
        "lacks_invite": "Inviter til neste verksted",
        "lacks_more": "… og {n} {n:grend|grender} til (se graphsvc coverage)",
        "unnamed": "Enkeltpersoner vises uten navn.",
        "counts": "{n} {n:aktør eller initiativ|aktører og initiativ}, {m} bånd",
        "made": "Laget {date}",
        "printed": "Utskrevet {date}",
        "empty": "Ingen aktører å vise.",
        "layout": "Beregner oppsett …",
        "labelled": "Navn vist for {k} av de mest tilknyttede aktørene.",
        "marks": "Markert",
        "mark_focus": "Fokus",
        "mark_path": "Veien",
        "mark_unmet": "Udekket behov",
        "mark_isolated": "Isolert aktør (ingen bånd)",
        "hop_bonding": class_name("bonding", "nb"),
        "hop_bridging": class_name("bridging", "nb"),
        "hop_linking": class_name("linking", "nb"),
        "hop_unlabelled": class_name("unlabelled", "nb"),
        "hops": "Ledd i veien: type sosial kapital",
        "ring_1": "Enkeltpersoner, lag og foreninger",
        "ring_2": "Institusjoner, frivilligsentraler, kommune",
        "details": "Detaljer",
        "reg_activity": "Aktivitet",
        "reg_purpose": "Formål",
        "reg_nace": "Næring",
        "reg_sector": "Sektor",
        "reg_homepage": "Nettside",
        "reg_address": "Adresse",
        "reg_postal_address": "Postadresse",
        "close": "Lukk",
        "overview": "← Oversikt",
        "clusters": "Klynger etter grend og aktørtype: klikk en klynge for å se aktørene.",
        "whole_kommune": "Hele kommunen",
        "members": "{n} {n:aktør|aktører}",
        "ties_count": "{n} bånd",
        "more": "og {n} til",
        "neighbours": "Bånd",
    },
    "en": {
        "actors": "Actors",
        "ties": "Ties",
        "size": "Size: number of ties",
        "highlight": "Highlighted",
        "search": "Search by name …",
        "search_button": "Search",
        "hits": "found",
        "no_hits": "Nothing found",
        "all_districts": "All districts",
        "all_categories": "All categories",
        "filters": "Filters",
        "legend": "Legend",
        "offers": "Offers",
        "derived_offer": "from the register (not confirmed)",
        "needs": "Needs",
        "district": "District",
        "strength": "strength",
        "level": "co-creation level",
        "pseudonymised": "Individuals are shown by pseudonym.",
        "lacks": "What the map still lacks",
        "no_district": "No district",
        "lacks_invite": "Invite to the next workshop",
        "lacks_more": "… and {n} more {n:district|districts} (see graphsvc coverage)",
        "unnamed": "Individuals are shown without names.",
        "counts": "{n} {n:actor or initiative|actors and initiatives}, {m} {m:tie|ties}",
        "made": "Made {date}",
        "printed": "Printed {date}",
        "empty": "No actors to show.",
        "layout": "Computing layout …",
        "labelled": "Names shown for {k} of the best connected actors.",
        "marks": "Marked",
        "mark_focus": "Focus",
        "mark_path": "The path",
        "mark_unmet": "Unmet need",
        "mark_isolated": "Isolated actor (no ties)",
        "hop_bonding": class_name("bonding", "en"),
        "hop_bridging": class_name("bridging", "en"),
        "hop_linking": class_name("linking", "en"),
        "hop_unlabelled": class_name("unlabelled", "en"),
        "hops": "Steps of the path: kind of social capital",
        "ring_1": "Individuals and associations",
        "ring_2": "Institutions, volunteer centres, municipality",
        "details": "Details",
        "reg_activity": "Activity",
        "reg_purpose": "Purpose",
        "reg_nace": "Industry",
        "reg_sector": "Sector",
        "reg_homepage": "Homepage",
        "reg_address": "Address",
        "reg_postal_address": "Postal address",
        "close": "Close",
        "overview": "← Overview",
        "clusters": "Clusters by district and kind of actor: click a cluster to see its actors.",
        "whole_kommune": "Whole municipality",
        "members": "{n} {n:actor|actors}",
        "ties_count": "{n} {n:tie|ties}",
        "more": "and {n} more",
        "neighbours": "Ties",
    },
})
TEXT = MESSAGES.table


MARKS = ("focus", "path", "unmet", "isolated")
# vis-network border dashes per mark: solid for the focus and the path, dashed for an unmet
# need, dotted for an isolated actor, so the marks survive a greyscale screen or print.
MARK_DASHES_MAP: dict[str, bool | list[int]] = {
    "focus": False, "path": False, "unmet": [9, 5], "isolated": [2, 5],
}
MARK_DASHES_PRINT: dict[str, Any] = {
    "focus": "solid", "path": "solid", "unmet": (0, (3, 1.5)), "isolated": (0, (1, 1.5)),
}


def hop_label(hop: str, lang: str = "nb") -> str:
    """A path step's kind of social capital in the reader's words.

    >>> hop_label("linking"), hop_label("bridging", "en"), hop_label("odd")
    ('forbindende', 'bridging', 'odd')
    """
    return TEXT[check_lang(lang)].get(f"hop_{hop}", hop)


def check_lang(lang: str) -> str:
    """The language, or a clear error.

    >>> check_lang("en")
    'en'
    >>> check_lang("de")
    Traceback (most recent call last):
    ...
    graphsvc.errors.ValidationError: unsupported language 'de' (use 'nb' or 'en')
    """
    if lang not in LANGS:
        raise ValidationError(f"unsupported language '{lang}' (use 'nb' or 'en')", lang=lang)
    return lang


def text(key: str, lang: str = "nb", /, **values: Any) -> str:
    """A piece of user-facing interface text, filled with ``values`` when given.

    >>> text("counts", "nb", n=1, m=2), text("counts", "en", n=3, m=1)
    ('1 aktør eller initiativ, 2 bånd', '3 actors and initiatives, 1 tie')
    """
    template = TEXT[check_lang(lang)][key]
    return say(template, lang, **values) if values else template


def kind_label(kind: str, lang: str = "nb") -> str:
    """The reader's word for an actor kind.

    >>> kind_label("association"), kind_label("association", "en")
    ('Lag og forening', 'Association')
    """
    return KIND_LABELS[check_lang(lang)].get(kind, kind)


def tie_label(tie: str, lang: str = "nb") -> str:
    """
    >>> tie_label("VOLUNTEERS_AT"), tie_label("VOLUNTEERS_AT", "en")
    ('Frivillig i', 'Volunteers at')
    """
    return TIE_LABELS[check_lang(lang)].get(tie, tie)


def tie_group(tie: str) -> str:
    """The dash-pattern group of a tie kind (unknown kinds count as cooperation).

    >>> tie_group("KNOWS"), tie_group("FUNDS")
    ('acquaintance', 'cooperation')
    """
    return TIE_GROUP_OF.get(tie, "cooperation")


def group_label(group: str, lang: str = "nb") -> str:
    """A tie group and the tie kinds it holds, e.g. for a legend."""
    return GROUP_LABELS[check_lang(lang)][group]


def group_members_label(group: str, lang: str = "nb") -> str:
    """
    >>> group_members_label("work")
    'frivillig i, arbeider i'
    """
    return ", ".join(tie_label(t, lang).lower() for t in TIE_GROUPS[group])


def kind_colour(kind: str) -> str:
    return KIND_COLOUR.get(kind, UNKNOWN_COLOUR)


def kind_shape(kind: str) -> str:
    return KIND_SHAPE.get(kind, "dot")


def kind_marker(kind: str) -> str:
    return KIND_MARKER.get(kind, "o")


def kinds_present(G: nx.MultiDiGraph) -> list[str]:
    """The kinds in ``G``, in legend order (unknown kinds last)."""
    seen = {d.get("kind") for _, d in G.nodes(data=True)}
    return [k for k in KINDS if k in seen] + sorted(str(k) for k in seen - set(KINDS) if k)


def groups_present(G: nx.MultiDiGraph) -> list[str]:
    """The tie groups in ``G``, in legend order."""
    seen = {tie_group(str(k)) for _, _, k in G.edges(keys=True)}
    return [g for g in TIE_GROUPS if g in seen]


def node_sizes(G: nx.MultiDiGraph, *, smallest: float, largest: float) -> dict[Hashable, float]:
    """A size per node growing with the square root of its number of ties (so the area, not the
    width, tracks the count), from ``smallest`` (no ties) to ``largest`` (the best connected).

    >>> G = nx.MultiDiGraph([("a", "b"), ("a", "c"), ("a", "d"), ("a", "e")])
    >>> sizes = node_sizes(G, smallest=10, largest=30)
    >>> sizes["a"], sizes["b"]
    (30.0, 20.0)
    """
    degree = dict(G.degree())
    top = math.sqrt(max(degree.values(), default=0)) or 1.0
    return {
        n: round(smallest + (largest - smallest) * math.sqrt(d) / top, 2) for n, d in degree.items()
    }


def _category_entry(holding: dict[str, Any], lang: str, with_description: bool) -> str:
    name = load_taxonomy().name(str(holding.get("category", "")), lang)
    if holding.get("confirmed", True) is False:  # derived by an enrichment rule (issue 9.3)
        return f"{name} ({TEXT[check_lang(lang)]['derived_offer']})"
    desc = holding.get("description")
    return f"{name}: {desc}" if with_description and desc else name


def public_node_data(
    G: nx.MultiDiGraph, node: Hashable, *, show_names: bool = False, lang: str = "nb"
) -> dict[str, Any]:
    """Only what may be published about ``node`` (a map carries its data to every browser).

    Built field by field from an allow-list, never by copying attributes. Individuals get a
    stable pseudonym unless ``show_names``; their age band, background, consent purpose,
    provenance, coordinates and free-text descriptions are never included, nor is any node id
    (an id may contain a name, e.g. ``ws:<sheet>:<name>``).

    >>> G = nx.MultiDiGraph()
    >>> G.add_node("demo:p1", node_type="actor", kind="individual", name="Kari Nordvik",
    ...            district="Holmen", age_band="67-79", background="x", consent_purpose="y",
    ...            lat=1.0, lon=2.0, offers=[{"category": "help.transport",
    ...            "description": "Kjører Kari sin bil"}], needs=[])
    >>> public_node_data(G, "demo:p1")
    {'label': 'Person ...', 'kind': 'individual', 'kind_label': 'Enkeltperson',
     'district': 'Holmen', 'offers': ['Transport og følge'], 'needs': [],
     'categories': ['help.transport']}
    >>> public_node_data(G, "demo:p1", show_names=True, lang="en")["label"]
    'Kari Nordvik'
    """
    check_lang(lang)
    attrs = G.nodes[node]
    kind = str(attrs.get("kind") or "")
    personal = kind == "individual"
    data: dict[str, Any] = {
        "label": display_name(str(node), attrs, show_names, lang),
        "kind": kind,
        "kind_label": kind_label(kind, lang),
    }
    for key in ("district", "kommunenummer"):
        if attrs.get(key):
            data[key] = str(attrs[key])
    if not personal:
        for key in ("orgnr", "description"):
            if attrs.get(key):
                data[key] = str(attrs[key])
        # What the register says in its own words (text only: the map fills it in as text).
        register = [f"{text(label, lang)}: {_register_value(attrs[key])}"
                    for key, label in REGISTER_DETAILS.items() if attrs.get(key)]
        if register:
            data["register"] = register
            data.setdefault("description", " · ".join(register))
        if attrs.get("lat") is not None and attrs.get("lon") is not None:
            data["lat"], data["lon"] = float(attrs["lat"]), float(attrs["lon"])
        if attrs.get("required_categories"):
            data["required"] = [
                load_taxonomy().name(c, lang) for c in attrs["required_categories"]
            ]
    offers = attrs.get("offers") or []
    needs = attrs.get("needs") or []
    data["offers"] = [_category_entry(h, lang, not personal) for h in offers]
    data["needs"] = [_category_entry(h, lang, not personal) for h in needs]
    data["categories"] = sorted({str(h.get("category")) for h in [*offers, *needs]})
    return data


# Register fields shown in a node's details, in this order (never the raw codes behind them).
REGISTER_DETAILS = {"activity": "reg_activity", "purpose": "reg_purpose", "nace_text": "reg_nace",
                    "sector_text": "reg_sector", "homepage": "reg_homepage",
                    "address": "reg_address", "postal_address": "reg_postal_address"}


def _register_value(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "; ".join(str(v) for v in value)
    return " ".join(str(value).split())


def tooltip_text(data: dict[str, Any], lang: str = "nb", *, limit: int = 6) -> str:
    """Plain text (never HTML) for a node's tooltip, from ``public_node_data``.

    >>> print(tooltip_text({"label": "Holmen vel", "kind_label": "Lag og forening",
    ...                     "district": "Holmen", "offers": ["Møteplass"], "needs": []}))
    Holmen vel
    Lag og forening · Holmen
    Tilbyr: Møteplass
    """
    lines = [data["label"], " · ".join(x for x in (data["kind_label"], data.get("district")) if x)]
    if data.get("description"):
        lines.append(_clip(data["description"], 160))
    for key in ("offers", "needs"):
        items = data.get(key) or []
        if items:
            shown = [_clip(i, 80) for i in items[:limit]]
            more = f" (+{len(items) - limit})" if len(items) > limit else ""
            lines.append(f"{text(key, lang)}: " + "; ".join(shown) + more)
    return "\n".join(lines)


def _clip(s: str, n: int) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 1].rstrip() + "…"


def short_label(label: str, width: int = 22) -> str:
    """A label cut to at most two lines of about ``width`` characters, for crowded drawings.

    >>> short_label("Fjordvik frivilligsentral og nærmiljøsentral for eldre", 26)
    'Fjordvik frivilligsentral\\nog nærmiljøsentral for…'
    """
    lines = textwrap.wrap(" ".join(label.split()), width) or [""]
    if len(lines) > 2:
        second = lines[1]
        lines = [lines[0], second[: width - 1] + "…" if len(second) >= width else second + "…"]
    return "\n".join(lines)


def label_candidates(G: nx.MultiDiGraph, *, limit: int = 40, show_names: bool = False) -> list:
    """Nodes worth a printed label, in the order they should claim space: the municipality and
    the frivilligsentraler (the *bindeledd* everyone looks for) first, then the most connected
    organisations and initiatives, up to ``limit``; individuals only when their names may be
    shown and there is room.

    >>> G = nx.MultiDiGraph([("p", "a"), ("q", "a"), ("a", "f")])
    >>> nx.set_node_attributes(G, {"p": "individual", "q": "individual", "a": "association",
    ...                            "f": "frivilligsentral"}, "kind")
    >>> label_candidates(G), label_candidates(G, show_names=True)
    (['f', 'a'], ['f', 'a', 'p', 'q'])
    """
    degree = dict(G.degree())
    order = sorted(G, key=lambda n: (-degree[n], str(n)))
    chosen = [n for n in order if G.nodes[n].get("kind") != "individual"][:limit]
    first = {"municipality", "frivilligsentral"}
    chosen.sort(key=lambda n: G.nodes[n].get("kind") not in first)
    if show_names and len(chosen) < limit:
        people = [n for n in order if G.nodes[n].get("kind") == "individual"]
        chosen += people[: limit - len(chosen)]
    return chosen


def highlight_sets(
    G: nx.MultiDiGraph, highlight: Iterable[Any] | None
) -> tuple[set[Hashable], set[tuple[Hashable, Hashable, Hashable]]]:
    """Split ``highlight`` into nodes and edges ``(u, v, key)`` of ``G``.

    Items are node ids, ``(u, v)`` pairs (every tie between u and v, either direction: a path's
    hops need not follow the ties' direction) or ``(u, v, key)`` ties. The ends of a highlighted
    tie are highlighted too. Items not in ``G`` are ignored.

    >>> G = nx.MultiDiGraph()
    >>> G.add_edge("a", "b", key="KNOWS")
    'KNOWS'
    >>> nodes, edges = highlight_sets(G, [("b", "a"), "zz"])
    >>> sorted(nodes), sorted(edges)
    (['a', 'b'], [('a', 'b', 'KNOWS')])
    """
    nodes: set[Hashable] = set()
    edges: set[tuple[Hashable, Hashable, Hashable]] = set()
    for item in highlight or ():
        if isinstance(item, tuple) and len(item) in (2, 3):
            u, v = item[0], item[1]
            for a, b in ((u, v), (v, u)):
                if G.has_node(a) and G.has_node(b) and G.has_edge(a, b):
                    for key in G[a][b]:
                        if len(item) == 2 or key == item[2]:
                            edges.add((a, b, key))
                            nodes.update((a, b))
        elif isinstance(item, Hashable) and item in G:
            nodes.add(item)
    return nodes, edges


# Positions live in layout.py; re-exported for callers that look for them here.
from visualisations.layout import layout_positions  # noqa: F401
