"""The social-capital rules as data: authority levels, group identities and sector keywords.

Shipped in ``graphsvc/data/social_capital_rules.json``; a municipality may override any key with
its own file (setting ``GRAPHSVC_SOCIAL_CAPITAL_RULES``). See docs/analysis/classification.md.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from graphsvc.errors import ConfigError

CLASSES = ("bonding", "bridging", "linking")


@dataclass(frozen=True)
class Rules:
    """Rules for classifying ties and reading gaps; build with :func:`load_rules`."""

    authority: dict[str, int]
    linking_min_gap: int
    kind_overrides: dict[str, str]
    membership_ties: tuple[str, ...]
    identities: tuple[str, ...]
    min_shared: int
    authority_kinds: tuple[str, ...]
    municipality_kinds: tuple[str, ...]
    meeting_place_categories: tuple[str, ...]
    group_by: tuple[str, ...]
    reach_hops: int
    sectors: tuple[dict[str, Any], ...]
    national_rates_year: str
    national_rates_age: str
    key: str = field(default="", compare=False)

    def level(self, kind: str | None) -> int:
        return self.authority.get(kind or "", 0)


def _default_data() -> dict[str, Any]:
    text = resources.files("graphsvc").joinpath("data/social_capital_rules.json").read_text("utf-8")
    return json.loads(text)


def rules_from_dict(data: dict[str, Any]) -> Rules:
    """Rules from a mapping; keys left out keep the shipped defaults, and ``authority`` is
    merged kind by kind.

    >>> r = rules_from_dict({"min_shared": 1, "authority": {"business": 2}})
    >>> r.min_shared, r.level("municipality"), r.level("business"), r.level("individual")
    (1, 3, 2, 0)
    """
    defaults = _default_data()
    merged = {**defaults, **{k: v for k, v in data.items() if not k.startswith("_")}}
    merged.pop("_comment", None)
    # Authority levels merge per kind, so a file can move one kind without restating all.
    merged["authority"] = {**defaults["authority"], **data.get("authority", {})}
    try:
        bad = {v for v in merged["kind_overrides"].values() if v not in CLASSES}
        if bad:
            raise ConfigError("error.rules.kind_overrides",
                              fill={"known": ", ".join(CLASSES), "got": str(sorted(bad))})
        rules = Rules(
            authority={str(k): int(v) for k, v in merged["authority"].items()},
            linking_min_gap=int(merged["linking_min_gap"]),
            kind_overrides=dict(merged["kind_overrides"]),
            membership_ties=tuple(merged["membership_ties"]),
            identities=tuple(merged["identities"]),
            min_shared=int(merged["min_shared"]),
            authority_kinds=tuple(merged["authority_kinds"]),
            municipality_kinds=tuple(merged["municipality_kinds"]),
            meeting_place_categories=tuple(merged["meeting_place_categories"]),
            group_by=tuple(merged["group_by"]),
            reach_hops=int(merged["reach_hops"]),
            sectors=tuple(merged["sectors"]),
            national_rates_year=str(merged["national_rates_year"]),
            national_rates_age=str(merged["national_rates_age"]),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError("error.rules.invalid", fill={"problem": str(exc)}) from exc
    key = hashlib.sha256(json.dumps(merged, sort_keys=True).encode()).hexdigest()[:12]
    object.__setattr__(rules, "key", key)
    return rules


@lru_cache(maxsize=8)
def load_rules(path: str | None = None) -> Rules:
    """The shipped rules, or those in the JSON file at ``path`` merged over them."""
    if not path:
        return rules_from_dict({})
    try:
        data = json.loads(Path(path).read_text("utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ConfigError("error.rules.unreadable", path=path,
                          fill={"problem": str(exc)}) from exc
    return rules_from_dict(data)
