"""Analyses on the in-memory graph: networkx-style pure functions, ``f(G, *, options) -> data``."""

from graphsvc.analysis.brokers import brokers, cross_group_betweenness, structural_holes
from graphsvc.analysis.classify import (
    class_counts,
    classify_pair,
    explain_tie,
    tie_classes,
)
from graphsvc.analysis.communities import communities, partition
from graphsvc.analysis.coverage import coverage
from graphsvc.analysis.gaps import gaps_report
from graphsvc.analysis.matching import match_need
from graphsvc.analysis.paths import linking_path, path_between
from graphsvc.analysis.profiles import group_profile, social_capital_profile
from graphsvc.analysis.rules import Rules, load_rules
from graphsvc.analysis.teams import build_team, reciprocal_pairs

__all__ = [
    "Rules", "brokers", "build_team", "class_counts", "classify_pair", "communities", "coverage",
    "cross_group_betweenness", "explain_tie", "gaps_report", "group_profile", "linking_path",
    "load_rules", "match_need", "partition", "path_between", "reciprocal_pairs",
    "social_capital_profile", "structural_holes", "tie_classes",
]
