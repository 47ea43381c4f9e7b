"""Initiatives (e.g. *Sykling uten alder*): who takes part, what they require, and which of
those requirements the participants' own offers cover. Answered from the snapshot."""

from __future__ import annotations

from typing import Annotated

import networkx as nx
from fastapi import APIRouter, Query

from graphsvc.api.deps import DistrictDep, GraphDep, NamesDep
from graphsvc.api.schemas import (
    CategoryCoverage,
    CoveragePublic,
    InitiativePublic,
    InitiativesPublic,
    ParticipantPublic,
)
from graphsvc.errors import NotFoundError
from graphsvc.privacy import display_name
from graphsvc.snapshot import coverage, participants, select_nodes
from graphsvc.taxonomy import load_taxonomy

router = APIRouter(prefix="/initiatives", tags=["initiatives"])


def initiative_public(G: nx.MultiDiGraph, node: str, *, show_names: bool,
                      with_participants: bool) -> InitiativePublic:
    attrs = G.nodes[node]
    tax = load_taxonomy()
    members = participants(G, node)
    covered, missing = coverage(G, node)
    required = list(attrs.get("required_categories", []))
    people = None
    if with_participants:
        people = [ParticipantPublic(
            id=m, kind=G.nodes[m].get("kind"), name=display_name(m, G.nodes[m], show_names),
            pseudonymised=G.nodes[m].get("kind") == "individual" and not show_names,
            district=G.nodes[m].get("district")) for m in members]
    return InitiativePublic(
        id=node,
        name=str(attrs.get("name") or node),
        kommunenummer=attrs.get("kommunenummer"),
        district=attrs.get("district"),
        description=attrs.get("description"),
        required_categories=required,
        participant_count=len(members),
        coverage=CoveragePublic(
            covered=[CategoryCoverage(category=c, category_name=tax.name(c), offered_by=who)
                     for c, who in covered.items()],
            missing=[CategoryCoverage(category=c, category_name=tax.name(c)) for c in missing],
            share=round(len(covered) / len(required), 3) if required else 1.0,
        ),
        participants=people,
    )


@router.get("", response_model=InitiativesPublic)
def list_initiatives(
    G: GraphDep,
    names: NamesDep,
    district: DistrictDep,
    q: Annotated[str | None, Query(description="part of the name, case- and "
                                   "accent-insensitive")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> InitiativesPublic:
    """Initiatives with their required categories and how far their participants cover them."""
    nodes = select_nodes(G, "initiative", district=district, q=q)
    return InitiativesPublic(
        data=[initiative_public(G, n, show_names=names, with_participants=False)
              for n in nodes[offset : offset + limit]],
        count=len(nodes),
    )


@router.get("/{initiative_id}", response_model=InitiativePublic)
def get_initiative(initiative_id: str, G: GraphDep, names: NamesDep) -> InitiativePublic:
    """One initiative: its participants (individuals pseudonymised unless names are shown),
    required categories, and which of them the participants offer and which nobody does (for
    a team that closes the gaps, see ``/teams?initiative=``)."""
    if initiative_id not in G or G.nodes[initiative_id].get("node_type") != "initiative":
        raise NotFoundError("error.not_found.initiative", id=initiative_id)
    return initiative_public(G, initiative_id, show_names=names,
                             with_participants=True)
