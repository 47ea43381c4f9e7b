"""Drawings of the community graph: interactive self-contained HTML maps (``render_map``) and
printable A4/A3 diagrams and booklets (``render_print``, ``render_booklet``). They draw what they
are handed and compute no analysis; they import only the graphsvc core."""

from visualisations.map import render_map
from visualisations.print import render_booklet, render_print

__all__ = ["render_booklet", "render_map", "render_print"]
