"""``GET /coverage``: what the map still lacks, per district, and whom to invite to the next
workshop. A plain ``def`` route: the work is CPU-bound and runs in the thread pool."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from graphsvc.analysis import coverage as find_coverage
from graphsvc.api.deps import DistrictDep, GraphDep, LangDep

router = APIRouter(tags=["analysis"])


@router.get("/coverage")
def coverage(
    G: GraphDep, district: DistrictDep,
    limit: Annotated[int, Query(ge=1, le=1000, description="invitations listed")] = 20,
    *, lang: LangDep,
) -> dict[str, Any]:
    """Per district (and the actors with none): how many actors have ties, offers (confirmed
    or only derived from a register), needs and a district; which kinds are missing (no
    frivilligsentral, no meeting place); and whom to invite to the next workshop, with reasons."""
    return find_coverage(G, district=district, limit=limit, lang=lang)
