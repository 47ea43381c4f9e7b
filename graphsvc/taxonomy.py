"""The two-level category taxonomy that resources and needs are filed under.

The list ships inside the package (``graphsvc/data/categories.csv``); codes are stable once data
uses them. ``fit`` says how well an offered category meets a needed one.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

Fit = Literal["exact", "parent", "sibling", "none"]


@dataclass(frozen=True)
class Category:
    code: str
    parent: str | None
    name_nb: str
    name_en: str

    def name(self, lang: str = "nb") -> str:
        return self.name_en if lang == "en" else self.name_nb


class Taxonomy:
    """Category lookup and fit.

    >>> tax = load_taxonomy()
    >>> tax.fit("help.transport", "help.transport")
    'exact'
    >>> tax.fit("help", "help.transport")
    'parent'
    >>> tax.fit("help.shopping", "help.transport")
    'sibling'
    >>> tax.name("help.transport")
    'Transport og følge'
    """

    def __init__(self, categories: list[Category]) -> None:
        self.by_code = {c.code: c for c in categories}

    def __contains__(self, code: object) -> bool:
        return code in self.by_code

    def __iter__(self):
        return iter(self.by_code.values())

    def parent_of(self, code: str) -> str:
        cat = self.by_code.get(code)
        return cat.parent if cat and cat.parent else code

    def leaves(self) -> list[str]:
        return [c.code for c in self.by_code.values() if c.parent]

    def name(self, code: str, lang: str = "nb") -> str:
        cat = self.by_code.get(code)
        return cat.name(lang) if cat else code

    def fit(self, offered: str, needed: str) -> Fit:
        """How well ``offered`` meets ``needed``: exact, parent (the offer is the broader group or
        the need is), sibling (same group), or none."""
        if offered == needed:
            return "exact"
        po, pn = self.parent_of(offered), self.parent_of(needed)
        if offered == pn or needed == po:
            return "parent"
        if po == pn:
            return "sibling"
        return "none"


@lru_cache(maxsize=1)
def load_taxonomy() -> Taxonomy:
    text = resources.files("graphsvc").joinpath("data/categories.csv").read_text("utf-8")
    rows = csv.DictReader(line for line in text.splitlines() if not line.startswith("#"))
    return Taxonomy(
        [
            Category(r["code"], r["parent"] or None, r["name_nb"], r["name_en"])
            for r in rows
        ]
    )
