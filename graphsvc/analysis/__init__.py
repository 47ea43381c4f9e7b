"""Analyses on the in-memory graph: networkx-style pure functions, ``f(G, *, options) -> data``."""

from graphsvc.analysis.matching import match_need

__all__ = ["match_need"]
