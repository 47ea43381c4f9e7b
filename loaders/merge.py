"""Merge what one source says about an actor into what the store already holds, field by field,
so several sources make one actor and the result does not depend on the order they are loaded.

Rules (docs/loaders.md explains why):

* every field remembers the source format that set it (``field_sources``); a source may set a
  field if it is empty, or if the source ranks at least as high as the one that set it
  (:data:`RANK`: Enhetsregisteret > kommune codes > Frivillighetsregisteret > municipal open data
  > workshop sheets). The same source again replaces its own values — a newer file updates;
* a source that describes whole records (all but Frivillighetsregisteret) and no longer gives a
  field it set before clears it;
* ``kind``: *frivilligsentral* refines association, institution and business whichever source
  says it; otherwise the rank decides;
* ``categories`` is the sorted union over sources;
* ``sources`` keeps one provenance per source format; ``provenance`` is that of the
  highest-ranking source;
* if nothing but provenance (file name, row, load time) would change, the stored record is kept
  as it is, so loading the same file twice, or a copy under another name, writes nothing: a
  record's provenance says which file last *changed* it.
"""

from __future__ import annotations

from typing import Any

__all__ = ["RANK", "merge_actor"]

RANK: dict[str, int] = {
    "brreg": 50,
    "kommuner": 40,
    "frivillighet": 30,
    "opendata": 20,
    "workshop": 10,
}
_META = frozenset({"id", "provenance", "sources", "field_sources", "categories"})
_REFINES = {"frivilligsentral": frozenset({"association", "institution", "business"})}


def merge_actor(
    stored: dict[str, Any] | None,
    given: dict[str, Any],
    fmt: str,
    provenance: dict[str, Any],
    *,
    whole: bool = True,
) -> dict[str, Any]:
    """The actor's data after source ``fmt`` said ``given`` (JSON-ready fields, no ``None``).

    >>> e = merge_actor(None, {"id": "brreg:1", "kind": "association", "name": "HOLMEN VEL"},
    ...                 "brreg", {"source": "e.csv"})
    >>> w = merge_actor(e, {"id": "brreg:1", "kind": "association", "name": "Holmen vel",
    ...                     "district": "Holmen"}, "workshop", {"source": "w.csv"})
    >>> w["name"], w["district"], w["field_sources"]["district"], sorted(w["sources"])
    ('HOLMEN VEL', 'Holmen', 'workshop', ['brreg', 'workshop'])
    >>> f = merge_actor(w, {"kind": "frivilligsentral", "kind_rule": "icnpo-8200"}, "frivillighet",
    ...                 {"source": "f.json"}, whole=False)
    >>> f["kind"], f["kind_rule"]
    ('frivilligsentral', 'icnpo-8200')
    >>> merge_actor(f, {"id": "brreg:1", "kind": "association", "kind_rule": "fli",
    ...                 "name": "HOLMEN VEL"}, "brreg", {"source": "e.csv"})["kind_rule"]
    'icnpo-8200'
    """
    out = dict(stored) if stored else {"id": given["id"]}
    sources_by_field = dict(out.get("field_sources") or {})
    rank = RANK[fmt]
    for field, value in given.items():
        if field in _META or field == "kind_rule":
            continue
        current, setter = out.get(field), sources_by_field.get(field)
        outranks = setter is None or rank >= RANK.get(setter, 0)
        if current == value:
            if outranks:  # the same value: credit the higher-ranking source
                sources_by_field[field] = fmt
            continue
        if current is None:
            take = True
        elif field == "kind" and (pick := _refine(current, value)) is not None:
            take = pick == value
        else:
            take = outranks
        if take:
            out[field] = value
            sources_by_field[field] = fmt
    # The rule that classified the actor goes with the kind it gave: a frivilligsentral that
    # Frivillighetsregisteret recognised keeps its rule when the register says 'association'.
    if "kind_rule" in given and out.get("kind") == given.get("kind") and (
            sources_by_field.get("kind") == fmt or out.get("kind_rule") is None):
        if out.get("kind_rule") != given["kind_rule"]:
            out["kind_rule"] = given["kind_rule"]
        sources_by_field["kind_rule"] = fmt
    if whole:
        for field, setter in list(sources_by_field.items()):
            if setter == fmt and field not in given and field not in ("kind", "name"):
                out.pop(field, None)
                del sources_by_field[field]
    categories = sorted({*out.get("categories", []), *given.get("categories", [])})
    if categories:
        out["categories"] = categories
    sources = dict(out.get("sources") or {})
    sources[fmt] = provenance
    out["sources"] = dict(sorted(sources.items()))
    out["field_sources"] = dict(sorted(sources_by_field.items()))
    out["provenance"] = sources[max(sources, key=lambda s: RANK.get(s, 0))]
    if stored is not None and _without_provenance(out) == _without_provenance(stored):
        return stored
    return out


def _refine(a: str, b: str) -> str | None:
    for specific, general in _REFINES.items():
        if (a == specific and b in general) or (b == specific and a in general):
            return specific
    return None


def _without_provenance(data: dict[str, Any]) -> dict[str, Any]:
    """The record as a user sees it: which sources gave it, but not which file, row or time."""
    out = dict(data)
    out.pop("provenance", None)
    out["sources"] = sorted(out.get("sources") or {})
    return out
