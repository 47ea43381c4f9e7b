"""Printable network diagrams (PDF, SVG, PNG) at exactly A4 or A3, for workshops around a table
and black-and-white printers: kinds differ by marker shape, ties by dash pattern, colour only
helps.

Each call builds its own ``matplotlib.figure.Figure`` and never touches pyplot, so API threads
can render at the same time.
"""

from __future__ import annotations

import io
import textwrap
import threading
from collections import Counter
from collections.abc import Iterable
from datetime import date
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.transforms import Bbox, offset_copy

from graphsvc.errors import ValidationError
from graphsvc.privacy import display_name
from visualisations import encoding as enc

MM_PER_INCH = 25.4
PAPER_MM = {"A4": (210.0, 297.0), "A3": (297.0, 420.0)}
FORMATS = ("pdf", "svg", "png")
ORIENTATIONS = ("landscape", "portrait")

# Sizes in points, per paper: A3 is viewed from the same distance, so text grows only a little.
_STYLE = {
    "A4": {"title": 16, "sub": 10, "legend": 8.5, "small": 7, "label": 7.5, "labels": 40,
           "node_min": 3.5, "node_max": 15, "edge": 0.7},
    "A3": {"title": 20, "sub": 12, "legend": 10, "small": 8, "label": 8.5, "labels": 60,
           "node_min": 4.5, "node_max": 20, "edge": 0.8},
}
_MARGIN_IN = 12 / MM_PER_INCH
_EDGE_COLOUR = "#5a5a5a"
# svg.fonttype is read from the global rcParams at save time; keep SVG saves one at a time.
_SVG_LOCK = threading.Lock()


def render_print(
    G: nx.MultiDiGraph,
    *,
    title: str,
    subtitle: str | None = None,
    paper: str = "A4",
    orientation: str = "landscape",
    fmt: str = "pdf",
    lang: str = "nb",
    show_names: bool = False,
    highlight: Iterable[Any] | None = None,
    today: date | None = None,
    dpi: int = 150,
) -> bytes:
    """The graph as a printable page: title, date, subtitle, the network, a legend beside it
    (landscape) or below it (portrait), and labels for the best connected organisations.

    Individuals appear unnamed unless ``show_names``. ``highlight`` (node ids, ``(u, v)`` or
    ``(u, v, key)``) gets a heavy black outline. ``dpi`` matters for PNG only.
    """
    if fmt not in FORMATS:
        raise ValidationError(f"unsupported print format '{fmt}' (use pdf, svg or png)", fmt=fmt)
    fig = print_figure(G, title=title, subtitle=subtitle, paper=paper, orientation=orientation,
                       lang=lang, show_names=show_names, highlight=highlight, today=today)
    buf = io.BytesIO()
    metadata = {"Title": title, "Creator": "graphsvc"}
    if fmt == "svg":
        with _SVG_LOCK, matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text
            fig.savefig(buf, format="svg", metadata=metadata)
    else:
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def page_size_inches(paper: str, orientation: str) -> tuple[float, float]:
    """Width and height of the page in inches.

    >>> [round(x * 72, 1) for x in page_size_inches("A4", "portrait")]
    [595.3, 841.9]
    >>> [round(x * 72, 1) for x in page_size_inches("A3", "landscape")]
    [1190.6, 841.9]
    """
    if paper not in PAPER_MM:
        raise ValidationError(f"unsupported paper '{paper}' (use A4 or A3)", paper=paper)
    if orientation not in ORIENTATIONS:
        raise ValidationError(
            f"unsupported orientation '{orientation}' (use landscape or portrait)",
            orientation=orientation,
        )
    short, long = (x / MM_PER_INCH for x in PAPER_MM[paper])
    return (long, short) if orientation == "landscape" else (short, long)


def print_figure(
    G: nx.MultiDiGraph,
    *,
    title: str,
    subtitle: str | None = None,
    paper: str = "A4",
    orientation: str = "landscape",
    lang: str = "nb",
    show_names: bool = False,
    highlight: Iterable[Any] | None = None,
    today: date | None = None,
) -> Figure:
    """The page as a matplotlib ``Figure`` (see ``render_print``)."""
    enc.check_lang(lang)
    width, height = page_size_inches(paper, orientation)
    style = _STYLE[paper]
    fig = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(fig)
    m = _MARGIN_IN

    header = _header(fig, title, subtitle, today or date.today(), style, lang, width, height)
    footer_h = 0.3
    if orientation == "landscape":
        legend_w = 2.55 if paper == "A4" else 2.9
        draw_box = (m, m + footer_h, width - 2 * m - legend_w - 0.2, height - header - m - footer_h)
        legend_box = (width - m - legend_w, m + footer_h, legend_w, height - header - m - footer_h)
    else:
        legend_h = 1.95 if paper == "A4" else 2.2
        draw_box = (m, m + footer_h + legend_h + 0.15, width - 2 * m,
                    height - header - m - footer_h - legend_h - 0.15)
        legend_box = (m, m + footer_h, width - 2 * m, legend_h)
    ax = fig.add_axes(_frac(draw_box, width, height))
    lax = fig.add_axes(_frac(legend_box, width, height))

    hi_nodes, hi_edges = enc.highlight_sets(G, highlight)
    labelled = _draw_network(fig, ax, G, style, lang, show_names, hi_nodes, hi_edges)
    _draw_legend(lax, G, style, lang, legend_box[2], legend_box[3], orientation, bool(hi_nodes))

    notes = [enc.text("counts", lang).format(n=G.number_of_nodes(), m=G.number_of_edges())]
    if labelled < sum(1 for _, d in G.nodes(data=True) if d.get("kind") != "individual"):
        notes.append(enc.text("labelled", lang).format(k=labelled))
    if not show_names and any(d.get("kind") == "individual" for _, d in G.nodes(data=True)):
        notes.append(enc.text("unnamed", lang))
    fig.text(m / width, (m + 0.05) / height, "  ·  ".join(notes), fontsize=style["small"],
             color="#444444", ha="left", va="bottom", parse_math=False)
    return fig


def _frac(box: tuple[float, float, float, float], width: float, height: float) -> list[float]:
    x, y, w, h = box
    return [x / width, y / height, max(w, 0.1) / width, max(h, 0.1) / height]


def _header(fig, title, subtitle, day, style, lang, width, height) -> float:
    """Title (up to two lines), subtitle and date at the top; returns the header's height."""
    m = _MARGIN_IN
    chars = int((width - 2 * m - 1.6) * 72 / (style["title"] * 0.55))
    title = " ".join(str(title).split())
    lines = textwrap.wrap(title, chars, max_lines=2, placeholder=" …") or [""]
    top = height - m
    fig.text(m / width, top / height, "\n".join(lines), fontsize=style["title"],
             fontweight="bold", ha="left", va="top", parse_math=False, linespacing=1.15)
    used = len(lines) * style["title"] * 1.3 / 72
    fig.text((width - m) / width, top / height,
             enc.text("printed", lang).format(date=day.strftime("%d.%m.%Y")),
             fontsize=style["sub"], ha="right", va="top", color="#333333", parse_math=False)
    if subtitle:
        sub = textwrap.shorten(str(subtitle), int(chars * 1.5), placeholder=" …")
        fig.text(m / width, (top - used - 0.04) / height, sub, fontsize=style["sub"],
                 ha="left", va="top", color="#333333", parse_math=False)
        used += style["sub"] * 1.4 / 72 + 0.04
    return m + used + 0.15


def _draw_network(fig, ax, G, style, lang, show_names, hi_nodes, hi_edges) -> int:
    """Edges, nodes and de-cluttered labels; returns how many labels were placed."""
    ax.set_axis_off()
    if G.number_of_nodes() == 0:
        ax.text(0.5, 0.5, enc.text("empty", lang), ha="center", va="center",
                fontsize=style["sub"], transform=ax.transAxes, parse_math=False)
        return 0
    pos = enc.layout_positions(G, seed=0)
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad_x = (max(xs) - min(xs)) * 0.04 + 0.05
    pad_y = (max(ys) - min(ys)) * 0.05 + 0.05
    ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
    ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)

    crowded = G.number_of_nodes() > 150
    lw = style["edge"] * (0.75 if crowded else 1.0)
    segments: dict[str, list] = {g: [] for g in enc.TIE_GROUPS}
    strong = []
    for u, v, key, d in G.edges(keys=True, data=True):
        if u == v:
            continue
        seg = (pos[u], pos[v])
        if (u, v, key) in hi_edges:
            strong.append(seg)
        else:
            segments[enc.tie_group(str(d.get("kind", key)))].append(seg)
    for group, segs in segments.items():
        if segs:
            ax.add_collection(LineCollection(
                segs, colors=_EDGE_COLOUR, linewidths=lw, alpha=0.55 if crowded else 0.8,
                linestyles=[_dashes(group, lw)], zorder=1, capstyle="butt"))
    if strong:
        ax.add_collection(LineCollection(strong, colors="#000000", linewidths=2.2, zorder=2))

    few = G.number_of_nodes() <= 60  # room to spare: bigger markers and labels
    style = {**style, "label": style["label"] + (1 if few else 0)}
    grow = 1.4 if few else 1.0
    sizes = enc.node_sizes(G, smallest=style["node_min"] * grow, largest=style["node_max"] * grow)
    for kind in enc.kinds_present(G):
        members = sorted((n for n, d in G.nodes(data=True) if d.get("kind") == kind),
                         key=lambda n: sizes[n])
        marker = enc.kind_marker(kind)
        boost = 1.45 if marker == "*" else 1.0  # a star's ink is thin for its box
        ax.scatter(
            [pos[n][0] for n in members], [pos[n][1] for n in members],
            s=[(sizes[n] * boost) ** 2 for n in members], marker=marker,
            c=enc.kind_colour(kind), edgecolors=["#000000" if n in hi_nodes else "#222222"
                                                 for n in members],
            linewidths=[2.2 if n in hi_nodes else 0.5 for n in members],
            zorder=4 if kind != "individual" else 3,
        )
    return _place_labels(fig, ax, G, pos, sizes, style, show_names)


def _dashes(group: str, lw: float) -> Any:
    """The group's dash pattern, undoing matplotlib's scaling of dashes by line width so the
    pattern measures the same on paper whatever the line width."""
    style = enc.GROUP_DASHES_PRINT[group]
    if isinstance(style, str):
        return style
    offset, seq = style
    return (offset, tuple(x / lw for x in seq))


def _place_labels(fig, ax, G, pos, sizes, style, show_names) -> int:
    """Label the best connected nodes where a label fits: below, above, right or left of the
    marker, never over another label; those that fit nowhere stay unlabelled."""
    renderer = fig.canvas.get_renderer()
    area = ax.get_window_extent(renderer)
    taken: list[Bbox] = []
    candidates = enc.label_candidates(G, limit=style["labels"], show_names=show_names)
    # The labelled markers themselves are obstacles too.
    for n in candidates:
        x, y = ax.transData.transform(pos[n])
        r = sizes[n] / 2 * fig.dpi / 72
        taken.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    placed = 0
    for i, n in enumerate(candidates):
        label = enc.short_label(display_name(str(n), G.nodes[n], show_names), 24)
        gap = sizes[n] / 2 + 1.5
        for dx, dy, ha, va in _label_spots(gap):
            t = ax.text(*pos[n], label, fontsize=style["label"], ha=ha, va=va, zorder=6,
                        transform=offset_copy(ax.transData, fig=fig, x=dx, y=dy, units="points"),
                        parse_math=False, linespacing=1.05, color="#111111",
                        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                              "alpha": 0.8})
            box = t.get_window_extent(renderer).expanded(1.04, 1.12)
            inside = (area.x0 <= box.x0 and box.x1 <= area.x1
                      and area.y0 <= box.y0 and box.y1 <= area.y1)
            if inside and not any(box.overlaps(b) for j, b in enumerate(taken) if j != i):
                taken.append(box)
                placed += 1
                break
            t.remove()
    return placed


def _label_spots(gap: float) -> list[tuple[float, float, str, str]]:
    """Where a label may go, in order of preference: below, above, right, left, the four
    diagonals, then the same a little further out (offsets in points)."""
    spots = []
    for g in (gap, gap + 6):
        d = g * 0.75
        spots += [(0, -g, "center", "top"), (0, g, "center", "bottom"),
                  (g + 1, 0, "left", "center"), (-g - 1, 0, "right", "center"),
                  (d, -d, "left", "top"), (-d, -d, "right", "top"),
                  (d, d, "left", "bottom"), (-d, d, "right", "bottom")]
    return spots


def _draw_legend(lax, G, style, lang, w, h, orientation, highlighted) -> None:
    """The legend in its own axes (units: inches from its lower left corner), so it can never
    cover the drawing."""
    lax.set_axis_off()
    lax.set_xlim(0, w)
    lax.set_ylim(0, h)
    fs, small = style["legend"], style["small"]
    step = fs * 1.9 / 72
    counts = Counter(str(d.get("kind")) for _, d in G.nodes(data=True))
    kinds, groups = enc.kinds_present(G), enc.groups_present(G)

    def heading(x: float, y: float, key: str) -> float:
        lax.text(x, y, enc.text(key, lang), fontsize=fs, fontweight="bold", va="center",
                 parse_math=False)
        return y - step * 1.05

    def kind_rows(x: float, y: float) -> float:
        y = heading(x, y, "actors")
        for kind in kinds:
            marker = enc.kind_marker(kind)
            lax.scatter([x + 0.1], [y], s=(fs * (1.5 if marker == "*" else 1.05)) ** 2,
                        marker=marker, c=enc.kind_colour(kind), edgecolors="#222222",
                        linewidths=0.6, clip_on=False)
            lax.text(x + 0.3, y, f"{enc.kind_label(kind, lang)} ({counts[kind]})", fontsize=fs,
                     va="center", parse_math=False)
            y -= step
        return y

    def tie_rows(x: float, y: float) -> float:
        y = heading(x, y, "ties")
        for group in groups:
            lw = 1.2
            lax.add_collection(LineCollection([((x, y), (x + 0.45, y))], colors=_EDGE_COLOUR,
                                              linewidths=lw, linestyles=[_dashes(group, lw)]))
            lax.text(x + 0.55, y, enc.group_label(group, lang), fontsize=fs, va="center",
                     parse_math=False)
            lax.text(x + 0.55, y - fs * 1.15 / 72, enc.group_members_label(group, lang),
                     fontsize=small, va="center", color="#555555", parse_math=False)
            y -= step * 1.45
        return y

    def notes(x: float, y: float) -> float:
        if highlighted:
            lax.scatter([x + 0.1], [y], s=fs**2, marker="o", facecolors="white",
                        edgecolors="#000000", linewidths=2.2, clip_on=False)
            lax.text(x + 0.3, y, enc.text("highlight", lang), fontsize=fs, va="center",
                     parse_math=False)
            y -= step
        lax.text(x, y, enc.text("size", lang), fontsize=small, va="center", color="#333333",
                 parse_math=False)
        return y - step

    top = h - step / 2
    if orientation == "landscape":
        y = kind_rows(0.05, top)
        y = tie_rows(0.05, y - step * 0.4)
        notes(0.05, y - step * 0.2)
    else:
        kind_rows(0.05, top)
        y = tie_rows(w * 0.36, top)
        notes(w * 0.36, y)
