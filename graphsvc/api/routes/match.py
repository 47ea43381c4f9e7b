"""Matching: who can meet this need, and who could introduce them."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from graphsvc.analysis.matching import match_need
from graphsvc.api.deps import DistrictDep, GraphDep, LangDep, NamesDep
from graphsvc.api.schemas import MatchPublic
from graphsvc.errors import NotFoundError, ValidationError

router = APIRouter(tags=["analysis"])


@router.get("/match", response_model=MatchPublic)
def match(
    G: GraphDep,
    names: NamesDep,
    district: DistrictDep,
    category: Annotated[str | None, Query(description="need category, e.g. help.transport")] = None,
    need: Annotated[str | None, Query(description="a stored need's id (category, district "
                                      "and asker come from it)")] = None,
    seeker: Annotated[str | None, Query(description="id of the actor with the need")] = None,
    capacity: Annotated[int | None, Query(ge=1, description="how much is needed (people or "
                                          "hours a month)")] = None,
    availability: Annotated[str | None, Query(description="when it is needed, e.g. kveld")]
    = None,
    lat: Annotated[float | None, Query(ge=-90, le=90)] = None,
    lon: Annotated[float | None, Query(ge=-180, le=180)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 10,
    *, lang: LangDep,
) -> MatchPublic:
    """Ranked offers for a need, each with an explanation: category fit, district or distance,
    capacity, availability, and the chain of existing ties that could introduce them."""
    if need is not None:
        found = next(((n, h) for n, d in G.nodes(data=True) for h in d.get("needs", ())
                      if h["id"] == need), None)
        if found is None:
            raise NotFoundError("error.not_found.need", id=need)
        holder, held = found
        category = category or held["category"]
        district = district or held.get("district") or G.nodes[holder].get("district")
        seeker = seeker or holder
        capacity = capacity or held.get("capacity")
    if category is None:
        raise ValidationError("error.category_or_need")
    return MatchPublic(**match_need(G, category, district=district, seeker=seeker, limit=limit,
                                    capacity=capacity, availability=availability, lat=lat,
                                    lon=lon, show_names=names, lang=lang))
