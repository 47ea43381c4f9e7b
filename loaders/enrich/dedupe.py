"""Enrichment step "merge": one actor per real organisation across sources (DESIGN 5.1).

Open-data and workshop organisations without an orgnr (``odata:…``, ``ws:…``) are matched to
register actors (``brreg:…``, not individuals, not ``ENK``) of the same kommune with
:func:`loaders.matching.match`; ``kommune:<code>`` from the kommune list is the register's
``KOMM`` actor of that kommune. A certain match folds the row into the register actor: the
row's fields fill it through :func:`loaders.merge.merge_actor` (the register's values win by
rank), the row's id becomes one of its ``aliases`` (so the duplicate is never created, and a
stored one is erased in the same write), and ties, offers and needs of the row move to it.
The register id wins because every other source can name it (``brreg:<orgnr>``, DESIGN 3.2);
the alias makes a later load of either file, in either order, land on the same actor.

Uncertain pairs are listed for a person, who decides with ``graphsvc merge KEEP OTHER`` or
``graphsvc keep-apart A B`` (``POST /merges``, ``POST /keep-apart``): the decision is stored
(document :data:`DECISIONS`) and every later import honours it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from graphsvc.errors import NotFoundError, ValidationError
from graphsvc.i18n import register_texts
from graphsvc.model import Actor, GraphBatch, Need, Resource, Tie
from graphsvc.store.base import GraphStore
from loaders.matching import match
from loaders.merge import RANK, merge_actor

if TYPE_CHECKING:
    from loaders.enrich import Context

__all__ = ["DECISIONS", "PENDING", "keep_apart", "merge_actors", "pending_pairs", "step"]

DECISIONS = "merge-decisions"
# The possible duplicates nobody has decided on yet, kept until ``merge`` or ``keep-apart``
# settles them (or one of the two is gone), so every later import and coverage list them.
PENDING = "merge-pending"
_FORMAT_OF = {"odata": "opendata", "ws": "workshop", "kommune": "kommuner", "brreg": "brreg"}
_META = {"id", "provenance", "sources", "field_sources", "aliases", "categories"}

TEXTS = register_texts(__name__, {
    "nb": {
        "error.merge.same": "en aktør kan ikke slås sammen med seg selv ('{id}')",
    },
    "en": {
        "error.merge.same": "an actor cannot be merged with itself ('{id}')",
    },
})


def _fmt(data: dict[str, Any]) -> str:
    sources = data.get("sources") or {}
    if sources:
        return max(sources, key=lambda s: RANK.get(s, 0))
    return _FORMAT_OF.get(data["id"].split(":", 1)[0], "workshop")


def _is_register(data: dict[str, Any]) -> bool:
    return (data["id"].startswith("brreg:") and data.get("kind") != "individual"
            and data.get("orgform") != "ENK")


def _is_row(data: dict[str, Any]) -> bool:
    return data["id"].split(":", 1)[0] in ("odata", "ws", "kommune") \
        and data.get("kind") != "individual" and not data.get("orgnr")


def _pair(a: str, b: str) -> list[str]:
    return sorted((a, b))


def decisions(store: GraphStore) -> dict[str, list[list[str]]]:
    """The stored decisions: ``{"merge": [[kept, other], ...], "keep_apart": [[a, b], ...]}``."""
    return store.documents([DECISIONS]).get(DECISIONS) or {"merge": [], "keep_apart": []}


def step(store: GraphStore, batch: GraphBatch, ctx: Context) -> dict[str, Any]:
    here = {a.id: a.model_dump(mode="json", exclude_none=True) for a in batch.actors}
    stored_all = {d["id"]: d for d in store._all("actors") if d["id"] not in here}
    everyone = {**stored_all, **here}
    apart = {tuple(p) for p in decisions(store)["keep_apart"]}
    alias_of = {x: k for k, d in everyone.items() for x in d.get("aliases") or []}
    registers: dict[str, list[dict[str, Any]]] = {}
    municipalities: dict[str, list[str]] = {}
    for d in everyone.values():
        if _is_register(d) and d.get("kommunenummer"):
            registers.setdefault(d["kommunenummer"], []).append(d)
            if d.get("orgform") == "KOMM" or d.get("kind") == "municipality":
                municipalities.setdefault(d["kommunenummer"], []).append(d["id"])
    merges: dict[str, tuple[str, dict[str, Any]]] = {}  # row id → (register id, why)
    uncertain: list[dict[str, Any]] = []
    for rid, row in sorted(everyone.items()):
        if not _is_row(row):
            continue
        if rid in alias_of:  # merged before (by this step or by a person)
            merges[rid] = (alias_of[rid], {"rule": "decision"})
            continue
        knr = row.get("kommunenummer")
        if rid.startswith("kommune:"):
            kommuner = [k for k in municipalities.get(knr or "", [])
                        if tuple(_pair(rid, k)) not in apart]
            if len(kommuner) == 1 and (rid in here or kommuner[0] in here):
                merges[rid] = (kommuner[0], {"rule": "municipality"})
            continue
        found = []
        for reg in registers.get(knr or "", []):
            if rid not in here and reg["id"] not in here:
                continue  # neither is new: decided when one of them was loaded
            if tuple(_pair(rid, reg["id"])) in apart:
                continue
            if (m := match(row, reg)) is not None:
                found.append((reg, m))
        certain = [(r, m) for r, m in found if m["verdict"] == "certain"]
        if len(certain) == 1:
            merges[rid] = (certain[0][0]["id"], {"rule": "fuzzy"} | certain[0][1])
            continue
        for reg, m in found:
            uncertain.append({"id": rid, "name": row["name"], "candidate": reg["id"],
                              "candidate_name": reg["name"], **m}
                             | ({"verdict": "uncertain", "why": "several certain"}
                                if len(certain) > 1 else {}))
    merged = _fold(store, batch, everyone, {r: k for r, (k, _) in merges.items()}, here)
    known = {(u["id"], u["candidate"]) for u in pending_pairs(store)}
    pending = _pending(store, uncertain, set(everyone) - merged - set(alias_of), apart)
    batch.documents[PENDING] = pending
    fresh = {(u["id"], u["candidate"]) for u in uncertain} - known
    return {
        "merged": [{"id": r, "into": k, **why} for r, (k, why) in sorted(merges.items())
                   if r in merged],
        "uncertain": pending,
        "uncertain_new": sum((u["id"], u["candidate"]) in fresh for u in pending),
        "kept_apart": len(apart),
    }


def pending_pairs(store: GraphStore) -> list[dict[str, Any]]:
    """The possible duplicates still to decide (as the merge step listed them)."""
    return list(store.documents([PENDING]).get(PENDING) or [])


def _pending(store: GraphStore, found: list[dict[str, Any]], alive: set[str],
             apart: set[tuple[str, ...]]) -> list[dict[str, Any]]:
    """Still to decide: what this import found, and what earlier imports found that no
    decision has settled and whose two actors are both still there."""
    pairs = {(u["id"], u["candidate"]): u for u in pending_pairs(store)}
    pairs.update({(u["id"], u["candidate"]): u for u in found})
    return [u for key, u in sorted(pairs.items())
            if key[0] in alive and key[1] in alive and tuple(_pair(*key)) not in apart]


def _fold(store: GraphStore, batch: GraphBatch, everyone: dict[str, dict[str, Any]],
          into: dict[str, str], here: dict[str, dict[str, Any]]) -> set[str]:
    """Fold each row into its register actor in ``batch``; the row ids folded."""
    if not into:
        return set()
    actors = {a.id: a.model_dump(mode="json", exclude_none=True) for a in batch.actors}
    done: set[str] = set()
    for rid, kid in sorted(into.items()):
        if kid not in everyone:
            continue
        kept = actors.get(kid) or dict(everyone[kid])
        row = everyone[rid]
        aliases = sorted({*(kept.get("aliases") or []), rid, *(row.get("aliases") or [])})
        kept = _absorb(kept, row)
        if aliases != kept.get("aliases"):
            kept = kept | {"aliases": aliases}
        if kept != everyone.get(kid) or kid in actors:
            actors[kid] = kept
        actors.pop(rid, None)
        done.add(rid)
    batch.actors = [Actor.model_validate(d) for d in actors.values()]
    _redirect(store, batch, {r: k for r, k in into.items() if r in done})
    return done


def _stored(store: GraphStore, ids: list[str]) -> dict[str, dict[str, Any]]:
    return store._fetch("actors", ids)


def _absorb(kept: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """``kept`` after ``other``'s fields filled it (per-field merge, by the other's source)."""
    given = {k: v for k, v in other.items() if k not in _META} | {"id": kept["id"]}
    given["categories"] = other.get("categories") or []
    prov = (other.get("provenance") or {"source": other["id"]})
    return merge_actor(kept, given, _fmt(other), prov, whole=False)


def _redirect(store: GraphStore, batch: GraphBatch, into: dict[str, str]) -> None:
    """Ties, offers and needs of the folded ids (in the batch and stored) now name the kept
    actor; a tie that would join an actor to itself is dropped."""
    gone = set(into)
    stored_ties = [Tie.model_validate(t) for t in store._all("ties")
                   if t["source"] in gone or t["target"] in gone]
    ties = []
    for t in [*batch.ties, *stored_ties]:
        s, g = into.get(t.source, t.source), into.get(t.target, t.target)
        if s == g:
            continue
        ties.append(t if (s, g) == (t.source, t.target) else t.model_copy(
            update={"source": s, "target": g}))
    batch.ties = ties
    for name, model in (("resources", Resource), ("needs", Need)):
        held = [model.model_validate(r) for r in store._all(name) if r["holder"] in gone]
        records = [*getattr(batch, name), *held]
        # An offer derived from the folded actor's register fields is not moved: it goes with
        # the folded actor, and the "offers" step derives the kept actor's from its merged
        # fields (a moved one would keep the folded id and double the kept actor's own).
        setattr(batch, name, [r.model_copy(update={"holder": into[r.holder]})
                              if r.holder in gone else r for r in records
                              if not (r.holder in gone and getattr(r, "derived_by", None)
                                      and not getattr(r, "confirmed", True))])


# ---- a person's decisions ---------------------------------------------------------------------
def merge_actors(store: GraphStore, keep: str, other: str) -> dict[str, Any]:
    """Merge ``other`` into ``keep`` now and remember it: ``other``'s fields fill ``keep``,
    its ties, offers and needs move to ``keep``, and ``other`` is erased, in one write; later
    imports of ``other`` land on ``keep``."""
    if keep == other:
        raise ValidationError("error.merge.same", id=keep)
    found = _stored(store, [keep, other])
    for x in (keep, other):
        if x not in found:
            raise NotFoundError("error.not_found.actor", id=x)
    kept = _absorb(found[keep], found[other])
    kept["aliases"] = sorted({*(kept.get("aliases") or []), other,
                              *(found[other].get("aliases") or [])})
    batch = GraphBatch(actors=[Actor.model_validate(kept)])
    _redirect(store, batch, {other: keep})
    moved = {"ties_moved": len(batch.ties), "resources_moved": len(batch.resources),
             "needs_moved": len(batch.needs)}
    # The merged fields may give the kept actor a district and offers: the same steps an
    # import runs, over this one actor.
    from loaders.enrich import Context, districts, offers

    districts(store, batch, Context())
    offers(store, batch, Context())
    doc = decisions(store)
    doc["merge"] = sorted({(*p,) for p in doc["merge"]} | {(keep, other)})
    doc["keep_apart"] = [p for p in doc["keep_apart"] if p != _pair(keep, other)]
    pending = [u for u in pending_pairs(store) if other not in (u["id"], u["candidate"])]
    report = store.write(batch, documents={DECISIONS: _lists(doc), PENDING: pending})
    return {"kept": keep, "merged": other, **moved, "revision": report.revision}


def keep_apart(store: GraphStore, a: str, b: str) -> dict[str, Any]:
    """Remember that ``a`` and ``b`` are different organisations: no import merges them or
    lists them as uncertain again."""
    if a == b:
        raise ValidationError("error.merge.same", id=a)
    found = _stored(store, [a, b])
    for x in (a, b):
        if x not in found:
            raise NotFoundError("error.not_found.actor", id=x)
    doc = decisions(store)
    doc["keep_apart"] = sorted({(*p,) for p in doc["keep_apart"]} | {tuple(_pair(a, b))})
    pending = [u for u in pending_pairs(store) if _pair(u["id"], u["candidate"]) != _pair(a, b)]
    report = store.write(GraphBatch(), documents={DECISIONS: _lists(doc), PENDING: pending})
    return {"kept_apart": _pair(a, b), "revision": report.revision}


def _lists(doc: dict[str, Any]) -> dict[str, list[list[str]]]:
    return {k: [list(p) for p in doc[k]] for k in ("merge", "keep_apart")}
