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

from collections import Counter
from typing import Any

from typing import TYPE_CHECKING

from graphsvc.model import GraphBatch, Provenance, Tie
from graphsvc.store.base import GraphStore
from loaders.ids import brreg_id

if TYPE_CHECKING:
    from loaders.enrich import Context

__all__ = ["register_ties"]

MUNICIPAL_SECTOR = "6500"  # Kommuneforvaltningen
SUB_UNIT_FORMS = frozenset({"BEDR", "AAFY"})  # underenheter
UNSURE_BUSINESS = ("business sub-unit whose main unit is not loaded (it may be a sole "
                   "proprietorship, a natural person)")


def register_ties(store: GraphStore, batch: GraphBatch, ctx: Context) -> dict[str, Any]:
    """Add the ties the registers imply to ``batch``; the counts by rule and the sub-units
    whose parent is not loaded (by orgnr: organisations, never people)."""
    here = {a.id: a.model_dump(mode="json", exclude_none=True) for a in batch.actors}
    stored: dict[str, dict[str, Any]] = {}
    municipalities: dict[str, list[str]] = {}
    for data in store._all("actors"):
        if data["id"] in here:
            continue
        # Stored actors matter as parents, as kommuner, and as children of a parent in the batch.
        if data.get("kind") == "municipality" or data.get("orgnr"):
            stored[data["id"]] = data
    everyone = {**stored, **here}
    for actor_id, data in everyone.items():
        if data.get("kind") == "municipality" and data.get("kommunenummer"):
            municipalities.setdefault(data["kommunenummer"], []).append(actor_id)
    ties: dict[tuple[str, str], Tie] = {}
    missing: set[str] = set()
    counts: Counter[str] = Counter()

    def add(child: str, parent: str, rule: str) -> None:
        if child == parent or (child, parent) in ties:
            return
        if child not in here and parent not in here:
            return  # nothing of this import: the tie was made when one of them was loaded
        src = everyone[child].get("provenance") or {"source": "register"}
        ties[(child, parent)] = Tie(
            source=child, target=parent, kind="PART_OF", strength=1.0,
            provenance=Provenance(source=src.get("source", "register"),
                                  source_row=src.get("source_row"),
                                  loaded_at=src.get("loaded_at"), rule=rule))
        counts[rule] += 1

    for actor_id, data in sorted(everyone.items()):
        parent_orgnr = data.get("parent_orgnr")
        parent = brreg_id(parent_orgnr) if parent_orgnr else None
        if parent and parent in everyone:
            add(actor_id, parent, _parent_rule(data, everyone[parent]))
        elif parent and actor_id in here:
            missing.add(data.get("orgnr") or actor_id)
        if data.get("kind") == "municipality":
            continue
        kommune = _kommune(data, everyone.get(parent) if parent else None, municipalities)
        if kommune and kommune != parent:
            add(actor_id, kommune, _parent_rule(data, everyone[kommune]))
    batch.ties.extend(ties.values())
    # A business sub-unit whose main unit is not loaded may belong to a sole proprietorship
    # (ENK, a natural person), and then it usually carries the owner's name: leave it out.
    unsure = {a.id for a in batch.actors if a.kind == "business" and a.orgform == "BEDR"
              and a.parent_orgnr and brreg_id(a.parent_orgnr) not in everyone}
    batch.actors = [a for a in batch.actors if a.id not in unsure]
    return {"ties": dict(sorted(counts.items())),
            "parent_not_loaded": sorted(missing),
            "left_out": {UNSURE_BUSINESS: len(unsure)} if unsure else {}}


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

