"""Ties the registers already know (DESIGN 5.1), against actors in the batch or in the store:

* ``subunit-of-main-unit``: a sub-unit (``BEDR``, ``AAFY``) is ``PART_OF`` its main unit
  (``overordnetEnhet``); ``branch-of-national``: an association naming a parent association
  there is ``PART_OF`` it (a local branch of its national organisation); ``unit-of-parent``:
  any other unit naming its parent;
* ``municipal-unit``: an organisational unit or municipal enterprise (``ORGL``, ``KF``) of a
  kommune, or a unit whose parent is the kommune, is ``PART_OF`` that kommune's actor
  (``frivilligsentral-municipal`` when it is a frivilligsentral the kommune runs).

A business sub-unit (``--include business``) whose main unit is neither in the import nor in
the store is left out and counted: its main unit may be a sole proprietorship (``ENK``), a
person, whose name it then carries.

Every tie names its rule in its provenance; whether it is bonding, bridging or linking is
decided in analysis, as for any tie. ``FKF`` (a county enterprise) belongs to a fylkeskommune,
not to the kommune it sits in, so it gets only its ``overordnetEnhet`` tie.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from graphsvc.model import GraphBatch, Provenance, Tie
from graphsvc.store.base import GraphStore
from loaders.ids import brreg_id

if TYPE_CHECKING:
    from loaders.enrich import Context

__all__ = ["Facts", "register_ties"]

MUNICIPAL_SECTOR = "6500"  # Kommuneforvaltningen
SUB_UNIT_FORMS = frozenset({"BEDR", "AAFY"})  # underenheter
UNSURE_BUSINESS = ("business sub-unit whose main unit is not loaded (it may be a sole "
                   "proprietorship, a natural person)")


def register_ties(store: GraphStore, batch: GraphBatch, ctx: Context) -> dict[str, Any]:
    """Add the ties the registers imply to ``batch``; the counts by rule and the sub-units
    whose parent is not loaded (by orgnr: organisations, never people)."""
    facts = ctx.options.get("register_facts")
    if facts is None:  # one batch holds the whole import
        facts = Facts()
        facts.add_stored(store._all("actors"))
        facts.add_here(a.model_dump(mode="json", exclude_none=True) for a in batch.actors)
    in_batch = {a.id for a in batch.actors}
    ties, report = facts.ties()
    # A bulk import (loaders/importer.py) writes the ties among actors it wrote already on its
    # own (``ctx.options["register_ties_out"]``); the batch takes those of its actors.
    out = ctx.options.get("register_ties_out")
    batch.ties.extend(t for t in ties if out is None or t.source in in_batch
                      or t.target in in_batch)
    if out is not None:
        out.extend(t for t in ties if t.source not in in_batch and t.target not in in_batch)
    # A business sub-unit whose main unit is not loaded may belong to a sole proprietorship
    # (ENK, a natural person), and then it usually carries the owner's name: leave it out.
    unsure = {a.id for a in batch.actors if a.kind == "business" and a.orgform == "BEDR"
              and a.parent_orgnr and brreg_id(a.parent_orgnr) not in facts}
    batch.actors = [a for a in batch.actors if a.id not in unsure]
    return report | {"left_out": {UNSURE_BUSINESS: len(unsure)} if unsure else {}}


def _key(actor_id: str) -> int | str:
    """``brreg:<9 digits>`` as the number (28 bytes instead of 64), any other id as it is."""
    if len(actor_id) == 15 and actor_id.startswith("brreg:") and actor_id[6:].isdigit():
        return int(actor_id[6:])
    return actor_id


_KEPT = ("id", "kind", "orgform", "sector", "kommunenummer", "parent_orgnr", "orgnr")


class Facts:
    """What the register ties need to know of every actor of an import and of the store, kept
    small enough for an import of 400 000 actors: each actor's kind (a parent's kind names the
    rule), and in full (a few fields) only the actors that can be a child: those naming a
    parent, municipal units (``KF``, sector 6500) and the kommuner themselves. An actor of the
    import ("here") replaces the stored one with the same id."""

    def __init__(self) -> None:
        self._stored: dict[int | str, str] = {}
        self._here: dict[int | str, str] = {}
        self._full: dict[int | str, dict[str, Any]] = {}

    def add_stored(self, records: Iterable[dict[str, Any]]) -> None:
        for data in records:
            # Stored actors matter as parents, as kommuner, and as children of a parent here.
            if data.get("kind") == "municipality" or data.get("orgnr"):
                key = _key(data["id"])
                if key not in self._here:
                    self._stored[key] = sys.intern(data.get("kind") or "")
                    self._keep(key, data)

    def add_here(self, records: Iterable[dict[str, Any]]) -> None:
        for data in records:
            key = _key(data["id"])
            self._stored.pop(key, None)
            self._here[key] = sys.intern(data.get("kind") or "")
            self._full.pop(key, None)
            self._keep(key, data)

    def _keep(self, key: int | str, data: dict[str, Any]) -> None:
        if data.get("parent_orgnr") or data.get("kind") == "municipality" or \
                data.get("orgform") == "KF" or data.get("sector") == MUNICIPAL_SECTOR:
            slim = {k: data[k] for k in _KEPT if data.get(k) is not None}
            prov = data.get("provenance") or {}
            slim["provenance"] = {k: prov[k] for k in ("source", "source_row", "loaded_at")
                                  if prov.get(k) is not None}
            self._full[key] = slim

    def __contains__(self, actor_id: object) -> bool:
        key = _key(actor_id) if isinstance(actor_id, str) else actor_id
        return key in self._here or key in self._stored

    def is_here(self, actor_id: str) -> bool:
        return _key(actor_id) in self._here

    def get(self, actor_id: str) -> dict[str, Any] | None:
        key = _key(actor_id)
        if key in self._full:
            return self._full[key]
        kind = self._here.get(key, self._stored.get(key))
        return None if kind is None else {"id": actor_id, "kind": kind}

    def ties(self) -> tuple[list[Tie], dict[str, Any]]:
        """Every tie the registers imply with at least one end here; the counts by rule and
        the orgnrs of actors here whose parent is not loaded."""
        municipalities: dict[str, list[str]] = {}
        for data in self._full.values():
            if data.get("kind") == "municipality" and data.get("kommunenummer"):
                municipalities.setdefault(data["kommunenummer"], []).append(data["id"])
        ties: dict[tuple[str, str], Tie] = {}
        missing: set[str] = set()
        counts: Counter[str] = Counter()

        def add(child: dict[str, Any], parent: dict[str, Any], rule: str) -> None:
            key = (child["id"], parent["id"])
            if key[0] == key[1] or key in ties:
                return
            if not self.is_here(key[0]) and not self.is_here(key[1]):
                return  # nothing of this import: the tie was made when one of them was loaded
            src = child.get("provenance") or {"source": "register"}
            ties[key] = Tie(
                source=key[0], target=key[1], kind="PART_OF", strength=1.0,
                provenance=Provenance(source=src.get("source", "register"),
                                      source_row=src.get("source_row"),
                                      loaded_at=src.get("loaded_at"), rule=rule))
            counts[rule] += 1

        for data in sorted(self._full.values(), key=lambda d: d["id"]):
            actor_id = data["id"]
            parent_orgnr = data.get("parent_orgnr")
            parent_id = brreg_id(parent_orgnr) if parent_orgnr else None
            parent = self.get(parent_id) if parent_id else None
            if parent is not None:
                add(data, parent, _parent_rule(data, parent))
            elif parent_id and self.is_here(actor_id):
                missing.add(data.get("orgnr") or actor_id)
            if data.get("kind") == "municipality":
                continue
            kommune = _kommune(data, parent, municipalities)
            if kommune and kommune != parent_id:
                add(data, self.get(kommune) or {"id": kommune}, _parent_rule(
                    data, self.get(kommune) or {}))
        return list(ties.values()), {"ties": dict(sorted(counts.items())),
                                     "parent_not_loaded": sorted(missing)}


def _parent_rule(child: dict[str, Any], parent: dict[str, Any]) -> str:
    if parent.get("kind") == "municipality":
        return "frivilligsentral-municipal" if child.get("kind") == "frivilligsentral" \
            else "municipal-unit"
    if child.get("orgform") in SUB_UNIT_FORMS:
        return "subunit-of-main-unit"
    if child.get("kind") == parent.get("kind") == "association":
        return "branch-of-national"
    return "unit-of-parent"


def _kommune(data: dict[str, Any], parent: dict[str, Any] | None,
             municipalities: dict[str, list[str]]) -> str | None:
    """The kommune actor a municipal unit belongs to: its parent if that is the kommune, else
    the kommune actor of its kommunenummer (``brreg:`` before ``kommune:``)."""
    if parent is not None and parent.get("kind") == "municipality":
        return str(parent["id"])
    # An ORGL may be the state's (NAV, a court): only the sector code says it is the kommune's.
    municipal = data.get("orgform") == "KF" or data.get("sector") == MUNICIPAL_SECTOR
    if not municipal:
        return None
    ids = sorted(municipalities.get(data.get("kommunenummer") or "", []))
    return ids[0] if ids else None

