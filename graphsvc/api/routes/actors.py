"""Actors with their resources, needs and ties: read, write, erase."""

from __future__ import annotations

from typing import Annotated, Any

import networkx as nx
from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import ValidationError as PydanticValidationError

from graphsvc.api.deps import DistrictDep, GraphDep, LangDep, NamesDep, StoreDep
from graphsvc.api.schemas import ActorPublic, ActorsPublic, HoldingPublic, TiePublic
from graphsvc.errors import NotFoundError
from graphsvc.i18n import DEFAULT_LANG, VOCABULARY
from graphsvc.model import ActorKind, GraphBatch, WriteReport
from graphsvc.privacy import display_name
from graphsvc.snapshot import select_nodes
from graphsvc.taxonomy import load_taxonomy

router = APIRouter(prefix="/actors", tags=["actors"])


def actor_public(G: nx.MultiDiGraph, node: str, *, show_names: bool, with_ties: bool,
                 lang: str = DEFAULT_LANG) -> ActorPublic:
    attrs = G.nodes[node]
    tax = load_taxonomy()
    hidden = attrs.get("kind") == "individual" and not show_names

    def holdings(items: list[dict[str, Any]]) -> list[HoldingPublic]:
        return [HoldingPublic(id=h["id"], category=h["category"],
                              category_name=tax.name(h["category"]),
                              description=None if hidden else h.get("description"),
                              district=h.get("district"), capacity=h.get("capacity"),
                              confirmed=h.get("confirmed", True),
                              derived_by=h.get("derived_by"),
                              status=None if h.get("confirmed", True)
                              else VOCABULARY("status.derived", lang))
                for h in items]

    ties = None
    if with_ties:
        ties = [TiePublic(kind=k, direction="out", other=v,
                          other_name=display_name(v, G.nodes[v], show_names),
                          strength=d.get("strength", 0.5))
                for _u, v, k, d in G.out_edges(node, keys=True, data=True)]
        ties += [TiePublic(kind=k, direction="in", other=u,
                           other_name=display_name(u, G.nodes[u], show_names),
                           strength=d.get("strength", 0.5))
                 for u, _v, k, d in G.in_edges(node, keys=True, data=True)]
    return ActorPublic(
        id=node,
        kind=attrs.get("kind"),
        name=display_name(node, attrs, show_names),
        pseudonymised=hidden,
        kommunenummer=attrs.get("kommunenummer"),
        district=attrs.get("district"),
        lat=None if hidden else attrs.get("lat"),
        lon=None if hidden else attrs.get("lon"),
        orgnr=attrs.get("orgnr"),
        categories=attrs.get("categories", []),
        offers=holdings(attrs.get("offers", [])),
        needs=holdings(attrs.get("needs", [])),
        ties=ties,
        # What the registers say in their own words: organisations only.
        **({} if attrs.get("kind") == "individual" else {
            f: attrs.get(f) for f in ("orgform", "nace", "kind_rule", "address", "postnummer",
                                      "postal_address", "homepage", "activity", "purpose",
                                      "district_rule")}),
    )


@router.get("", response_model=ActorsPublic)
def list_actors(
    G: GraphDep,
    names: NamesDep,
    district: DistrictDep,
    lang: LangDep,
    kind: ActorKind | None = None,
    q: Annotated[str | None, Query(description="part of the name, case- and accent-insensitive "
                                   "(individuals by pseudonym unless names are shown); "
                                   "initiatives are at /initiatives")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> ActorsPublic:
    nodes = select_nodes(G, "actor", kind=kind, district=district, q=q,
                         show_names=names)
    page = nodes[offset : offset + limit]
    return ActorsPublic(
        data=[actor_public(G, n, show_names=names, with_ties=False, lang=lang)
              for n in page],
        count=len(nodes),
    )


def require_actor(G: nx.MultiDiGraph, actor_id: str) -> None:
    """404 unless ``actor_id`` is an actor; an initiative's id says where it is."""
    if actor_id in G and G.nodes[actor_id].get("node_type") == "initiative":
        raise NotFoundError("error.not_found.initiative_not_actor", id=actor_id,
                            see=f"/initiatives/{actor_id}")
    if actor_id not in G or G.nodes[actor_id].get("node_type") != "actor":
        raise NotFoundError("error.not_found.actor", id=actor_id)


@router.get("/{actor_id}", response_model=ActorPublic)
def get_actor(actor_id: str, G: GraphDep, names: NamesDep, lang: LangDep) -> ActorPublic:
    require_actor(G, actor_id)
    return actor_public(G, actor_id, show_names=names, with_ties=True, lang=lang)


@router.get("/{actor_id}/export")
def export_actor(actor_id: str, store: StoreDep, G: GraphDep) -> dict[str, Any]:
    """Everything graphsvc holds about one actor (GDPR right of access): the stored record with
    every personal field and its provenance, its resources and needs, and every tie in or out.
    Names are shown: this answers the person's own request."""
    actor = store.get_actor(actor_id)
    if actor_id not in G:
        G = store.to_networkx()  # the snapshot may lag a write made a moment ago
    attrs = G.nodes[actor_id]
    ties = [{"source": u, "target": v, **d} for u, v, d in G.out_edges(actor_id, data=True)]
    ties += [{"source": u, "target": v, **d} for u, v, d in G.in_edges(actor_id, data=True)]
    return {
        "actor": actor.model_dump(mode="json", exclude_none=True),
        "resources": attrs.get("offers", []),
        "needs": attrs.get("needs", []),
        "ties": ties,
    }


async def strict_batch(request: Request, batch: GraphBatch) -> GraphBatch:
    """The body read again as its schema says, strictly: pydantic's lax reading (what FastAPI
    does) would take ``false`` or ``"7"`` for a number and ``0`` for a date-time, which the
    OpenAPI document does not allow. The body is the one FastAPI already read (and bounded)."""
    try:
        return GraphBatch.model_validate_json(await request.body(), strict=True)
    except PydanticValidationError as exc:
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors()]) from None


@router.post("", response_model=WriteReport, status_code=200)
def write_graph(batch: Annotated[GraphBatch, Depends(strict_batch)], store: StoreDep
                ) -> WriteReport:
    """Write actors, initiatives, resources, needs and ties in one atomic batch (upsert by
    natural key). Nothing is written if any row is invalid or refers to an unknown id."""
    return store.write(batch)


@router.delete("/{actor_id}", status_code=204)
def erase_actor(actor_id: str, store: StoreDep) -> Response:
    """Erase an actor everywhere: the record, its ties, resources and needs (GDPR erasure)."""
    store.delete_actor(actor_id)
    return Response(status_code=204)
