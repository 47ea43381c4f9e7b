"""Enrichment step "offers": what a loaded organisation can offer, derived from what the
registers say (NACE code, organisation form, ICNPO categories, kind, the name and the
``aktivitet``/``vedtektsfestetFormaal`` text) and from the ``--category`` an open-data file was
loaded with, by the rules in graphsvc/data/offer_rules.json (DESIGN 5.1).

A derived offer has the id a workshop sheet gives the same offer (``<actor>:offer:<code>``),
``derived_by`` (the rule) and ``confirmed=False``: when a sheet states the offer it replaces the
derived one, and a later register import leaves the stated one alone. The ids depend only on
actor and category, so a reload derives the same records and changes nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache, lru_cache
from importlib import resources as ir
from typing import TYPE_CHECKING, Any

from graphsvc.model import Actor, GraphBatch, Provenance, Resource
from graphsvc.store.base import GraphStore

if TYPE_CHECKING:
    from loaders.enrich import Context

LABEL_RULE = "category-label"  # the --category an open-data file was loaded with


@cache
def rules() -> dict[str, Any]:
    """The offer rules (graphsvc/data/offer_rules.json), stems normalised like the text."""
    data = json.loads(ir.files("graphsvc.data").joinpath("offer_rules.json").read_text("utf-8"))
    for rule in data["text"]:
        stems = rule["stems"]
        rule["_inside"] = tuple(normalise(s[1:]) for s in stems if s.startswith("*"))
        rule["_end"] = tuple(normalise(s[1:]) + e for s in stems if s.startswith("-")
                             for e in ENDINGS)
        rule["_word"] = frozenset(normalise(s[1:]) + e for s in stems if s.startswith("=")
                                  for e in ENDINGS)
        rule["_start"] = tuple(normalise(s) for s in stems if s[0] not in "*-=")
        rule["_except"] = tuple(normalise(s) for s in rule.get("except", ()) if s[0] != "*")
        rule["_except_inside"] = tuple(normalise(s[1:]) for s in rule.get("except", ())
                                       if s[0] == "*")
    return data


# Inflection endings a compound's head or a whole word may carry (bokmål and nynorsk).
ENDINGS = ("", "e", "en", "er", "et", "ene", "a", "ar", "ane", "s", "ens", "ets")


def _meets(word: str, rule: dict[str, Any]) -> bool:
    if word.startswith(rule["_except"]) or any(s in word for s in rule["_except_inside"]):
        return False
    if word in rule["_word"] or word.startswith(rule["_start"]):
        return True
    if word.endswith(rule["_end"]) and any(  # the head of a compound, not the word alone
            word.endswith(e) and len(word) > len(e) for e in rule["_end"]):
        return True
    return any(s in word for s in rule["_inside"])


def normalise(text: str) -> str:
    """Case folded, accents dropped but æ, ø and å kept (letters of their own in Norwegian).

    >>> normalise("Kafé-ÅPEN Møteplass")
    'kafe-åpen møteplass'
    """
    folded = unicodedata.normalize("NFC", text).casefold()
    if folded.isascii():
        return folded
    # å is a + ring when decomposed: keep it aside (æ and ø do not decompose).
    bare = _COMBINING.sub("", unicodedata.normalize("NFD", folded.replace("å", "\x00")))
    return unicodedata.normalize("NFC", bare).replace("\x00", "å")


_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


_WORD = re.compile(r"[a-z0-9æøå]+")


def text_rules(text: str) -> list[tuple[str, str, str]]:
    """``(rule id, category, matched word)`` for every text rule a word of ``text`` meets.

    >>> [r[:2] for r in text_rules("Barnefotball og KORPS")][:3]
    [('text-sports', 'activity'), ('text-music', 'culture.music'), ('text-children-youth', 'activity')]
    """
    first: dict[int, str] = {}  # rule's position → the first word of the text that meets it
    for word in _WORD.findall(normalise(text)):
        for i in _word_rules(word):
            first.setdefault(i, word)
    text_rules_ = rules()["text"]
    return [(text_rules_[i]["id"], code, first[i]) for i in sorted(first)
            for code in text_rules_[i]["offers"]]


@lru_cache(maxsize=100_000)
def _word_rules(word: str) -> tuple[int, ...]:
    """The text rules (by position) one word meets: words repeat across a register's texts, so
    each is tested against the rules once (100 000 actors' texts in seconds, not minutes)."""
    return tuple(i for i, rule in enumerate(rules()["text"]) if _meets(word, rule))


def derive(actor: Actor) -> dict[str, tuple[str, str]]:
    """Category → (rule id, what it read) for one actor; the first rule giving a category wins
    (labels, then kind, NACE, ICNPO, organisation form, then the words)."""
    data = rules()
    found: dict[str, tuple[str, str]] = {}

    def add(rule_id: str, codes: list[str], evidence: str) -> None:
        for code in codes:
            found.setdefault(code, (rule_id, evidence))

    add(LABEL_RULE, [c for c in actor.categories if not c.startswith("icnpo:")], "--category")
    for rule in data["kind"]:
        if actor.kind == rule["kind"]:
            add(rule["id"], rule["offers"], actor.kind)
    if actor.nace:
        for rule in sorted(data["nace"], key=lambda r: -len(r["prefix"])):
            if actor.nace.startswith(rule["prefix"]):
                add(rule["id"], rule["offers"], f"NACE {actor.nace}")
                break
    icnpo = {c.code for c in actor.icnpo or ()} | {
        c.removeprefix("icnpo:") for c in actor.categories if c.startswith("icnpo:")}
    for rule in data["icnpo"]:
        if hit := sorted(icnpo & set(rule["codes"])):
            add(rule["id"], rule["offers"], f"ICNPO {hit[0]}")
    for rule in data["orgform"]:
        if actor.orgform == rule["code"]:
            add(rule["id"], rule["offers"], actor.orgform)
    text = " ".join(t for t in (actor.name, actor.activity, actor.purpose) if t)
    for rule_id, code, word in text_rules(text):
        found.setdefault(code, (rule_id, word))
    return found


def offer_id(actor_id: str, category: str) -> str:
    """The id a workshop sheet gives this actor's offer of ``category`` (loaders/workshop.py)."""
    return f"{actor_id}:offer:{category}"


@cache
def precedence() -> dict[str, int]:
    """Rule id → its rank in :func:`derive`'s order (lower wins)."""
    data = rules()
    nace = sorted(data["nace"], key=lambda r: -len(r["prefix"]))
    order = [LABEL_RULE, *(r["id"] for part in (data["kind"], nace, data["icnpo"],
                                                  data["orgform"], data["text"]) for r in part)]
    return {rule_id: i for i, rule_id in enumerate(order)}


def step(store: GraphStore, batch: GraphBatch, ctx: Context) -> dict[str, Any]:
    known = _taxonomy()
    # (A bulk import's chunks hold no sheet rows: it passes what the sheets state.)
    stated = {r.id for r in batch.resources if r.confirmed} | set(ctx.options.get("stated", ()))
    derived: list[Resource] = []
    for actor in batch.actors:
        if actor.kind == "individual" or not set(actor.sources or {"register"}) - {"workshop"}:
            continue  # people, and actors only a sheet knows: the sheet states their offers
        for code, (rule_id, evidence) in sorted(derive(actor).items()):
            # An actor without an orgnr may yet be merged into a register actor (a later
            # import, ``graphsvc merge``): its derived offers are dropped then and derived
            # again for the kept actor from the merged fields (dedupe._redirect).
            if code in known:
                derived.append(Resource(
                    id=offer_id(actor.id, code), holder=actor.id, category=code,
                    district=None, description=evidence, derived_by=rule_id, confirmed=False,
                    provenance=Provenance(
                        source=actor.provenance.source if actor.provenance else "register",
                        source_row=actor.provenance.source_row if actor.provenance else None,
                        rule=rule_id)))
    ids = [r.id for r in derived if r.id not in stated]
    by_id = {r.id: r.derived_by or "" for r in derived}
    # Kept: what a sheet stated, and a derived offer an earlier import made by a rule that
    # ranks first (an actor's fields only grow by merging, so the order of imports is moot).
    rank = precedence()
    kept = {k for k, v in store._fetch("resources", ids).items()
            if v.get("confirmed", True) or rank.get(v.get("derived_by", ""), 10**6)
            <= rank[by_id[k]]} if ids else set()
    new = [r for r in derived if r.id not in stated and r.id not in kept]
    batch.resources.extend(new)
    holders = {r.holder for r in derived}
    # A derived offer of an actor in this import that no rule gives any more (the register
    # changed its NACE code or its activity text; a rule was dropped) is withdrawn. What a
    # sheet stated stays, whatever the rules say.
    looked_at = {a.id for a in batch.actors}
    now = {r.id for r in derived}
    stale = sorted(r["id"] for r in store._held("resources", sorted(looked_at))
                   if r.get("holder") in looked_at and r.get("derived_by")
                   and not r.get("confirmed", True) and r["id"] not in now
                   and r["id"] not in stated) if looked_at else []
    batch.retracted.update(stale)
    by_rule: dict[str, int] = {}
    for r in new:
        by_rule[r.derived_by or ""] = by_rule.get(r.derived_by or "", 0) + 1
    orgs = [a for a in batch.actors
            if a.kind != "individual" and set(a.sources or {"register"}) - {"workshop"}]
    return {"offers": len(new), "actors": len(orgs), "with_offers": len(holders),
            "without_offers": sorted(a.id for a in orgs if a.id not in holders),
            "names": {a.id: a.name for a in orgs if a.id not in holders},
            "already_confirmed": len(derived) - len(new), "withdrawn": len(stale),
            "by_rule": dict(sorted(by_rule.items()))}


def _taxonomy() -> set[str]:
    from graphsvc.taxonomy import load_taxonomy

    return {c.code for c in load_taxonomy()}
