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
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import matplotlib
import networkx as nx
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.collections import LineCollection
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from matplotlib.transforms import Bbox, offset_copy

from graphsvc.errors import ValidationError
from graphsvc.privacy import display_name
from visualisations import encoding as enc
from visualisations.layout import ring_layout

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
    marks: Mapping[Hashable, str] | None = None,
    hop_labels: Mapping[tuple[Hashable, Hashable], str] | None = None,
    focus: Hashable | None = None,
    today: date | None = None,
    dpi: int = 150,
) -> bytes:
    """The graph as a printable page: title, date, subtitle, the network, a legend beside it
    (landscape) or below it (portrait), and labels for the best connected organisations.

    Individuals appear unnamed unless ``show_names``. ``highlight`` (node ids, ``(u, v)`` or
    ``(u, v, key)``) gets a heavy black outline; ``marks``, ``hop_labels`` and ``focus`` are
    as for ``render_map`` (outlines per mark, labelled path steps, ABCD rings). ``dpi`` matters
    for PNG only.
    """
    if fmt not in FORMATS:
        raise ValidationError(f"unsupported print format '{fmt}' (use pdf, svg or png)", fmt=fmt)
    fig = print_figure(G, title=title, subtitle=subtitle, paper=paper, orientation=orientation,
                       lang=lang, show_names=show_names, highlight=highlight, marks=marks,
                       hop_labels=hop_labels, focus=focus, today=today)
    buf = io.BytesIO()
    metadata = {"Title": title, "Creator": "graphsvc"}
    if fmt == "svg":
        with _SVG_LOCK, matplotlib.rc_context({"svg.fonttype": "none"}):  # text stays text
            fig.savefig(buf, format="svg", metadata=metadata)
    else:
        fig.savefig(buf, format=fmt, dpi=dpi, metadata=metadata)
    return buf.getvalue()


def render_booklet(
    pages: Iterable[tuple[nx.MultiDiGraph, Mapping[str, Any]]],
    *,
    paper: str = "A4",
    orientation: str = "landscape",
    lang: str = "nb",
    show_names: bool = False,
    today: date | None = None,
) -> bytes:
    """One PDF with a page per ``(graph, print_figure keyword arguments)``, e.g. the whole
    community and then each district, for a workshop booklet."""
    buf = io.BytesIO()
    with PdfPages(buf, metadata={"Creator": "graphsvc"}) as pdf:
        pages = list(pages)
        for i, (G, kwargs) in enumerate(pages):
            fig = print_figure(G, paper=paper, orientation=orientation, lang=lang,
                               show_names=show_names, today=today, **kwargs)
            fig.text(1 - _MARGIN_IN / fig.get_figwidth(), _MARGIN_IN / fig.get_figheight(),
                     f"{i + 1} / {len(pages)}", fontsize=_STYLE[paper]["small"] + 1,
                     ha="right", va="bottom", color="#444444")
            pdf.savefig(fig)
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
    marks: Mapping[Hashable, str] | None = None,
    hop_labels: Mapping[tuple[Hashable, Hashable], str] | None = None,
    focus: Hashable | None = None,
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

    marks = {k: v for k, v in (marks or {}).items() if k in G}
    hi_nodes, hi_edges = enc.highlight_sets(G, highlight)
    hops = [enc.hop_label(h, lang) for h in (hop_labels or {}).values()]
    extras = _Extras(marks, dict(hop_labels or {}), focus if focus in G else None)
    labelled = _draw_network(fig, ax, G, style, lang, show_names, hi_nodes, hi_edges, extras)
    plain = bool(hi_nodes - set(marks))
    _draw_legend(lax, G, style, lang, legend_box[2], legend_box[3], orientation, plain,
                 [m for m in enc.MARKS if m in set(marks.values())], hops, extras.rings)

    notes = [enc.text("counts", lang, n=G.number_of_nodes(), m=G.number_of_edges())]
    if labelled < sum(1 for _, d in G.nodes(data=True) if d.get("kind") != "individual"):
        notes.append(enc.text("labelled", lang, k=labelled))
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
    top = height - m
    printed = fig.text((width - m) / width, top / height,
                       enc.text("printed", lang, date=day.strftime("%d.%m.%Y")),
                       fontsize=style["sub"], ha="right", va="top", color="#333333",
                       parse_math=False)
    renderer = fig.canvas.get_renderer()
    room = printed.get_window_extent(renderer).x0 - 0.15 * fig.dpi
    while True:  # measured, not guessed: a bold title must never run into the date
        lines = textwrap.wrap(title, chars, max_lines=2, placeholder=" …") or [""]
        t = fig.text(m / width, top / height, "\n".join(lines), fontsize=style["title"],
                     fontweight="bold", ha="left", va="top", parse_math=False,
                     linespacing=1.15)
        if t.get_window_extent(renderer).x1 <= room or chars <= 20:
            break
        t.remove()
        chars -= 3
    used = len(lines) * style["title"] * 1.3 / 72
    if subtitle:
        sub = textwrap.wrap(" ".join(str(subtitle).split()), int(chars * 1.55), max_lines=2,
                            placeholder=" …")
        fig.text(m / width, (top - used - 0.04) / height, "\n".join(sub), fontsize=style["sub"],
                 ha="left", va="top", color="#333333", parse_math=False, linespacing=1.2)
        used += len(sub) * style["sub"] * 1.4 / 72 + 0.04
    return m + used + 0.15


@dataclass
class _Extras:
    """What a view adds to the plain network: marked nodes, labelled path steps, ABCD rings."""

    marks: dict[Hashable, str]
    hop_labels: dict[tuple[Hashable, Hashable], str]
    focus: Hashable | None
    rings: list[tuple[int, float]] = field(default_factory=list)


def _draw_network(fig, ax, G, style, lang, show_names, hi_nodes, hi_edges, extras) -> int:
    """Edges, nodes, marks and de-cluttered labels; returns how many labels were placed."""
    ax.set_axis_off()
    if G.number_of_nodes() == 0:
        ax.text(0.5, 0.5, enc.text("empty", lang), ha="center", va="center",
                fontsize=style["sub"], transform=ax.transAxes, parse_math=False)
        return 0
    if extras.focus is not None:
        pos, extras.rings = ring_layout(G.to_undirected(as_view=True), extras.focus)
        ax.set_aspect("equal", adjustable="box")
        ax.set_xlim(-1.08, 1.08)
        ax.set_ylim(-1.08, 1.08)
        for ring, r in extras.rings:
            ax.add_patch(Circle((0, 0), r, fill=False, lw=0.8, ls=(0, (4, 3)), ec="#9a9a9a",
                                zorder=0))
    else:
        pos = enc.layout_positions(G, seed=0)
        xs = [p[0] for p in pos.values()]
        ys = [p[1] for p in pos.values()]
        pad_x = (max(xs) - min(xs)) * 0.04 + 0.05
        pad_y = (max(ys) - min(ys)) * 0.05 + 0.05
        ax.set_xlim(min(xs) - pad_x, max(xs) + pad_x)
        ax.set_ylim(min(ys) - pad_y, max(ys) + pad_y)

    crowded = G.number_of_nodes() > 150
    dim = bool(hi_edges or any(m != "focus" for m in extras.marks.values()))
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
    alpha = 0.35 if dim else (0.55 if crowded else 0.8)
    for group, segs in segments.items():
        if segs:
            ax.add_collection(LineCollection(
                segs, colors=_EDGE_COLOUR, linewidths=lw, alpha=alpha,
                linestyles=[_dashes(group, lw)], zorder=1, capstyle="butt"))
    if strong:
        ax.add_collection(LineCollection(strong, colors="#000000", linewidths=2.4, zorder=2))

    few = G.number_of_nodes() <= 60  # room to spare: bigger markers and labels
    style = {**style, "label": style["label"] + (1 if few else 0)}
    grow = 1.4 if few else 1.0
    sizes = enc.node_sizes(G, smallest=style["node_min"] * grow, largest=style["node_max"] * grow)
    if extras.focus is not None:
        sizes[extras.focus] = style["node_max"] * grow * 1.3
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
            alpha=[1.0 if (not dim or n in hi_nodes or n in extras.marks) else 0.45
                   for n in members],
            zorder=4 if kind != "individual" else 3,
        )
    for mark in enc.MARKS:  # an outline around each marked node: solid, dashed or dotted
        members = [n for n, m in extras.marks.items() if m == mark]
        if members:
            width = 2.4 if mark == "focus" else 1.6
            ax.scatter([pos[n][0] for n in members], [pos[n][1] for n in members],
                       s=[(sizes[n] * 1.45 + 5) ** 2 for n in members], marker="o",
                       facecolors="none", edgecolors="#000000", linewidths=width,
                       linestyles=[_dashes_mark(mark, width)], zorder=5)
    hop_boxes = _hop_labels(fig, ax, pos, extras.hop_labels, style, lang)
    return _place_labels(fig, ax, G, pos, sizes, style, show_names, extras, hop_boxes)


def _dashes(group: str, lw: float) -> Any:
    """The group's dash pattern, undoing matplotlib's scaling of dashes by line width so the
    pattern measures the same on paper whatever the line width."""
    return _unscaled(enc.GROUP_DASHES_PRINT[group], lw)


def _dashes_mark(mark: str, lw: float) -> Any:
    return _unscaled(enc.MARK_DASHES_PRINT[mark], lw)


def _unscaled(style: Any, lw: float) -> Any:
    if isinstance(style, str):
        return style
    offset, seq = style
    return (offset, tuple(x / lw for x in seq))


def _hop_labels(fig, ax, pos, hop_labels, style, lang) -> list[Bbox]:
    """``1. brobyggende`` at the middle of each step of the path; returns their boxes."""
    renderer = fig.canvas.get_renderer()
    boxes = []
    for i, ((u, v), hop) in enumerate(hop_labels.items()):
        if u not in pos or v not in pos:
            continue
        x, y = (pos[u][0] + pos[v][0]) / 2, (pos[u][1] + pos[v][1]) / 2
        t = ax.text(x, y, f"{i + 1}. {enc.hop_label(hop, lang)}", fontsize=style["label"],
                    ha="center", va="center", zorder=7, parse_math=False, fontstyle="italic",
                    bbox={"boxstyle": "round,pad=0.2", "fc": "white", "ec": "#000000",
                          "lw": 0.6})
        boxes.append(t.get_window_extent(renderer).expanded(1.08, 1.2))
    return boxes


def _place_labels(fig, ax, G, pos, sizes, style, show_names, extras, hop_boxes) -> int:
    """Label the marked and the best connected nodes where a label fits: below, above, right or
    left of the marker, never over another label; those that fit nowhere stay unlabelled."""
    renderer = fig.canvas.get_renderer()
    ax.apply_aspect()
    area = ax.get_window_extent(renderer)
    candidates = enc.label_candidates(G, limit=style["labels"], show_names=show_names)
    # Marked nodes first (the focus, the path, the gaps), people among them by pseudonym.
    marked = sorted(extras.marks, key=lambda n: (enc.MARKS.index(extras.marks[n]), -G.degree(n),
                                                 str(n)))
    candidates = marked + [n for n in candidates if n not in extras.marks]
    candidates = candidates[: style["labels"]]
    taken: list[Bbox] = list(hop_boxes)
    first = len(taken)
    # The labelled markers themselves are obstacles too.
    for n in candidates:
        x, y = ax.transData.transform(pos[n])
        r = sizes[n] / 2 * fig.dpi / 72
        taken.append(Bbox.from_extents(x - r, y - r, x + r, y + r))
    placed = 0
    for i, n in enumerate(candidates):
        label = enc.short_label(display_name(str(n), G.nodes[n], show_names), 24)
        gap = sizes[n] / 2 + (4 if n in extras.marks else 1.5)
        bold = extras.marks.get(n) == "focus"
        for dx, dy, ha, va in _label_spots(gap):
            t = ax.text(*pos[n], label, fontsize=style["label"] + (1.5 if bold else 0), ha=ha,
                        va=va, zorder=6, fontweight="bold" if bold else "normal",
                        transform=offset_copy(ax.transData, fig=fig, x=dx, y=dy, units="points"),
                        parse_math=False, linespacing=1.05, color="#111111",
                        bbox={"boxstyle": "round,pad=0.12", "fc": "white", "ec": "none",
                              "alpha": 0.85})
            box = t.get_window_extent(renderer).expanded(1.04, 1.12)
            inside = (area.x0 <= box.x0 and box.x1 <= area.x1
                      and area.y0 <= box.y0 and box.y1 <= area.y1)
            own = first + i
            if inside and not any(box.overlaps(b) for j, b in enumerate(taken) if j != own):
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


def _draw_legend(lax, G, style, lang, w, h, orientation, highlighted, marks=(), hops=(),
                 rings=()) -> None:
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

    def mark_rows(x: float, y: float) -> float:
        if not (marks or highlighted or hops):
            return y
        y = heading(x, y, "marks")
        rows = [(m, enc.text("mark_" + m, lang)) for m in marks]
        if highlighted:
            rows.append(("path", enc.text("highlight", lang)))
        for mark, label in rows:
            width = 2.2 if mark == "focus" else 1.5
            lax.scatter([x + 0.1], [y], s=(fs * 1.2) ** 2, marker="o", facecolors="white",
                        edgecolors="#000000", linewidths=width, clip_on=False,
                        linestyles=[_dashes_mark(mark, width)])
            lax.text(x + 0.3, y, label, fontsize=fs, va="center", parse_math=False)
            y -= step
        if hops:
            lax.text(x, y, enc.text("hops", lang), fontsize=small, va="center",
                     color="#333333", parse_math=False)
            y -= step * 0.8
            for i, hop in enumerate(hops):
                lax.text(x + 0.1, y, f"{i + 1}. {hop}", fontsize=small, va="center",
                         fontstyle="italic", parse_math=False)
                y -= step * 0.75
        return y - step * 0.2

    def notes(x: float, y: float) -> float:
        lines = [enc.text(f"ring_{ring}", lang) for ring, _ in rings]
        if lines:
            lines = [f"{'Innerst' if lang == 'nb' else 'Inner'}: {lines[0]}"] + (
                [f"{'Ytterst' if lang == 'nb' else 'Outer'}: {lines[-1]}"] if len(lines) > 1
                else [])
        for line in [*lines, enc.text("size", lang)]:
            lax.text(x, y, line, fontsize=small, va="center", color="#333333",
                     parse_math=False)
            y -= step * 0.8
        return y - step

    top = h - step / 2
    if orientation == "landscape":
        y = kind_rows(0.05, top)
        y = tie_rows(0.05, y - step * 0.4)
        y = mark_rows(0.05, y - step * 0.2)
        notes(0.05, y - step * 0.2)
    else:
        third = bool(marks or highlighted or hops or rings)
        kind_rows(0.05, top)
        y = tie_rows(w * (0.30 if third else 0.36), top)
        if third:
            y = mark_rows(w * 0.68, top)
            notes(w * 0.68, y)
        else:
            notes(w * 0.36, y)
