"""What the map still lacks (DESIGN 5.1): per district, how many actors have ties, offers
(stated or derived from a register), needs and a district; which kinds of actor are missing; and
whom to invite to the next workshop, each with its reason. The map is a plan for the
participatory work, so this is what a planner sees first after loading registers.
"""

from __future__ import annotations

from typing import Any

import networkx as nx

from graphsvc.i18n import register

MEETING_PARENT = "space"
MEETING_CATEGORY = "social.meetingplace"

MESSAGES = register(__name__, {
    "nb": {
        "no_district": "uten grend",
        "summary": "{n} {n:aktør|aktører} i {d} {d:grend|grender}: {ties} med bånd, {offers} "
                   "med tilbud ({derived} bare fra registeret), {needs} med behov, "
                   "{placed} med grend",
        "no_centre": "Ingen frivilligsentral",
        "no_meeting": "Ingen møteplass eller lokale",
        "invite_actor": "Har {n} {n:tilbud|tilbud} fra registeret (ikke bekreftet) og ingen "
                        "bånd: be dem bekrefte tilbudene og fortelle hvem de samarbeider med",
        "invite_district": "{n} {n:aktør|aktører} i grenda, ingen bekreftede tilbud: inviter "
                           "dem til neste verksted",
    },
    "en": {
        "no_district": "no district",
        "summary": "{n} {n:actor|actors} in {d} {d:district|districts}: {ties} with ties, "
                   "{offers} with offers ({derived} only from the register), {needs} with needs, "
                   "{placed} with a district",
        "no_centre": "No volunteer centre",
        "no_meeting": "No meeting place or room",
        "invite_actor": "Has {n} {n:offer|offers} from the register (not confirmed) and no "
                        "ties: ask them to confirm the offers and say whom they work with",
        "invite_district": "{n} {n:actor|actors} in the district, no confirmed offers: invite "
                           "them to the next workshop",
    },
})


def _is_meeting(category: str) -> bool:
    return category == MEETING_CATEGORY or category.split(".")[0] == MEETING_PARENT


def coverage(G: nx.MultiDiGraph, *, district: str | None = None, limit: int = 20,
             lang: str = "nb") -> dict[str, Any]:
    """What the map still lacks, per district, and whom to invite to the next workshop.

    Parameters
    ----------
    G : the snapshot graph (``graphsvc.store.base.build_graph``).
    district : only this district (as the graph spells it); ``None`` for all.
    limit : how many invitations to list.
    lang : ``"nb"`` or ``"en"`` for the explanations.

    Returns
    -------
    ``{"districts": [...], "invite": [...], "totals": {...}, "explanation": [...]}``. Each
    district has ``actors``, ``with_ties``, ``with_offers``, ``with_confirmed_offers``,
    ``with_derived_offers`` (only derived ones), ``with_needs``, ``missing`` (``kind`` and
    ``explanation``); the actors without a district are the entry whose ``district`` is
    ``None``. Each invitation has ``type`` (``actor`` or ``district``), ``id``, ``name`` and
    ``reason``.

    Examples
    --------
    >>> from graphsvc.store.base import build_graph
    >>> G = build_graph(
    ...     actors=[{"id": "t:lag", "kind": "association", "name": "Nes IL", "district": "Nes"},
    ...             {"id": "t:skole", "kind": "institution", "name": "Nes skole",
    ...              "district": "Nes"}],
    ...     initiatives=[], needs=[], ties=[],
    ...     resources=[{"id": "r1", "holder": "t:lag", "category": "activity",
    ...                 "confirmed": False, "derived_by": "icnpo-1200"},
    ...                {"id": "r2", "holder": "t:skole", "category": "space.room",
    ...                 "confirmed": False, "derived_by": "nace-85.2"}])
    >>> out = coverage(G, lang="en")
    >>> d = out["districts"][0]
    >>> d["district"], d["with_offers"], d["with_confirmed_offers"], d["with_ties"]
    ('Nes', 2, 0, 0)
    >>> [m["kind"] for m in d["missing"]]
    ['frivilligsentral']
    >>> [(i["type"], i["name"]) for i in out["invite"]]
    [('district', 'Nes'), ('actor', 'Nes IL'), ('actor', 'Nes skole')]
    """
    msg = MESSAGES.bind(lang)
    rows: dict[str | None, dict[str, Any]] = {}
    candidates = []
    for node, attrs in G.nodes(data=True):
        if attrs.get("node_type", "actor") != "actor":
            continue
        where = attrs.get("district")
        if district is not None and where != district:
            continue
        row = rows.setdefault(where, {"district": where, "actors": 0, "with_ties": 0,
                                      "with_offers": 0, "with_confirmed_offers": 0,
                                      "with_derived_offers": 0, "with_needs": 0,
                                      "_centre": False, "_meeting": False})
        offers = attrs.get("offers") or []
        confirmed = [o for o in offers if o.get("confirmed", True)]
        derived = [o for o in offers if not o.get("confirmed", True)]
        tied = G.degree(node) > 0
        row["actors"] += 1
        row["with_ties"] += tied
        row["with_offers"] += bool(offers)
        row["with_confirmed_offers"] += bool(confirmed)
        row["with_derived_offers"] += bool(derived) and not confirmed
        row["with_needs"] += bool(attrs.get("needs"))
        row["_centre"] |= attrs.get("kind") == "frivilligsentral"
        row["_meeting"] |= any(_is_meeting(o["category"]) for o in offers)
        if derived and not tied and attrs.get("kind") != "individual":
            candidates.append((-len(derived), str(attrs.get("name") or node), node, len(derived)))
    districts = []
    invite_districts = []
    for where in sorted(rows, key=lambda w: (w is None, w or "")):
        row = rows[where]
        missing = []
        if where is not None:
            if not row.pop("_centre"):
                missing.append({"kind": "frivilligsentral", "explanation": msg("no_centre")})
            if not row.pop("_meeting"):
                missing.append({"kind": "meeting_place", "explanation": msg("no_meeting")})
            if not row["with_confirmed_offers"]:
                invite_districts.append({"type": "district", "id": where, "name": where,
                                         "reason": msg("invite_district", n=row["actors"])})
        else:
            row.pop("_centre"), row.pop("_meeting")
        row["missing"] = missing
        row["name"] = where if where is not None else msg("no_district")
        districts.append(row)
    candidates.sort()
    invite = invite_districts + [
        {"type": "actor", "id": node, "name": name, "derived_offers": n,
         "reason": msg("invite_actor", n=n)} for _k, name, node, n in candidates]
    totals = {k: sum(r[k] for r in districts) for k in
              ("actors", "with_ties", "with_offers", "with_confirmed_offers",
               "with_derived_offers", "with_needs")}
    totals["with_district"] = sum(r["actors"] for r in districts if r["district"] is not None)
    named = sum(1 for r in districts if r["district"] is not None)
    explanation = [msg("summary", n=totals["actors"], d=named, ties=totals["with_ties"],
                       offers=totals["with_offers"], derived=totals["with_derived_offers"],
                       needs=totals["with_needs"], placed=totals["with_district"])]
    return {"query": {"district": district}, "totals": totals, "districts": districts,
            "invite": invite[:limit], "invite_count": len(invite), "explanation": explanation}
